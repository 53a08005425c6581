"""OSV records as frozen values, with the checks a loader needs beyond the JSON schema.

``parse_record`` turns one decoded OSV JSON object into a ``Record`` or raises
``InvalidRecord`` with a one-line reason. It rejects what the OSV schema rejects and what would
make matching wrong (a range without ``introduced``, an unknown range or event type, an affected
package without ecosystem or name). Unknown extra fields are kept out of the model but survive in
the raw JSON stored in the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from seawall.vuln.versions import ecosystem_base

RANGE_TYPES = frozenset({"SEMVER", "ECOSYSTEM", "GIT"})
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
_PEP503 = re.compile(r"[-_.]+")


class InvalidRecord(ValueError):
    """A record that is malformed or semantically invalid; importers skip and count it."""


@dataclass(frozen=True)
class Event:
    """One range event: ``kind`` is introduced, fixed, last_affected or limit."""

    kind: str
    version: str


@dataclass(frozen=True)
class Range:
    """An OSV range: ``type`` SEMVER, ECOSYSTEM or GIT, and its events in file order."""

    type: str
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True)
class SeverityScore:
    """An OSV ``severity[]`` entry: ``type`` CVSS_V2/CVSS_V3/CVSS_V4/Ubuntu, ``score`` a vector."""

    type: str
    score: str


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry: which package, which versions, and per-package data."""

    ecosystem: str
    name: str
    purl: str | None
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]
    severity: tuple[SeverityScore, ...] = ()
    ecosystem_specific: Mapping[str, Any] = field(default_factory=dict)
    database_specific: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ecosystem_base(self) -> str:
        """The ecosystem without its release (``Debian:12`` → ``Debian``)."""
        return ecosystem_base(self.ecosystem)

    @property
    def release(self) -> str:
        """The release part of the ecosystem (``12`` of ``Debian:12``), or ``""``."""
        return self.ecosystem.split(":", 1)[1].strip() if ":" in self.ecosystem else ""


@dataclass(frozen=True)
class Record:
    """One OSV advisory."""

    id: str
    modified: str
    published: str | None
    withdrawn: str | None
    summary: str
    aliases: tuple[str, ...]
    upstream: tuple[str, ...]
    related: tuple[str, ...]
    severity: tuple[SeverityScore, ...]
    affected: tuple[Affected, ...]
    database_specific: Mapping[str, Any] = field(default_factory=dict)

    @property
    def cve_ids(self) -> tuple[str, ...]:
        """CVE ids this record is about: its own id, aliases and upstream, in that order."""
        seen: dict[str, None] = {}
        for ident in (self.id, *self.aliases, *self.upstream):
            if ident.startswith("CVE-"):
                seen.setdefault(ident, None)
        return tuple(seen)

    @property
    def canonical_id(self) -> str:
        """The id findings are merged under: the first CVE named, else the record's own id."""
        cves = self.cve_ids
        return cves[0] if cves else self.id


def normalize_name(ecosystem: str, name: str) -> str:
    """The lookup form of a package name: PEP 503 for PyPI, unchanged elsewhere."""
    if ecosystem_base(ecosystem) == "PyPI":
        return _PEP503.sub("-", name).lower()
    return name


