"""End to end: a real Debian image, a database naming its packages, the gate as dates change."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from osv_records import NOW, pkg, record

from seawall.model.package import Package
from seawall.vuln.db import VulnDB
from seawall.vuln.exceptions import parse_exceptions
from seawall.vuln.importer import import_paths
from seawall.vuln.ledger import Ledger
from seawall.vuln.match import match_packages
from seawall.vuln.policy import evaluate
from seawall.vuln.rules import findings_from_policy
from seawall.vuln.vex import add_vulnerabilities

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def debian_packages(dockerd: Any, debian_image: str) -> tuple[Package, ...]:
    from seawall.image.load import load_image

    image = load_image(f"daemon:{debian_image}", daemon=dockerd.client())
    assert image.inventory is not None
    return image.inventory.packages


def _source(packages: tuple[Package, ...], binary: str) -> tuple[str, str]:
    found = next(p for p in packages if p.name == binary)
    return found.source_name or found.name, found.source_version or found.version


def test_gate_fails_and_passes_as_exceptions_and_dates_change(
    debian_packages: tuple[Package, ...], tmp_path: Path
) -> None:
    assert {p.ecosystem for p in debian_packages if p.purl.startswith("pkg:deb/")} == {"Debian:12"}
    bash_src, bash_ver = _source(debian_packages, "bash")
    core_src, _ = _source(debian_packages, "coreutils")
    dpkg_src, dpkg_ver = _source(debian_packages, "dpkg")
    high = {"urgency": "high"}
    medium = {"urgency": "medium"}
    bash_fix = bash_ver + "+deb12u99"
    bash_entry = pkg("Debian:12", bash_src, ("introduced", "0"), ("fixed", bash_fix))
    bash_entry["ecosystem_specific"] = high
    records = [
        # A HIGH advisory fixed after the installed bash: blocks.
        record(
            "DEBIAN-CVE-2099-1000",
            [
                pkg(
                    "Debian:12",
                    bash_src,
                    ("introduced", "0"),
                    ("fixed", bash_fix),
                    ecosystem_specific=high,
                )
            ],
            upstream=["CVE-2099-1000"],
        ),
        # A MEDIUM advisory with no fix yet for coreutils: 30-day deadline.
        record(
            "DEBIAN-CVE-2099-2000",
            [pkg("Debian:12", core_src, ("introduced", "0"), ecosystem_specific=medium)],
            upstream=["CVE-2099-2000"],
        ),
        # Fixed exactly at the installed dpkg version: not affected.
        record(
            "DSA-9000-1",
            [pkg("Debian:12", dpkg_src, ("introduced", "0"), ("fixed", dpkg_ver))],
            aliases=["CVE-2099-3000"],
        ),
        # Another release: not affected.
        record(
            "DSA-9001-1",
            [pkg("Debian:11", bash_src, ("introduced", "0"), ("fixed", "99:0"))],
            aliases=["CVE-2099-4000"],
        ),
    ]
    folder = tmp_path / "osv"
    folder.mkdir()
    for rec in records:
        (folder / f"{rec['id']}.json").write_text(json.dumps(rec))
    import_paths(tmp_path / "v.db", [folder], now=NOW)
    with VulnDB.open(tmp_path / "v.db") as db:
        matches = match_packages(db, debian_packages)
    found = {(m.id, m.matched_name) for m in matches}
    assert found == {("CVE-2099-1000", bash_src), ("CVE-2099-2000", core_src)}
    bash_match = next(m for m in matches if m.id == "CVE-2099-1000")
    assert bash_match.fixed_version == bash_fix

    # 1. No exceptions: the HIGH blocks.
    result = evaluate(matches, Ledger(), (), TODAY)
    assert not result.passed
    assert {f.rule_id for f in findings_from_policy(result, "debian:test")} == {
        "VULN001",
        "VULN006",
    }

    # 2. A documented exception for the HIGH: passes; the MEDIUM is due in 30 days.
    exceptions = parse_exceptions(
        {"exceptions": [{"id": "CVE-2099-1000", "package": bash_src, "reason": "not reachable",
                         "owner": "platform", "expires": "2026-12-31", "vex": "not_affected"}]},
        "exceptions.yaml",
    )  # fmt: skip
    ledger = Ledger().updated(matches, TODAY)
    result = evaluate(matches, ledger, exceptions, TODAY)
    assert result.passed

    # 3. 31 days later the MEDIUM is overdue: fails again.
    later = TODAY + timedelta(days=31)
    result = evaluate(matches, ledger, exceptions, later)
    assert not result.passed
    assert {f.rule_id for f in findings_from_policy(result, "debian:test")} == {"VULN002"}

    # 4. After the exception expires the HIGH is reported as an expired exception.
    result = evaluate(matches, ledger.updated(matches, later), exceptions, date(2027, 1, 2))
    assert "VULN003" in {f.rule_id for f in findings_from_policy(result, "debian:test")}
    assert not result.passed

    # VEX: the exception becomes a CycloneDX analysis on the bash component.
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": []}
    enriched = add_vulnerabilities(bom, matches, evaluate(matches, ledger, exceptions, TODAY))
    states = {v["id"]: v.get("analysis", {}).get("state") for v in enriched["vulnerabilities"]}
    assert states["CVE-2099-1000"] == "not_affected"
