"""A daemon on a TLS-verified TCP socket (certificates made by openssl): the audit reaches it with
DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, and CIS 3.9-3.14 judge the daemon's real TLS files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import certifi
import pytest

from harness._process import free_port
from harness.availability import provide
from harness.daemon import DockerDaemon, start_daemon
from seawall.commands.audit import audit_snapshot
from seawall.config import Config
from seawall.runtime import cis
from seawall.runtime.client import connect
from seawall.runtime.snapshot import collect


@dataclass(frozen=True)
class TlsDaemon:
    daemon: DockerDaemon
    tcp_host: str
    server_dir: Path
    client_dir: Path


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(root: Path) -> tuple[Path, Path]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as dockerd expects."""
    server, client = root / "server", root / "client"
    server.mkdir()
    client.mkdir()
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=seawall test CA", "-keyout", "ca-key.pem", "-out", "ca.pem", cwd=root)  # fmt: skip
    for name, usage, san in (("server", "serverAuth", "subjectAltName=IP:127.0.0.1\n"),
                             ("client", "clientAuth", "")):  # fmt: skip
        (root / f"{name}.ext").write_text(f"{san}extendedKeyUsage={usage}\n")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
                "-keyout", f"{name}-key.pem", "-out", f"{name}.csr", cwd=root)  # fmt: skip
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext",
                "-out", f"{name}-cert.pem", cwd=root)  # fmt: skip
    shutil.copy(root / "ca.pem", server / "ca.pem")
    shutil.copy(root / "server-cert.pem", server / "server-cert.pem")
    shutil.copy(root / "server-key.pem", server / "server-key.pem")
    shutil.copy(root / "ca.pem", client / "ca.pem")  # DOCKER_CERT_PATH file names
    shutil.copy(root / "client-cert.pem", client / "cert.pem")
    shutil.copy(root / "client-key.pem", client / "key.pem")
    os.chmod(server / "ca.pem", 0o444)
    os.chmod(server / "server-cert.pem", 0o444)
    os.chmod(server / "server-key.pem", 0o644)  # CIS 3.14 wants 400: the one loose file
    return server, client


@pytest.fixture(scope="module")
def tls_daemon(
    dockerd: DockerDaemon, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TlsDaemon]:
    if not dockerd.owned:
        pytest.skip("needs to start its own dockerd")
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test certificates")
    server, client = make_certificates(tmp_path_factory.mktemp("tls"))
    port = free_port()
    config = {
        "tlsverify": True,
        "tlscacert": str(server / "ca.pem"),
        "tlscert": str(server / "server-cert.pem"),
        "tlskey": str(server / "server-key.pem"),
    }
    daemon = provide(lambda: start_daemon(config, extra_args=("-H", f"tcp://127.0.0.1:{port}")))
    try:
        yield TlsDaemon(daemon, f"tcp://127.0.0.1:{port}", server, client)
    finally:
        daemon.close()


def test_tls_files_of_the_running_daemon_are_judged(tls_daemon: TlsDaemon) -> None:
    client, endpoint = connect(tls_daemon.daemon.docker_host)  # local, over the unix socket
    try:
        result = audit_snapshot(collect(client, endpoint), Config(), containers=False)
    finally:
        client.close()
    fired = {f.rule_id: f for f in result.report.findings}
    assert "HOST006" not in fired  # TCP, but with tlsverify
    key = fired["HOST214"]
    assert key.location.path == str(tls_daemon.server_dir / "server-key.pem")
    assert "0644" in key.message
    statuses = {
        r.control.id: r.status
        for r in cis.evaluate(
            result.report.findings, result.rules_run, result.not_evaluated, result.not_applicable
        )
    }
    assert [statuses[f"3.{n}"] for n in range(9, 15)] == ["pass"] * 5 + ["fail"]
    assert statuses["2.7"] == "pass"


def test_audit_over_tls_uses_the_client_certificates(tls_daemon: TlsDaemon) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    command = [sys.executable, "-m", "seawall.cli", "audit", "--no-containers", "--no-summary",
               "--select", "HOST006,HOST017"]  # fmt: skip
    # A CA bundle in the environment (as on many CI images) must not replace the daemon's CA.
    env = dict(base, DOCKER_HOST=tls_daemon.tcp_host, DOCKER_TLS_VERIFY="1",
               DOCKER_CERT_PATH=str(tls_daemon.client_dir), REQUESTS_CA_BUNDLE=certifi.where())  # fmt: skip
    verified = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stderr  # reached, and nothing to report
    plain = subprocess.run(
        [*command, "--timeout", "5"], env=dict(base, DOCKER_HOST=tls_daemon.tcp_host),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert plain.returncode == 2
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"seawall: error: cannot reach Docker daemon at {tls_daemon.tcp_host}"
    )