def _str(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidRecord(f"{what} must be a non-empty string")
    return value


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRecord(f"{what} must be a list of strings")
    return tuple(value)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRecord(f"{what} must be an object")
    return value


def _severity(value: Any, what: str) -> tuple[SeverityScore, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidRecord(f"{what} must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidRecord(f"{what} entries must be objects")
        kind = _str(item.get("type"), f"{what}.type")
        score = _str(item.get("score"), f"{what}.score")
        assert kind is not None and score is not None
        out.append(SeverityScore(kind, score))
    return tuple(out)


def _range(value: Any, where: str) -> Range:
    if not isinstance(value, dict):
        raise InvalidRecord(f"{where} must be an object")
    kind = value.get("type")
    if kind not in RANGE_TYPES:
        raise InvalidRecord(f"{where}.type {kind!r} is not SEMVER, ECOSYSTEM or GIT")
    raw_events = value.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise InvalidRecord(f"{where}.events must be a non-empty list")
    events = []
    for ev in raw_events:
        if not isinstance(ev, dict) or len(ev) != 1:
            raise InvalidRecord(f"{where}: each event must hold exactly one key")
        ((ek, ever),) = ev.items()
        if ek not in EVENT_KINDS:
            raise InvalidRecord(f"{where}: unknown event {ek!r}")
        if not isinstance(ever, str) or not ever.strip():
            raise InvalidRecord(f"{where}: event {ek} needs a version string")
        events.append(Event(ek, ever.strip()))
    if not any(e.kind == "introduced" for e in events):
        raise InvalidRecord(f"{where} has no 'introduced' event")
    repo = value.get("repo")
    if kind == "GIT" and not isinstance(repo, str):
        raise InvalidRecord(f"{where}: a GIT range needs a repo")
    return Range(kind, tuple(events), repo if isinstance(repo, str) else None)


def _affected(value: Any, where: str) -> Affected | None:
    if not isinstance(value, dict):
        raise InvalidRecord(f"{where} must be an object")
    ranges = tuple(
        _range(r, f"{where}.ranges[{i}]") for i, r in enumerate(value.get("ranges") or [])
    )
    versions = _str_list(value.get("versions"), f"{where}.versions")
    package = value.get("package")
    if package is None:
        # Allowed by OSV for GIT-only entries; nothing seawall can match on a package inventory.
        if ranges and all(r.type == "GIT" for r in ranges):
            return None
        raise InvalidRecord(f"{where} has no package")
    if not isinstance(package, dict):
        raise InvalidRecord(f"{where}.package must be an object")
    ecosystem = _str(package.get("ecosystem"), f"{where}.package.ecosystem")
    name = _str(package.get("name"), f"{where}.package.name")
    purl = _str(package.get("purl"), f"{where}.package.purl", required=False)
    assert ecosystem is not None and name is not None
    return Affected(
        ecosystem=ecosystem.strip(),
        name=name.strip(),
        purl=purl,
        ranges=ranges,
        versions=tuple(v.strip() for v in versions),
        severity=_severity(value.get("severity"), f"{where}.severity"),
        ecosystem_specific=_mapping(value.get("ecosystem_specific"), f"{where}.ecosystem_specific"),
        database_specific=_mapping(value.get("database_specific"), f"{where}.database_specific"),
    )


def parse_record(data: Any) -> Record:
    """Validate one decoded OSV record and turn it into a ``Record``."""
    if not isinstance(data, dict):
        raise InvalidRecord("an OSV record must be a JSON object")
    ident = _str(data.get("id"), "id")
    modified = _str(data.get("modified"), "modified")
    assert ident is not None and modified is not None
    raw_affected = data.get("affected") or []
    if not isinstance(raw_affected, list):
        raise InvalidRecord("affected must be a list")
    affected = []
    for i, entry in enumerate(raw_affected):
        parsed = _affected(entry, f"affected[{i}]")
        if parsed is not None:
            affected.append(parsed)
    summary = data.get("summary")
    if not isinstance(summary, str):
        details = data.get("details")
        summary = (
            details.strip().splitlines()[0] if isinstance(details, str) and details.strip() else ""
        )
    return Record(
        id=ident.strip(),
        modified=modified,
        published=_str(data.get("published"), "published", required=False),
        withdrawn=_str(data.get("withdrawn"), "withdrawn", required=False),
        summary=summary.strip(),
        aliases=_str_list(data.get("aliases"), "aliases"),
        upstream=_str_list(data.get("upstream"), "upstream"),
        related=_str_list(data.get("related"), "related"),
        severity=_severity(data.get("severity"), "severity"),
        affected=tuple(affected),
        database_specific=_mapping(data.get("database_specific"), "database_specific"),
    )


def affected_to_json(aff: Affected) -> dict[str, Any]:
    """The compact stored form of an ``Affected`` (inverse of ``affected_from_json``)."""
    out: dict[str, Any] = {"ecosystem": aff.ecosystem, "name": aff.name}
    if aff.purl:
        out["purl"] = aff.purl
    if aff.ranges:
        out["ranges"] = [
            {"type": r.type, "repo": r.repo, "events": [[e.kind, e.version] for e in r.events]}
            for r in aff.ranges
        ]
    if aff.versions:
        out["versions"] = list(aff.versions)
    if aff.severity:
        out["severity"] = [[s.type, s.score] for s in aff.severity]
    if aff.ecosystem_specific:
        out["ecosystem_specific"] = dict(aff.ecosystem_specific)
    return out


def affected_from_json(data: Mapping[str, Any]) -> Affected:
    """Rebuild an ``Affected`` from its stored form."""
    return Affected(
        ecosystem=data["ecosystem"],
        name=data["name"],
        purl=data.get("purl"),
        ranges=tuple(
            Range(r["type"], tuple(Event(k, v) for k, v in r["events"]), r.get("repo"))
            for r in data.get("ranges", ())
        ),
        versions=tuple(data.get("versions", ())),
        severity=tuple(SeverityScore(t, s) for t, s in data.get("severity", ())),
        ecosystem_specific=data.get("ecosystem_specific", {}),
    )
