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
from seawall.vuln.db import AffectedRow, VulnDB, VulnRow
from seawall.vuln.evaluate import Verdict, evaluate, installed_form
from seawall.vuln.osv import Affected, SeverityScore, normalize_name
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


def _local_rating(group: _Group) -> sev.Rating | None:
    """Severity steps 1-3 on the group's own records."""
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
    return sev.highest(sev.label_rating(r.severity.get("label"), r.id) for r in group.rows)


def same_vulnerability(row: VulnRow, ident: str) -> set[str]:
    """The ids and aliases of ``row`` that name the vulnerability ``ident`` itself.

    A record about several CVEs (a DSA fixing five) contributes only its own id: its other
    aliases belong to the other CVEs and must not lend their severity or names to this one.
    """
    cves = {a for a in (row.id, *row.aliases) if a.startswith("CVE-")}
    if cves - {ident}:
        return {row.id}
    return {row.id, *row.aliases}


def _alias_names(group: _Group) -> set[str]:
    return {group.ident}.union(*(same_vulnerability(r, group.ident) for r in group.rows))


def _borrowed_rating(
    group: _Group, alias_ids: dict[str, set[str]], others: dict[str, VulnRow]
) -> sev.Rating:
    """Severity step 4 (records sharing an alias), else UNKNOWN."""
    own = {r.id for r in group.rows}
    ids = {i for name in _alias_names(group) for i in alias_ids.get(name, ())} - own
    rows = [others[i] for i in sorted(ids) if i in others and not others[i].withdrawn]
    borrowed = sev.highest(sev.cvss_rating(_scores(r), r.id) for r in rows) or sev.highest(
        sev.label_rating(r.severity.get("label"), r.id) for r in rows
    )
    if borrowed is None:
        return sev.UNKNOWN
    return sev.Rating(
        borrowed.severity,
        f"alias:{borrowed.source}",
        borrowed.score,
        borrowed.vector,
        borrowed.from_record,
    )


def _scores(row: VulnRow) -> tuple[SeverityScore, ...]:
    return tuple(SeverityScore(t, s) for t, s in row.severity.get("scores", ()))


def release_key(release: str) -> str:
    """A release as compared: OSV writes Ubuntu LTS releases as ``22.04:LTS``, images ``22.04``."""
    return release.removesuffix(":LTS")


def _hits(entries: list[AffectedRow], release: str, version: str) -> list[_Hit]:
    hits = []
    wanted = release_key(release)
    for entry in entries:
        if wanted and entry.release and release_key(entry.release) != wanted:
            continue
        verdict = evaluate(entry.affected, version)
        if verdict.affected or not verdict.certain:
            hits.append(_Hit(entry.vuln_id, entry.affected, verdict))
    return hits


def _groups(hits: list[_Hit], rows: dict[str, VulnRow]) -> list[_Group]:
    """Hits grouped under each CVE their record names (or the record id without one)."""
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
    return [groups[k] for k in sorted(groups)]


def _build(
    package: Package, name: str, version: str, group: _Group, rating: sev.Rating
) -> VulnMatch:
    certain = [h for h in group.hits if h.verdict.affected]
    used = certain or group.hits
    record_ids = tuple(sorted({h.record for h in used}))
    aliases = sorted(
        {a for r in group.rows if r.id in record_ids for a in same_vulnerability(r, group.ident)}
        - {group.ident}
    )
    fixed = _min_version(package.ecosystem, [h.verdict.fixed for h in used if h.verdict.fixed])
    first = next(r for r in group.rows if r.id in record_ids)
    return VulnMatch(
        id=group.ident,
        record_ids=record_ids,
        aliases=tuple(aliases),
        package=package,
        matched_name=name,
        matched_version=version,
        fixed_version=fixed,
        rating=rating,
        summary=first.summary,
        published=min((r.published for r in group.rows if r.published), default=None),
        certain=bool(certain),
        notes=tuple(sorted({h.verdict.note for h in group.hits if h.verdict.note})),
    )


def match_packages(db: VulnDB, packages: Sequence[Package]) -> list[VulnMatch]:
    """Vulnerabilities affecting any of ``packages``, ordered by package purl then id.

    Lookups are batched (one query per ecosystem and per few hundred names), so an image of a
    thousand packages costs a handful of SQLite queries.
    """
    keys = [lookup_key(p) for p in packages]
    names: dict[str, set[str]] = {}
    for base, _, name, _ in keys:
        names.setdefault(base, set()).add(name)
    entries = {base: db.affected_many(base, wanted) for base, wanted in names.items()}
    found: list[tuple[Package, str, str, list[_Hit]]] = []
    for package, (base, release, name, version) in zip(packages, keys, strict=True):
        hits = _hits(entries[base].get(normalize_name(base, name), []), release, version)
        if hits:
            found.append((package, name, version, hits))
    rows = db.vulns(h.record for *_, hits in found for h in hits)
    grouped = [
        (package, name, version, _groups(hits, rows)) for package, name, version, hits in found
    ]
    local = {id(g): _local_rating(g) for *_, groups in grouped for g in groups}
    unresolved = [g for *_, groups in grouped for g in groups if local[id(g)] is None]
    alias_ids = db.alias_map(n for g in unresolved for n in _alias_names(g))
    others = db.vulns(i for ids in alias_ids.values() for i in ids) if alias_ids else {}
    out = []
    for package, name, version, groups in grouped:
        for group in groups:
            rating = local[id(group)] or _borrowed_rating(group, alias_ids, others)
            out.append(_build(package, name, version, group, rating))
    out.sort(key=lambda m: (m.package.purl, m.id))
    return out


def match_package(db: VulnDB, package: Package) -> list[VulnMatch]:
    """Vulnerabilities affecting one package, merged under their CVEs."""
    return match_packages(db, [package])
