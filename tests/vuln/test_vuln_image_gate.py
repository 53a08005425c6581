"""End to end through the CLI: a real Debian image, a database naming its packages, the gate.

The image is the session's ``debian_image`` (debootstrap minbase + python3) saved once as a
docker-save tar; the OSV records are written for source packages really in it, so the matching,
the policy (exceptions, ledger, dates via ``--today``), every output format and the VEX-enriched
SBOM are exercised on real data.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from osv_records import pkg, record

from seawall.cli import main
from seawall.model.package import Package

TODAY = date(2026, 11, 22)
HIGH = {"urgency": "high"}
MEDIUM = {"urgency": "medium"}


@pytest.fixture(scope="module")
def debian_tar(dockerd: Any, debian_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Debian test image as a docker-save archive (loaded by each CLI run without a daemon)."""
    tar = tmp_path_factory.mktemp("debian") / "debian.tar"
    dockerd.run_cli("save", "-o", str(tar), debian_image)
    return tar


@pytest.fixture(scope="module")
def debian_packages(debian_tar: Path) -> tuple[Package, ...]:
    from seawall.image.load import load_image

    return load_image(str(debian_tar)).inventory.packages


def _source(packages: tuple[Package, ...], binary: str) -> tuple[str, str]:
    found = next(p for p in packages if p.name == binary)
    return found.source_name or found.name, found.source_version or found.version


@pytest.fixture(scope="module")
def gate(debian_tar: Path, debian_packages: tuple[Package, ...], tmp_path_factory: Any) -> Any:
    """A database imported through ``seawall db import`` from records naming the image's packages."""
    assert {p.ecosystem for p in debian_packages if p.purl.startswith("pkg:deb/")} == {"Debian:12"}
    bash_src, bash_ver = _source(debian_packages, "bash")
    core_src, _ = _source(debian_packages, "coreutils")
    dpkg_src, dpkg_ver = _source(debian_packages, "dpkg")
    bash_fix = bash_ver + "+deb12u99"  # above the installed version in dpkg order
    records = [
        # HIGH, fixed after the installed bash: blocks.
        record(
            "DEBIAN-CVE-2099-1000",
            [pkg("Debian:12", bash_src, ("introduced", "0"), ("fixed", bash_fix),
                 ecosystem_specific=HIGH)],
            upstream=["CVE-2099-1000"],
        ),
        # MEDIUM with no fix yet in coreutils: a 30-day deadline.
        record(
            "DEBIAN-CVE-2099-2000",
            [pkg("Debian:12", core_src, ("introduced", "0"), ecosystem_specific=MEDIUM)],
            upstream=["CVE-2099-2000"],
        ),
        # Fixed exactly at the installed dpkg version: not affected.
        record(
            "DSA-9000-1",
            [pkg("Debian:12", dpkg_src, ("introduced", "0"), ("fixed", dpkg_ver))],
            aliases=["CVE-2099-3000"],
        ),
        # Another Debian release: not affected.
        record(
            "DSA-9001-1",
            [pkg("Debian:11", bash_src, ("introduced", "0"), ("fixed", "99:0"))],
            aliases=["CVE-2099-4000"],
        ),
    ]  # fmt: skip
    root = tmp_path_factory.mktemp("gate")
    folder = root / "osv"
    folder.mkdir()
    for rec in records:
        (folder / f"{rec['id']}.json").write_text(json.dumps(rec))
    db = root / "vuln.db"
    assert main(["db", "import", str(folder), "--db", str(db)]) == 0
    exceptions = root / "exceptions.yaml"
    exceptions.write_text(
        "exceptions:\n"
        "  - id: CVE-2099-1000\n"
        f"    package: {bash_src}\n"
        "    reason: the vulnerable builtin is never run\n"
        "    owner: platform-team\n"
        "    expires: 2026-12-31\n"
        "    vex: not_affected\n"
        "    justification: code_not_reachable\n"
    )
    return {"tar": str(debian_tar), "db": str(db), "exceptions": str(exceptions),
            "bash": bash_src, "bash_fix": bash_fix, "coreutils": core_src}  # fmt: skip


