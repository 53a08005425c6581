"""The [tool.seawall.vulns] table, command-line overrides, the gate's exit code, the audit API."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import pytest
from test_vuln_scan import AIOHTTP, NOW

from seawall.config import Config, parse_config
from seawall.errors import ConfigError
from seawall.model.finding import Finding, Location, Report, Severity
from seawall.vuln.errors import CorruptDatabaseError
from seawall.vuln.importer import import_paths
from seawall.vuln.options import gate_exit_code, policy_today, vuln_settings
from seawall.vuln.scan import scan_image_packages
from seawall.vuln.settings import VulnSettings, parse_vuln_table


def test_table_paths_are_relative_to_the_configuration(tmp_path: Path) -> None:
    config = parse_config(
        {"vulns": {"db": "v.db", "ledger": "sec/ledger.json", "exceptions": "sec/exc.yaml",
                   "max-age-days": 2.5, "update-ledger": False, "deadlines": {"medium": 10},
                   "unknown-as": "high", "base-url": "http://mirror.test/osv",
                   "ecosystems": ["Debian"]}},
        tmp_path / ".seawall.toml",
    )  # fmt: skip
    assert config.vulns == VulnSettings(
        db=tmp_path / "v.db",
        max_age=timedelta(days=2.5),
        ledger=tmp_path / "sec" / "ledger.json",
        update_ledger=False,
        exceptions=tmp_path / "sec" / "exc.yaml",
        policy={"deadlines": {"medium": 10}, "unknown_as": "high"},
        base_url="http://mirror.test/osv",
        ecosystems=("Debian",),
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"max-age": 3}, "unknown vulns key(s): max-age"),
        ({"max-age-days": -1}, "max-age-days"),
        ({"max-age-days": True}, "max-age-days"),
        ({"db": 3}, "vulns.db must be a path"),
        ({"update-ledger": "yes"}, "update-ledger"),
        ({"deadlines": {"medium": "soon"}}, "whole number of days"),
        ({"block": ["urgent"]}, "unknown severity"),
        ({"base-url": "ftp://x"}, "base-url"),
        ({"ecosystems": []}, "ecosystems"),
        ("db=x", "must be a table"),
    ],
)
def test_bad_tables_are_config_errors(table: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_vuln_table(table, Path("/p"))


def _args(**given: object) -> argparse.Namespace:
    names = ("db", "max_age_days", "ledger", "exceptions", "today")
    values: dict[str, object] = dict.fromkeys(names)
    values.update(allow_stale=False, no_ledger_update=False)
    values.update(given)
    return argparse.Namespace(**values)


def test_command_line_overrides_the_table(tmp_path: Path) -> None:
    config = Config(vulns=VulnSettings(db=tmp_path / "a.db", ledger=tmp_path / "l.json"))
    settings = vuln_settings(
        _args(db=tmp_path / "b.db", max_age_days=1.0, allow_stale=True, no_ledger_update=True),
        config,
    )
    assert settings.db == tmp_path / "b.db" and settings.ledger == tmp_path / "l.json"
    assert settings.max_age == timedelta(days=1) and settings.allow_stale
    assert not settings.update_ledger
    assert vuln_settings(_args(), Config()) == VulnSettings()
    assert policy_today(_args(today="2026-11-30")).isoformat() == "2026-11-30"  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="--today"):
        policy_today(_args(today="30/11/2026"))


def _finding(rule: str, severity: Severity, anchor: str) -> Finding:
    return Finding(rule, rule.lower(), "m", Location("img"), severity, "img", anchor)


def test_the_policy_decides_for_vuln_findings_fail_on_for_the_rest() -> None:
    config = Config()  # fail-on low
    due = _finding("VULN006", Severity.INFO, "a")
    unverified = _finding("VULN005", Severity.LOW, "b")
    blocked = _finding("VULN001", Severity.HIGH, "c")
    img = _finding("IMG001", Severity.MEDIUM, "d")
    blocking = frozenset({("VULN001", "c")})
    assert gate_exit_code(Report(findings=[due, unverified]), config, blocking, False) == 0
    assert gate_exit_code(Report(findings=[due, blocked]), config, blocking, False) == 1
    assert gate_exit_code(Report(findings=[blocked]), config, blocking, True) == 0
    assert gate_exit_code(Report(findings=[img]), config, blocking, False) == 1
    high_only = Config(fail_on=Severity.HIGH)
    assert gate_exit_code(Report(findings=[img, unverified]), high_only, blocking, False) == 0
    # A blocking finding dropped by a baseline no longer fails the gate.
    assert gate_exit_code(Report(findings=[due]), config, blocking, False) == 0


def test_scan_image_packages_is_a_report_for_the_audit(corpus_db: Path) -> None:
    settings = VulnSettings(db=corpus_db, max_age=timedelta(days=30))
    report = scan_image_packages([AIOHTTP], "container web-1", settings, now=NOW)
    assert [f.rule_id for f in report.findings] == ["VULN006"]
    assert report.targets == ["container web-1"] and set(report.rules) == {"VULN006"}
    finding = report.findings[0]
    assert finding.location.path == "container web-1"
    assert finding.location.pointer == "/packages/pkg:pypi~1aiohttp@3.8.0"
    # With a configuration: its vulns table, rule selection and severity overrides apply.
    config = Config(vulns=settings, severity_overrides={"VULN006": Severity.LOW})
    report = scan_image_packages([AIOHTTP], "c", config=config, now=NOW)
    assert [(f.rule_id, f.severity) for f in report.findings] == [("VULN006", Severity.LOW)]
    ignoring = Config(vulns=settings, ignore=("VULN006",))
    assert scan_image_packages([AIOHTTP], "c", config=ignoring, now=NOW).findings == []


def test_import_into_a_corrupt_database_says_how_to_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    db.write_bytes(b"garbage" * 100)
    record = tmp_path / "r.json"
    record.write_text(
        '{"id": "X-1", "modified": "2026-01-01T00:00:00Z", "affected": '
        '[{"package": {"ecosystem": "PyPI", "name": "a"}, "versions": ["1.0"]}]}'
    )
    with pytest.raises(CorruptDatabaseError, match="--replace"):
        import_paths(db, [record])
    assert db.read_bytes() == b"garbage" * 100
    assert import_paths(db, [record], replace=True).total_records == 1
