"""``seawall audit`` on a real daemon: every CR rule fires on an insecure container, none on the
hardened one; locations are JSON pointers into the inspect document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from harness.daemon import LABEL, DockerDaemon
from runtime.conftest import Fleet
from seawall.commands.audit import AuditResult, audit_snapshot
from seawall.config import Config
from seawall.model.finding import Finding
from seawall.rules.workload import WORKLOAD_RULES
from seawall.runtime.client import connect
from seawall.runtime.inspect_adapter import container_path
from seawall.runtime.snapshot import AuditSnapshot, collect


@pytest.fixture(scope="module")
def snapshot(dockerd: DockerDaemon, fleet: Fleet) -> Iterator[AuditSnapshot]:
    client, endpoint = connect(dockerd.docker_host)
    try:
        yield collect(client, endpoint)
    finally:
        client.close()


@pytest.fixture(scope="module")
def audited(snapshot: AuditSnapshot) -> AuditResult:
    return audit_snapshot(snapshot, Config())


def findings_for(result: AuditResult, container: str) -> list[Finding]:
    path = container_path(container)
    return [f for f in result.report.findings if f.location.path == path]


def resolve(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def test_fleet_covers_every_workload_rule(fleet: Fleet) -> None:
    expected = set().union(*(spec.expect for spec in fleet.specs.values()))
    assert expected == {rule.meta.id for rule in WORKLOAD_RULES}


@pytest.mark.parametrize(
    "short",
    ["priv", "root", "caps", "mounts", "ports", "lowport", "propagation", "latest"],
)
def test_insecure_container_trips_its_rules(audited: AuditResult, fleet: Fleet, short: str) -> None:
    spec = fleet.specs[short]
    fired = {f.rule_id for f in findings_for(audited, fleet.names[short])}
    missing = spec.expect - fired
    assert not missing, f"{fleet.names[short]}: expected {sorted(missing)} among {sorted(fired)}"


def test_hardened_container_has_no_findings(audited: AuditResult, fleet: Fleet) -> None:
    findings = findings_for(audited, fleet.hardened)
    assert findings == [], [f"{f.rule_id} {f.message}" for f in findings]


def test_created_and_running_containers_are_all_audited(
    snapshot: AuditSnapshot, fleet: Fleet
) -> None:
    by_name = {record.name: record for record in snapshot.containers}
    for short, spec in fleet.specs.items():
        record = by_name[fleet.names[short]]
        assert record.running is spec.start, short
    assert by_name[fleet.names["priv"]].inspect["State"]["Status"] == "created"


def test_every_container_finding_points_into_its_inspect_document(
    audited: AuditResult, snapshot: AuditSnapshot
) -> None:
    docs = {container_path(r.name): r.inspect for r in snapshot.containers}
    checked = 0
    for finding in audited.report.findings:
        if finding.location.path not in docs:
            continue
        pointer = finding.location.pointer
        assert pointer is not None and pointer.startswith("/"), finding
        resolve(docs[finding.location.path], pointer)  # raises if the pointer is wrong
        checked += 1
    assert checked > 40


def test_ipv6_wildcard_and_implicit_wildcard_ports_are_flagged(
    audited: AuditResult, fleet: Fleet, snapshot: AuditSnapshot
) -> None:
    record = next(r for r in snapshot.containers if r.name == fleet.names["ports"])
    bindings = record.inspect["NetworkSettings"]["Ports"]
    port_findings = [f for f in findings_for(audited, record.name) if f.rule_id == "CR022"]
    flagged = {resolve(record.inspect, f.location.pointer or "")["HostIp"] for f in port_findings}
    assert "::" in flagged, bindings
    assert "0.0.0.0" in flagged, bindings


def test_effective_kernel_state_is_read_for_running_containers(
    snapshot: AuditSnapshot, fleet: Fleet
) -> None:
    by_name = {record.name: record for record in snapshot.containers}
    hardened = by_name[fleet.hardened].effective
    unconfined = by_name[fleet.names["caps"]].effective
    assert hardened is not None and unconfined is not None
    assert hardened.cap_eff == 0
    assert hardened.no_new_privs is True
    assert hardened.seccomp_mode == 2
    assert hardened.uid == 65534
    assert unconfined.seccomp_mode == 0
    assert unconfined.cap_eff & (1 << 21), "CAP_SYS_ADMIN is bit 21"
    assert by_name[fleet.names["priv"]].effective is None  # never started


def test_inline_custom_seccomp_profile_is_kept_for_grading(
    dockerd: DockerDaemon, busybox_image: str, tmp_path: Any
) -> None:
    from seawall.runtime.inspect_adapter import from_inspect, inline_seccomp_profile

    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}
    profile_file = tmp_path / "profile.json"
    profile_file.write_text(json.dumps(profile))
    name = "swaudit-inline-seccomp"
    dockerd.run_cli("rm", "-f", name, check=False)
    dockerd.run_cli(
        "create", "--name", name, "--label", f"{LABEL}=audit", "--network", "none",
        "--security-opt", f"seccomp={profile_file}", busybox_image, "true",
    )  # fmt: skip
    try:
        doc = dockerd.client().api.inspect_container(name)
        workload = from_inspect(doc)
        assert inline_seccomp_profile(workload) == profile
        assert workload.seccomp.location.pointer == "/HostConfig/SecurityOpt/0"
    finally:
        dockerd.run_cli("rm", "-f", name, check=False)


def test_container_removed_mid_audit_is_tolerated(
    dockerd: DockerDaemon, busybox_image: str
) -> None:
    from seawall.runtime.containers import collect_containers

    name = "swaudit-vanishing"
    dockerd.run_cli("rm", "-f", name, check=False)
    cid = dockerd.run_cli(
        "create", "--name", name, "--label", f"{LABEL}=audit", "--network", "none",
        busybox_image, "true",
    ).stdout.strip()  # fmt: skip
    client = dockerd.client()
    real_inspect = client.api.inspect_container

    def inspect_after_removal(container: str) -> Any:
        if container == cid:
            dockerd.run_cli("rm", "-f", cid)  # it goes away between listing and inspecting
        return real_inspect(container)

    client.api.inspect_container = inspect_after_removal  # type: ignore[method-assign]
    records, vanished = collect_containers(client, local=True)
    assert vanished == [cid]
    assert name not in {r.name for r in records}


def test_cli_audit_exit_codes_and_secret_values_stay_hidden(
    dockerd: DockerDaemon, fleet: Fleet, tmp_path: Any
) -> None:
    env = dict(os.environ, DOCKER_HOST=dockerd.docker_host)
    out = tmp_path / "audit.sarif"
    proc = subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", "--format", "sarif", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    sarif = json.loads(out.read_text())
    rule_ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"CR001", "CR015", "HOST003"} <= rule_ids
    assert "Sup3r-S3cret-Value-42" not in out.read_text()
    text = subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", "--select", "CR024"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert text.returncode == 1
    assert "DB_PASSWORD" in text.stdout and "Sup3r-S3cret-Value-42" not in text.stdout
    clean = subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", "--select", "CR001", "--exit-zero",
         "--no-summary"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert clean.returncode == 0
    assert "CIS Docker Benchmark" not in clean.stdout


def test_images_of_running_containers_get_the_image_audit(
    dockerd: DockerDaemon, fleet: Fleet, snapshot: AuditSnapshot
) -> None:
    client, _ = connect(dockerd.docker_host)
    try:
        result = audit_snapshot(snapshot, Config(), host=False, images=True, client=client)
    finally:
        client.close()
    image_paths = {f.location.path for f in result.report.findings if f.rule_id.startswith("IMG")}
    # busybox runs as root: one finding per image, however many containers use it.
    root = [f for f in result.report.findings if f.rule_id == "IMG001"]
    assert len(root) == len({f.location.path for f in root}) >= 1
    assert "image/seawall-test/busybox:1" in image_paths
    assert not any("priv" in path for path in image_paths)  # created-only containers: no image run
    from seawall.runtime import cis

    results = {r.control.id: r for r in cis.evaluate(result.report.findings, result.rules_run, {})}
    assert results["4.6"].status == "fail"  # no HEALTHCHECK in the image
