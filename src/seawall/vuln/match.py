"""Match an inventory of packages against the database and merge duplicates under the CVE.

Distribution packages (Debian, Ubuntu, Alpine) are looked up by their **source** package and
compared on the source version, as their advisories are written; an ``affected`` entry must name
the package's release (``Debian:12``) when the package has one. Every record is expanded to the
CVEs it names, so a DSA, its DEBIAN-CVE twins and a GHSA for the same CVE become one
``VulnMatch`` per (CVE, package) with all record ids kept. Withdrawn records never match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cmp_to_key

from seawall.model.package import Package
from seawall.vuln import severity as sev
from seawall.vuln.db import VulnDB, VulnRow
from seawall.vuln.evaluate import Verdict, evaluate, installed_form
from seawall.vuln.osv import Affected, SeverityScore
from seawall.vuln.versions import InvalidVersion, comparator_for, ecosystem_base

SOURCE_KEYED = frozenset({"Debian", "Ubuntu", "Alpine"})


@dataclass(frozen=True)
class VulnMatch:
    """One vulnerability (under its canonical id) affecting one installed package."""

    id: str  # the CVE when one is known, else the record id
    record_ids: tuple[str, ...]  # every OSV record merged here (DSA, DLA, DEBIAN-CVE, GHSA, ...)
    aliases: tuple[str, ...]
    package: Package
    matched_name: str  # the name looked up (the source package for distributions)
    matched_version: str  # the version compared (the source version for distributions)
    fixed_version: str | None
    rating: sev.Rating
    summary: str
    published: str | None
    certain: bool = True
    notes: tuple[str, ...] = ()

    @property
    def fix_state(self) -> str:
        """``fixed`` when a fixed version exists, else ``not-fixed``."""
        return "fixed" if self.fixed_version else "not-fixed"

    @property
    def package_key(self) -> str:
        """The package's purl without version and qualifiers: the key of ledgers and exceptions."""
        return purl_key(self.package.purl)


def purl_key(purl: str) -> str:
    """``pkg:deb/debian/openssl@3.0.11-1?arch=amd64`` → ``pkg:deb/debian/openssl``."""
    base = purl.split("?", 1)[0].split("#", 1)[0]
    at = base.rfind("@")
    return base[:at] if at > base.find("/") else base


@dataclass
class _Hit:
    record: str
    affected: Affected
    verdict: Verdict


@dataclass
class _Group:
    ident: str
    hits: list[_Hit] = field(default_factory=list)
    rows: list[VulnRow] = field(default_factory=list)


def lookup_key(package: Package) -> tuple[str, str, str, str]:
    """(ecosystem base, release, name, version) that advisories for ``package`` are keyed by."""
    base = ecosystem_base(package.ecosystem)
    release = package.ecosystem.split(":", 1)[1].strip() if ":" in package.ecosystem else ""
    name, version = package.name, package.version
    if base in SOURCE_KEYED:
        name = package.source_name or name
        version = package.source_version or version
    return base, release, name, installed_form(package.ecosystem, name, version)


def _min_version(ecosystem: str, versions: list[str]) -> str | None:
    if not versions:
        return None
    cmp = comparator_for(ecosystem)
    if cmp is None:
        return min(versions)
    try:
        return min(versions, key=cmp_to_key(cmp))
    except InvalidVersion:
        return min(versions)


def _rating(db: VulnDB, group: _Group) -> sev.Rating:
    vendor = sev.highest(
        sev.vendor_rating(h.affected.ecosystem_specific, h.affected.severity) for h in group.hits
    )
    if vendor is not None:
        return vendor
    cvss = sev.highest(
        [sev.cvss_rating(h.affected.severity, h.record) for h in group.hits]
        + [sev.cvss_rating(_scores(r), r.id) for r in group.rows]
    )
    if cvss is not None:
        return cvss
    label = sev.highest(sev.label_rating(r.severity.get("label"), r.id) for r in group.rows)
    if label is not None:
        return label
    own = {r.id for r in group.rows}
    names = sorted({group.ident, *(a for r in group.rows for a in r.aliases)})
    others = [r for r in db.vulns(db.ids_with_alias(names) - own).values() if not r.withdrawn]
    borrowed = sev.highest(sev.cvss_rating(_scores(r), r.id) for r in others) or sev.highest(
        sev.label_rating(r.severity.get("label"), r.id) for r in others
    )
    if borrowed is not None:
        return sev.Rating(
            borrowed.severity,
            f"alias:{borrowed.source}",
            borrowed.score,
            borrowed.vector,
            borrowed.from_record,
        )
    return sev.UNKNOWN


def _scores(row: VulnRow) -> tuple[SeverityScore, ...]:
    return tuple(SeverityScore(t, s) for t, s in row.severity.get("scores", ()))


def match_package(db: VulnDB, package: Package) -> list[VulnMatch]:
    """Vulnerabilities affecting one package, merged under their CVEs."""
    base, release, name, version = lookup_key(package)
    hits: list[_Hit] = []
    for entry in db.affected(base, name):
        if release and entry.release and entry.release != release:
            continue
        verdict = evaluate(entry.affected, version)
        if verdict.affected or not verdict.certain:
            hits.append(_Hit(entry.vuln_id, entry.affected, verdict))
    if not hits:
        return []
    rows = db.vulns(h.record for h in hits)
    groups: dict[str, _Group] = {}
    for hit in hits:
        row = rows.get(hit.record)
        if row is None or row.withdrawn:
            continue
        cves = [a for a in (row.id, *row.aliases) if a.startswith("CVE-")]
        for ident in dict.fromkeys(cves or [row.id]):
            group = groups.setdefault(ident, _Group(ident))
            group.hits.append(hit)
            if row not in group.rows:
                group.rows.append(row)
    matches = []
    for ident, group in sorted(groups.items()):
        certain = [h for h in group.hits if h.verdict.affected]
        used = certain or group.hits
        record_ids = tuple(sorted({h.record for h in used}))
        aliases = sorted(
            {a for r in group.rows if r.id in record_ids for a in (r.id, *r.aliases)} - {ident}
        )
        fixed = _min_version(package.ecosystem, [h.verdict.fixed for h in used if h.verdict.fixed])
        notes = tuple(sorted({h.verdict.note for h in group.hits if h.verdict.note}))
        first = next(r for r in group.rows if r.id in record_ids)
        published = min((r.published for r in group.rows if r.published), default=None)
        matches.append(
            VulnMatch(
                id=ident,
                record_ids=record_ids,
                aliases=tuple(aliases),
                package=package,
                matched_name=name,
                matched_version=version,
                fixed_version=fixed,
                rating=_rating(db, group),
                summary=first.summary,
                published=published,
                certain=bool(certain),
                notes=notes,
            )
        )
    return matches


def match_packages(db: VulnDB, packages: Sequence[Package]) -> list[VulnMatch]:
    """Vulnerabilities affecting any of ``packages``, ordered by package then id."""
    out: list[VulnMatch] = []
    for package in packages:
        out.extend(match_package(db, package))
    out.sort(key=lambda m: (m.package.purl, m.id))
    return out