def _scan(
    gate: dict[str, Any], tmp_path: Path, *extra: str, today: date = TODAY
) -> tuple[int, Any]:
    out = tmp_path / "report.json"
    code = main(
        ["image", gate["tar"], "--no-config", "--select", "VULN", "--vulns", "--db", gate["db"],
         "--today", today.isoformat(), "--format", "json", "-o", str(out), *extra]
    )  # fmt: skip
    return code, json.loads(out.read_text())


def _codes(document: Any) -> list[str]:
    return sorted(f["code"] for f in document["findings"])


def test_gate_fails_and_passes_as_exceptions_and_dates_change(
    gate: dict[str, Any], tmp_path: Path
) -> None:
    # 1. No exception: the HIGH in bash blocks; the MEDIUM in coreutils is due in 30 days.
    code, doc = _scan(gate, tmp_path)
    assert code == 1
    assert _codes(doc) == ["VULN001", "VULN006"]
    blocked = next(f for f in doc["findings"] if f["code"] == "VULN001")
    assert blocked["severity"] == "high" and blocked["path"] == gate["tar"]
    assert (
        "CVE-2099-1000" in blocked["message"]
        and f"fixed in {gate['bash_fix']}" in (blocked["message"])
    )
    due = next(f for f in doc["findings"] if f["code"] == "VULN006")
    assert "CVE-2099-2000" in due["message"] and "no fixed version" in due["message"]
    assert f"due {(TODAY + timedelta(days=30)).isoformat()}" in due["message"]

    # 2. A documented exception for the HIGH, and a ledger: passes; the ledger records both.
    ledger = tmp_path / "ledger.json"
    args = ("--exceptions", gate["exceptions"], "--ledger", str(ledger))
    code, doc = _scan(gate, tmp_path, *args)
    assert code == 0
    assert _codes(doc) == ["VULN006"]
    entries = json.loads(ledger.read_text())["entries"]
    assert {(e["id"], e["first_seen"]) for e in entries} == {
        ("CVE-2099-1000", TODAY.isoformat()),
        ("CVE-2099-2000", TODAY.isoformat()),
    }

    # 3. Day 30 is still within the deadline; day 31 the MEDIUM is overdue and fails the gate.
    code, doc = _scan(gate, tmp_path, *args, today=TODAY + timedelta(days=30))
    assert (code, _codes(doc)) == (0, ["VULN006"])
    code, doc = _scan(gate, tmp_path, *args, today=TODAY + timedelta(days=31))
    assert (code, _codes(doc)) == (1, ["VULN002"])
    assert f"first seen {TODAY.isoformat()}" in doc["findings"][0]["message"]

    # 4. After the exception expires the HIGH is reported as an expired exception and blocks.
    code, doc = _scan(gate, tmp_path, *args, today=date(2027, 1, 2))
    assert code == 1
    assert _codes(doc) == ["VULN002", "VULN003"]
    expired = next(f for f in doc["findings"] if f["code"] == "VULN003")
    assert "owner platform-team" in expired["message"] and "blocks again" in expired["message"]

    # The ledger kept the first-seen dates (nothing restarted the clock).
    entries = json.loads(ledger.read_text())["entries"]
    assert {e["first_seen"] for e in entries} == {TODAY.isoformat()}


def test_vulnerabilities_join_the_image_audit_in_every_format(
    gate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["image", gate["tar"], "--no-config", "--vulns", "--db", gate["db"],
            "--today", TODAY.isoformat()]  # fmt: skip
    assert main([*base, "--format", "text", "--no-color"]) == 1
    text = capsys.readouterr().out
    assert "VULN001" in text and "CVE-2099-1000" in text and "IMG" in text
    sarif_path = tmp_path / "r.sarif"
    assert main([*base, "--format", "sarif", "-o", str(sarif_path)]) == 1
    sarif = json.loads(sarif_path.read_text())
    run = sarif["runs"][0]
    results = {r["ruleId"] for r in run["results"]}
    assert {"VULN001", "VULN006"} <= results and any(r.startswith("IMG") for r in results)
    described = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"VULN001", "VULN006"} <= described
    junit_path = tmp_path / "r.xml"
    assert main([*base, "--format", "junit", "-o", str(junit_path)]) == 1
    assert "VULN001" in junit_path.read_text()
    # The gate decides for VULN findings; --fail-on for the image audit's own findings.
    assert main([*base, "--exceptions", gate["exceptions"], "--fail-on", "critical",
                 "-o", str(tmp_path / "x.txt")]) == 0  # fmt: skip


