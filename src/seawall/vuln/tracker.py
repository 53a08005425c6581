"""Convert the Debian Security Tracker JSON into OSV records, so it can be imported offline.

Shape: ``{source_package: {CVE-or-TEMP-id: {description, releases: {codename: {status,
fixed_version, urgency, ...}}}}}``. For each id one record ``DEBIAN-<id>`` is made (the name OSV
uses for its own conversion), with ``upstream: [CVE]`` and one affected entry per package and
release: ``resolved`` with a fixed version → ``introduced 0, fixed X``; ``open`` → ``introduced
0`` (no fix yet); ``resolved`` with ``fixed_version "0"`` (never affected), ``undetermined``, and
releases without a number (``sid``) are left out. The release urgency becomes
``ecosystem_specific.urgency``, which severity resolution uses first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# Debian codenames → release numbers (OSV ecosystems are Debian:<number>).
CODENAMES = {
    "wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
    "bookworm": "12", "trixie": "13", "forky": "14", "duke": "15",
}  # fmt: skip


def is_tracker(data: Any) -> bool:
    """Whether a decoded JSON document has the Security Tracker's shape."""
    if not isinstance(data, dict) or not data or "id" in data:
        return False
    first = next(iter(data.values()))
    if not isinstance(first, dict) or not first:
        return False
    entry = next(iter(first.values()))
    return isinstance(entry, dict) and isinstance(entry.get("releases"), dict)


def _affected(package: str, releases: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for codename, info in sorted(releases.items()):
        number = CODENAMES.get(codename)
        if number is None or not isinstance(info, dict):
            continue
        status, fixed = info.get("status"), info.get("fixed_version")
        if status == "resolved" and isinstance(fixed, str) and fixed and fixed != "0":
            events: list[dict[str, str]] = [{"introduced": "0"}, {"fixed": fixed}]
        elif status == "open":
            events = [{"introduced": "0"}]
        else:
            continue
        entry: dict[str, Any] = {
            "package": {"ecosystem": f"Debian:{number}", "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
        }
        urgency = info.get("urgency")
        if isinstance(urgency, str) and urgency:
            entry["ecosystem_specific"] = {"urgency": urgency}
        yield entry


def convert(data: Mapping[str, Any], modified: str) -> Iterator[dict[str, Any]]:
    """OSV records for every id in a tracker document (``modified`` stamps them)."""
    by_id: dict[str, dict[str, Any]] = {}
    for package, issues in sorted(data.items()):
        if not isinstance(issues, dict):
            continue
        for ident, issue in sorted(issues.items()):
            if not isinstance(issue, dict) or not isinstance(issue.get("releases"), dict):
                continue
            entries = list(_affected(package, issue["releases"]))
            if not entries:
                continue
            rec = by_id.setdefault(
                ident,
                {
                    "id": f"DEBIAN-{ident}",
                    "modified": modified,
                    "summary": str(issue.get("description") or "")[:500],
                    "upstream": [ident] if ident.startswith("CVE-") else [],
                    "affected": [],
                },
            )
            rec["affected"].extend(entries)
    yield from by_id.values()
