"""``seawall audit`` output on a real daemon: every format stays machine-readable with the CIS
summary, and ``--compliance`` lists all 117 controls as text, JSON or JUnit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.daemon import DockerDaemon
from runtime.conftest import Fleet


def audit_cli(daemon: DockerDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DOCKER_HOST=daemon.docker_host)
    return subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", "--no-images", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_json_with_summary_is_one_document_with_the_cis_controls(
    dockerd: DockerDaemon, fleet: Fleet
) -> None:
    proc = audit_cli(dockerd, "--format", "json", "--summary")
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)  # the summary must not be appended as text
    controls = {c["id"]: c for c in document["cis"]["controls"]}
    assert len(controls) == 117
    assert controls["5.5"]["status"] == "fail"  # the created-only privileged container
    assert [r["id"] for r in controls["5.5"]["rules"]] == ["CR001"]
    assert controls["5.5"]["findings"] == 1
    score = document["cis"]["score"]
    assert 0 < score["passed"] < score["judged"]
    assert document["summary"]["findings"] == len(document["findings"])


def test_sarif_and_junit_keep_stdout_clean_and_print_the_summary_on_stderr(
    dockerd: DockerDaemon, fleet: Fleet, tmp_path: Path
) -> None:
    sarif = audit_cli(dockerd, "--format", "sarif", "--summary")
    assert sarif.returncode == 1, sarif.stderr
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert {"CR001", "CR015", "HOST003"} <= {r["ruleId"] for r in results}
    assert "CIS Docker Benchmark v1.6.0" in sarif.stderr
    assert "  FAIL   5.32    Ensure that the Docker socket is not mounted" in sarif.stderr
    report = tmp_path / "audit.xml"
    junit = audit_cli(dockerd, "--format", "junit", "--output", str(report))
    assert junit.returncode == 1, junit.stderr
    assert junit.stdout == ""
    root = ET.parse(report).getroot()
    assert int(root.get("failures", "0")) == len(root.findall(".//failure")) > 30


def test_compliance_as_junit_has_one_testcase_per_control(
    dockerd: DockerDaemon, fleet: Fleet
) -> None:
    proc = audit_cli(dockerd, "--compliance", "cis-docker-1.6", "--format", "junit")
    assert proc.returncode == 1, proc.stderr
    root = ET.fromstring(proc.stdout)
    cases = {c.get("name", "").split()[0]: c for c in root.iter("testcase")}
    assert len(cases) == 117 and root.get("tests") == "117"
    assert [s.get("name") for s in root] == [
        "1 Host Configuration",
        "2 Docker daemon configuration",
        "3 Docker daemon configuration files",
        "4 Container Images and Build File",
        "5 Container Runtime",
        "6 Docker Security Operations",
        "7 Docker Swarm Configuration",
    ]
    failure = cases["5.32"].find("failure")
    assert failure is not None and "CR015" in failure.get("message", "")
    manual = cases["4.2"].find("skipped")
    assert manual is not None and manual.get("message") == "manual"
    assert cases["5.1"].find("failure") is None and cases["5.1"].find("skipped") is None
    failed = sum(1 for c in cases.values() if c.find("failure") is not None)
    assert root.get("failures") == str(failed)


def test_compliance_refuses_sarif_before_contacting_the_daemon(tmp_path: Path) -> None:
    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/absent.sock")
    proc = subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", "--compliance", "cis-docker-1.6",
         "--format", "sarif"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == ("seawall: error: --compliance writes text, json, junit, not sarif\n")