def test_sbom_carries_vulnerabilities_and_exception_analysis(
    gate: dict[str, Any], tmp_path: Path
) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    bom_path = tmp_path / "bom.json"
    argv = ["image", gate["tar"], "--no-config", "--sbom", "cyclonedx", "--vulns",
            "--db", gate["db"], "--today", TODAY.isoformat(), "-o", str(bom_path)]  # fmt: skip
    assert main(argv) == 1  # the HIGH blocks; the SBOM is written all the same
    assert main([*argv, "--exceptions", gate["exceptions"]]) == 0
    text = bom_path.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    vulns = {v["id"]: v for v in bom["vulnerabilities"]}
    assert set(vulns) == {"CVE-2099-1000", "CVE-2099-2000"}
    bash = vulns["CVE-2099-1000"]
    assert bash["analysis"]["state"] == "not_affected"
    assert bash["analysis"]["justification"] == "code_not_reachable"
    assert "platform-team" in bash["analysis"]["detail"]
    assert bash["recommendation"] == f"Upgrade {gate['bash']} to {gate['bash_fix']} or later"
    refs = {c["bom-ref"] for c in bom["components"]}
    assert all(a["ref"] in refs for v in bom["vulnerabilities"] for a in v["affects"])
    props = {p["name"]: p["value"] for p in vulns["CVE-2099-2000"]["properties"]}
    assert props["seawall:policy"] == "due" and props["seawall:fix-state"] == "not-fixed"


def test_configuration_table_and_bad_input(
    gate: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / ".seawall.toml"
    config.write_text(
        'select = ["VULN"]\n[vulns]\n'
        f'db = "{gate["db"]}"\nexceptions = "{gate["exceptions"]}"\nledger = "ledger.json"\n'
        "deadlines = {medium = 10}\n"
    )
    out = tmp_path / "r.json"
    argv = ["image", gate["tar"], "--config", str(config), "--vulns", "-F", "json", "-o", str(out)]
    assert main([*argv, "--today", TODAY.isoformat()]) == 0
    assert (tmp_path / "ledger.json").is_file()  # relative to the configuration file
    capsys.readouterr()
    # A database older than the maximum age is refused (one line, exit 2) unless allowed.
    stale = [*argv, "--max-age-days", "0"]
    assert main(stale) == 2
    assert "days old" in capsys.readouterr().err
    later = (TODAY + timedelta(days=11)).isoformat()  # past the configured 10-day deadline
    assert main([*stale, "--allow-stale", "--today", later]) == 1
    assert [f["code"] for f in json.loads(out.read_text())["findings"]] == ["VULN002"]
    # Bad input: one line, exit 2, before the image is read.
    bad = tmp_path / "bad.toml"
    bad.write_text("[vulns]\nmax-age = 3\n")
    assert main(["image", gate["tar"], "--config", str(bad), "--vulns"]) == 2
    assert "unknown vulns key(s): max-age" in capsys.readouterr().err
    assert main(["image", gate["tar"], "--no-config", "--ledger", "x.json"]) == 2
    assert "need --vulns" in capsys.readouterr().err
    assert main([*argv, "--today", "tomorrow"]) == 2
    assert "--today" in capsys.readouterr().err
    missing = ["image", gate["tar"], "--no-config", "--vulns", "--db", str(tmp_path / "no.db")]
    assert main(missing) == 2
    err = capsys.readouterr().err
    assert err.startswith("seawall: error:") and "seawall db import" in err
