"""The Debian Security Tracker JSON converts to OSV records that match like DEBIAN-CVE ones."""

from __future__ import annotations

from pathlib import Path

from osv_records import NOW

from seawall.model.finding import Severity
from seawall.model.package import Package
from seawall.vuln.db import VulnDB
from seawall.vuln.importer import import_paths
from seawall.vuln.match import match_packages
from seawall.vuln.tracker import convert, is_tracker


def apparmor(version: str, release: str = "12") -> Package:
    return Package("apparmor", version, f"Debian:{release}", f"pkg:deb/debian/apparmor@{version}")


def test_tracker_sample_imports_and_matches(tmp_path: Path, osv_corpus: Path) -> None:
    sample = osv_corpus / "debian-tracker-sample"
    stats = import_paths(tmp_path / "v.db", [sample], now=NOW)
    # CVE-2014-1424 is "fixed_version 0" (never affected) everywhere: no record.
    assert (stats.records, stats.skipped) == (2, 0)
    with VulnDB.open(tmp_path / "v.db") as db:
        current = {m.id: m for m in match_packages(db, [apparmor("3.0.8-3")])}
        old = {m.id: m for m in match_packages(db, [apparmor("2.10-1")])}
        trixie_fixed = match_packages(db, [apparmor("3.0.12-1", "13")])
    # Open in bookworm: affected, no fix, Debian urgency "unimportant" = LOW.
    assert sorted(current) == ["CVE-2016-1585"]
    issue = current["CVE-2016-1585"]
    assert issue.record_ids == ("DEBIAN-CVE-2016-1585",) and issue.fix_state == "not-fixed"
    assert (issue.rating.severity, issue.rating.source) == (Severity.LOW, "debian-urgency")
    # Below 2.11.0-3 both apply; the "not yet assigned" urgency leaves the severity unknown.
    assert sorted(old) == ["CVE-2016-1585", "CVE-2017-6507"]
    assert old["CVE-2017-6507"].rating.severity is None
    assert old["CVE-2017-6507"].fixed_version == "2.11.0-3"
    assert trixie_fixed == []


def test_shape_detection() -> None:
    assert not is_tracker({"id": "X", "modified": "2026-01-01T00:00:00Z"})
    assert not is_tracker({"pkg": {"CVE-1": {"description": "no releases"}}})
    tracker = {
        "pkg": {
            "TEMP-0000000-ABCDEF": {
                "releases": {"sid": {"status": "open"}, "bookworm": {"status": "open"}}
            }
        }
    }
    assert is_tracker(tracker)
    (rec,) = convert(tracker, "2026-01-01T00:00:00Z")
    assert rec["id"] == "DEBIAN-TEMP-0000000-ABCDEF" and rec["upstream"] == []
    assert [a["package"]["ecosystem"] for a in rec["affected"]] == ["Debian:12"]
