"""``seawall audit --vulns``: images of running containers go through the CVE gate of
``seawall image --vulns`` (same options, same policy), on a real daemon and a real Debian image."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.daemon import LABEL, DockerDaemon
from seawall.cli import main

HIGH = {"urgency": "high"}
MEDIUM = {"urgency": "medium"}
IMAGE_TARGET = "image/seawall-test/debian:bookworm"


def osv_record(ident: str, source: str, events: list[dict[str, str]], urgency: Any) -> Any:
    return {
        "id": f"DEBIAN-{ident}",
        "modified": "2026-01-01T00:00:00Z",
        "upstream": [ident],
        "affected": [
            {
                "package": {"ecosystem": "Debian:12", "name": source},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "ecosystem_specific": urgency,
            }
        ],
    }


@pytest.fixture(scope="module")
def vuln_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built by ``seawall db import``: bash HIGH with a fix, coreutils MEDIUM without."""
    folder = tmp_path_factory.mktemp("osv")
    records = [
        osv_record("CVE-2099-1000", "bash", [{"introduced": "0"}, {"fixed": "99:0"}], HIGH),
        osv_record("CVE-2099-2000", "coreutils", [{"introduced": "0"}], MEDIUM),
    ]
    for rec in records:
        (folder / f"{rec['id']}.json").write_text(json.dumps(rec))
    db = folder / "vuln.db"
    assert main(["db", "import", str(folder), "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def debian_running(dockerd: DockerDaemon, debian_image: str) -> Iterator[str]:
    name = "swaudit-vulns"
    dockerd.run_cli("rm", "-f", name, check=False)
    dockerd.run_cli("run", "-d", "--name", name, "--label", f"{LABEL}=audit",
                    "--network", "none", debian_image, "sleep", "900")  # fmt: skip
    try:
        yield name
    finally:
        dockerd.run_cli("rm", "-f", name, check=False)


def audit(
    dockerd: DockerDaemon, monkeypatch: pytest.MonkeyPatch, out: Path, *args: str
) -> tuple[int, dict[str, list[str]]]:
    monkeypatch.setenv("DOCKER_HOST", dockerd.docker_host)
    code = main(["audit", "--no-host", "--no-config", "--select", "VULN", "--vulns",
                 "--format", "json", "--output", str(out), *args])  # fmt: skip
    found: dict[str, list[str]] = {}
    for finding in json.loads(out.read_text())["findings"]:
        if finding["path"] == IMAGE_TARGET:
            found.setdefault(finding["code"], []).append(finding["message"])
    return code, found


def test_images_of_running_containers_pass_through_the_cve_gate(
    dockerd: DockerDaemon,
    debian_running: str,
    vuln_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ledger = tmp_path / "ledger.json"
    common = ("--db", str(vuln_db), "--ledger", str(ledger))
    code, found = audit(dockerd, monkeypatch, tmp_path / "a.json", *common, "--today", "2026-11-22")
    assert code == 1  # HIGH with a fix available blocks
    assert [m.split()[0] for m in found["VULN001"]] == ["CVE-2099-1000"]
    assert [m.split()[0] for m in found["VULN006"]] == ["CVE-2099-2000"]  # due in 30 days
    entries = json.loads(ledger.read_text())["entries"]
    assert {(e["id"], e["first_seen"]) for e in entries} == {
        ("CVE-2099-1000", "2026-11-22"),
        ("CVE-2099-2000", "2026-11-22"),
    }

    exceptions = tmp_path / "exceptions.yaml"
    exceptions.write_text(
        "exceptions:\n  - id: CVE-2099-1000\n    package: bash\n"
        "    reason: the vulnerable builtin is never run\n    owner: platform-team\n"
        "    expires: 2027-06-30\n"
    )
    with_exception = (*common, "--exceptions", str(exceptions))
    code, found = audit(
        dockerd, monkeypatch, tmp_path / "b.json", *with_exception, "--today", "2026-12-01"
    )
    assert code == 0, found  # the medium is within its deadline, the high is excepted
    assert "VULN001" not in found


def test_vulnerability_options_are_checked_before_contacting_the_daemon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    assert main(["audit", "--db", str(tmp_path / "vuln.db")]) == 2
    assert capsys.readouterr().err == (
        "seawall: error: vulnerability options (--db, --ledger, ...) need --vulns\n"
    )
    assert main(["audit", "--vulns", "--no-containers"]) == 2
    assert "drop --no-containers" in capsys.readouterr().err
    assert main(["audit", "--vulns", "--today", "yesterday"]) == 2
    assert "--today: 'yesterday' is not a date" in capsys.readouterr().err


def test_missing_database_fails_first_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Checked before connecting: the absent daemon is never reached.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    missing = tmp_path / "none.db"
    code = main(["audit", "--no-host", "--no-config", "--vulns", "--db", str(missing)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("seawall: error: ") and str(missing) in err[0]
