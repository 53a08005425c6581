"""The one-call facade commands use, and policy settings from configuration."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seawall.errors import ConfigError
from seawall.model.finding import Severity
from seawall.model.package import Package
from seawall.vuln.errors import StaleDatabaseError
from seawall.vuln.ledger import load_ledger
from seawall.vuln.policy import PolicySettings, settings_from_mapping
from seawall.vuln.scan import scan_packages

AIOHTTP = Package("aiohttp", "3.8.0", "PyPI", "pkg:pypi/aiohttp@3.8.0")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a day after the corpus db was built
TODAY = NOW.date()


def test_scan_with_ledger_and_exceptions(corpus_db: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    scan = scan_packages(
        [AIOHTTP], "app:1", db_path=corpus_db, ledger_path=ledger, update_ledger=True, now=NOW
    )
    assert scan.passed  # MEDIUM, new today
    assert [f.rule_id for f in scan.findings] == ["VULN006"]
    assert load_ledger(ledger).first_seen("CVE-2023-49081", "pkg:pypi/aiohttp") == TODAY
    later = NOW + timedelta(days=40)
    scan = scan_packages(
        [AIOHTTP], "app:1", db_path=corpus_db, ledger_path=ledger, now=later, allow_stale=True
    )
    assert not scan.passed and [f.rule_id for f in scan.findings] == ["VULN002"]
    exceptions = tmp_path / "exceptions.toml"
    exceptions.write_text(
        '[[exceptions]]\nid = "PYSEC-2023-250"\nreason = "client only"\nowner = "web"\n'
        "expires = 2027-06-30\n"
    )
    scan = scan_packages(
        [AIOHTTP], "app:1", db_path=corpus_db, ledger_path=ledger, exceptions_path=exceptions,
        now=later, allow_stale=True,
    )  # fmt: skip
    assert scan.passed and scan.findings == ()


def test_scan_refuses_a_stale_database(corpus_db: Path) -> None:
    with pytest.raises(StaleDatabaseError):
        scan_packages([AIOHTTP], "app:1", db_path=corpus_db, now=NOW, max_age=timedelta(0))


def test_settings_from_mapping() -> None:
    settings = settings_from_mapping(
        {"block": ["critical"], "deadlines": {"high": 7, "medium": 30}, "unknown_as": "Medium",
         "block_unfixed": False, "expiry_warning_days": 3}
    )  # fmt: skip
    assert settings == PolicySettings(
        block=frozenset({Severity.CRITICAL}),
        deadlines={Severity.HIGH: 7, Severity.MEDIUM: 30},
        unknown_as="medium",
        block_unfixed=False,
        expiry_warning_days=3,
    )
    assert settings_from_mapping({}) == PolicySettings()


@pytest.mark.parametrize(
    "data",
    [{"blok": []}, {"block": "high"}, {"block": ["severe"]}, {"deadlines": {"medium": -1}},
     {"deadlines": {"medium": "30d"}}, {"unknown_as": "maybe"}, {"block_unfixed": "yes"}],
)  # fmt: skip
def test_bad_settings_are_config_errors(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        settings_from_mapping(data)


def test_hand_made_fixtures_are_schema_valid(osv_corpus: Path) -> None:
    """The records the tests write follow the OSV schema, like real ones."""
    import jsonschema
    from osv_records import pkg, record

    schema = json.loads((osv_corpus / "osv-schema" / "schema.json").read_text())
    samples = [
        record("GHSA-aaaa-bbbb-cccc", [pkg("npm", "lib", ("introduced", "0"), ("fixed", "1.0.0"))]),
        record(
            "DSA-9999-1", [pkg("Debian:12", "foo", ("introduced", "0"))], aliases=["CVE-2099-1"]
        ),
    ]
    for sample in samples:
        jsonschema.validate(sample, schema)
