"""Swarm (CIS 7.x), exec sessions (5.23, 5.24) and content trust (4.5) on real daemons."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness._process import free_port
from harness.availability import provide
from harness.daemon import LABEL, DockerDaemon, start_daemon
from seawall.commands.audit import AuditResult, audit_snapshot
from seawall.config import Config
from seawall.rules._base import Context
from seawall.rules.host.client_rules import ContentTrustDisabled
from seawall.rules.host.swarm_rules import SwarmManagerCount
from seawall.runtime.client import Endpoint, connect
from seawall.runtime.daemon import DaemonConfig
from seawall.runtime.host import HostFacts
from seawall.runtime.snapshot import DaemonFacts, DockerEnvironment, collect
from seawall.runtime.swarm import SwarmFacts, listening_addresses

SWARM_RULES = {"HOST020", "HOST022", "HOST023", "HOST024", "HOST025"}


def audit(daemon: DockerDaemon) -> AuditResult:
    client, endpoint = connect(daemon.docker_host)
    try:
        return audit_snapshot(collect(client, endpoint), Config())
    finally:
        client.close()


def swarm_findings(result: AuditResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in result.report.findings:
        if finding.rule_id in SWARM_RULES:
            found.setdefault(finding.rule_id, []).append(finding.message)
    return found


@pytest.fixture(scope="module")
def swarm_daemon(dockerd: DockerDaemon) -> Iterator[DockerDaemon]:
    """A daemon of its own: swarm mode must not leak into the session daemon's audits."""
    if not dockerd.owned:
        pytest.skip("needs to start its own dockerd")
    daemon = provide(start_daemon)
    try:
        yield daemon
    finally:
        daemon.run_cli("swarm", "leave", "--force", check=False)
        daemon.close()


def test_swarm_controls_on_a_real_swarm(swarm_daemon: DockerDaemon) -> None:
    outside = audit(swarm_daemon)
    assert not swarm_findings(outside)
    assert outside.not_applicable["HOST024"] == "swarm mode is not active"

    port = free_port()
    swarm_daemon.run_cli("swarm", "init", "--advertise-addr", "127.0.0.1",
                         "--listen-addr", f"0.0.0.0:{port}")  # fmt: skip
    swarm_daemon.run_cli("network", "create", "-d", "overlay", "plain-net")
    swarm_daemon.run_cli("network", "create", "-d", "overlay", "--opt", "encrypted", "ipsec-net")
    loose = swarm_findings(audit(swarm_daemon))
    # Go binds 0.0.0.0 as a dual-stack "::" socket.
    [wildcard] = loose.pop("HOST023")
    assert re.fullmatch(
        rf"swarm management port {port} listens on all interfaces \((0\.0\.0\.0|::)\)", wildcard
    )
    assert sorted(loose.pop("HOST024")) == [
        "overlay network 'ingress' is not encrypted",
        "overlay network 'plain-net' is not encrypted",
    ]
    assert loose.pop("HOST025") == ["swarm auto-lock is disabled"]
    assert loose.pop("HOST020") == ["swarm mode is active"]
    assert loose == {}  # one manager: HOST022 is satisfied

    swarm_daemon.run_cli("swarm", "leave", "--force")
    port = free_port()
    swarm_daemon.run_cli("swarm", "init", "--advertise-addr", "127.0.0.1",
                         "--listen-addr", f"127.0.0.1:{port}", "--autolock")  # fmt: skip
    tight = swarm_findings(audit(swarm_daemon))
    assert set(tight) == {"HOST020", "HOST024"}  # only the default ingress network remains
    assert tight["HOST024"] == ["overlay network 'ingress' is not encrypted"]


def test_exec_sessions_that_are_listed_get_audited(
    dockerd: DockerDaemon, busybox_image: str
) -> None:
    name = "swaudit-exec"
    dockerd.run_cli("rm", "-f", name, check=False)
    dockerd.run_cli("run", "-d", "--name", name, "--label", f"{LABEL}=audit",
                    "--network", "none", busybox_image, "sleep", "600")  # fmt: skip
    try:
        client = dockerd.client()
        # Privileged execs cannot start on this host (no CAP_SYS_RESOURCE); created is enough.
        client.api.exec_create(name, ["sh", "-c", "id"], privileged=True)
        dockerd.run_cli("exec", "-d", "-u", "root", name, "sleep", "300")
        api, endpoint = connect(dockerd.docker_host)
        snapshot = collect(api, endpoint)
        api.close()
        result = audit_snapshot(snapshot, Config(), containers=False)
    finally:
        dockerd.run_cli("rm", "-f", name, check=False)
    doc = next(r.inspect for r in snapshot.containers if r.name == name)
    by_rule = {
        f.rule_id: f for f in result.report.findings if f.location.path == f"container/{name}"
    }
    privileged, root = by_rule["HOST026"], by_rule["HOST027"]
    assert "(sh, not started)" in privileged.message
    assert "(sleep, running)" in root.message
    for finding in (privileged, root):
        index = int((finding.location.pointer or "").rsplit("/", 1)[1])
        assert doc["ExecIDs"][index][:12] in finding.message  # the pointer names that exec


def environment(swarm: SwarmFacts | None = None, content_trust: str | None = None) -> Any:
    daemon = DaemonFacts(
        Endpoint("unix:///run/docker.sock", "default"), {}, {},
        DaemonConfig(None, None, None, False), swarm=swarm,
    )  # fmt: skip
    host = HostFacts(local=False, is_root=True, content_trust=content_trust)
    return DockerEnvironment(daemon, host)


@pytest.mark.parametrize(
    ("managers", "fires"), [(1, False), (2, True), (3, False), (4, True), (7, False), (9, True)]
)
def test_manager_count_must_be_odd_and_at_most_seven(managers: int, fires: bool) -> None:
    swarm = SwarmFacts("active", True, managers, True, 2377)
    rule = SwarmManagerCount()
    findings = list(rule.check(environment(swarm), Context(target="d")))
    assert bool(findings) is fires
    worker = SwarmFacts("active", False, None, None, 2377)
    ctx = Context(target="d")
    assert list(rule.check(environment(worker), ctx)) == []
    assert "worker" in ctx.extra["not_evaluated"]["HOST022"]


@pytest.mark.parametrize(
    ("value", "fires"), [(None, True), ("0", True), ("", True), ("1", False), ("true", False)]
)
def test_content_trust_is_read_from_the_auditing_environment(
    value: str | None, fires: bool
) -> None:
    findings = list(ContentTrustDisabled().check(environment(content_trust=value), Context("d")))
    assert bool(findings) is fires


def test_listening_sockets_are_decoded_from_proc(tmp_path: Path) -> None:
    net = tmp_path / "net"
    net.mkdir()
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    (net / "tcp").write_text(
        header
        + "   0: 0100007F:0949 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1\n"
        + "   1: 00000000:0949 0100007F:1234 01 00000000:00000000 00:00000000 00000000     0        0 112 1\n"
    )
    (net / "tcp6").write_text(
        header
        + "   0: 00000000000000000000000000000000:0949 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 113 1\n"
        + "   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 114 1\n"
    )
    # Port 2377 = 0x0949; the established socket (state 01) and port 8080 are not listeners on it.
    assert listening_addresses(2377, None, proc=str(tmp_path)) == ("127.0.0.1", "::")
