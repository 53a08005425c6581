"""Reaching the daemon: DOCKER_HOST, contexts, unreachable and slow daemons (exit 2, one line)."""

from __future__ import annotations

import http.server
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.daemon import DockerDaemon
from seawall.errors import DaemonError
from seawall.runtime.client import connect, resolve_endpoint


def run_audit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_unreachable_daemon_is_a_one_line_error_and_exit_2(tmp_path: Path) -> None:
    missing = f"unix://{tmp_path}/nothing.sock"
    with pytest.raises(DaemonError, match=r"cannot reach Docker daemon at unix://.*does not exist"):
        connect(missing)
    proc = run_audit(env=dict(os.environ, DOCKER_HOST=missing))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("seawall: error: cannot reach Docker daemon")
    assert "Traceback" not in proc.stderr


@pytest.fixture
def silent_socket(tmp_path: Path) -> Iterator[str]:
    """A unix socket that accepts connections and never answers: a hung daemon."""
    path = str(tmp_path / "hung.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"unix://{path}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_slow_daemon_times_out(silent_socket: str) -> None:
    started = time.monotonic()
    with pytest.raises(DaemonError, match="did not answer within 2s"):
        connect(silent_socket, timeout=2)
    assert time.monotonic() - started < 10
    proc = run_audit("--timeout", "1", env=dict(os.environ, DOCKER_HOST=silent_socket))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"seawall: error: Docker daemon at {silent_socket} did not answer within 1s"
    )


def test_docker_context_is_honoured(dockerd: DockerDaemon, tmp_path: Path) -> None:
    config_dir = tmp_path / "docker-config"
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    env["DOCKER_CONFIG"] = str(config_dir)
    subprocess.run(
        ["docker", "context", "create", "swtest", "--docker", f"host={dockerd.docker_host}"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["docker", "context", "use", "swtest"], env=env, check=True, capture_output=True)
    old = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        endpoint = resolve_endpoint()
        assert endpoint.host == dockerd.docker_host
        assert endpoint.source == "context swtest"
        client, _ = connect()
        assert client.ping()
        client.close()
    finally:
        os.environ.clear()
        os.environ.update(old)
    proc = run_audit("--no-host", "--select", "CR001", "--exit-zero", "--no-summary", env=env)
    assert proc.returncode == 0, proc.stderr


def test_unknown_context_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
    env["DOCKER_CONFIG"] = str(tmp_path)
    proc = run_audit("--context", "does-not-exist", env=env)
    assert proc.returncode == 2
    assert "does-not-exist" in proc.stderr and "Traceback" not in proc.stderr


class _PingOnlyHandler(http.server.BaseHTTPRequestHandler):
    """Answers the handshake (``/_ping``, ``/version``) and then hangs on every other call."""

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route.endswith(("/_ping", "/version")):
            body = b"OK"
            if route.endswith("/version"):
                body = json.dumps({"ApiVersion": "1.41", "MinAPIVersion": "1.12"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        assert isinstance(self.server, _UnixHTTPServer)
        self.server.hung.wait(30)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        super().__init__(path, handler)
        self.hung = threading.Event()  # set at teardown to release the stalled requests

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        conn, _ = super().get_request()
        return conn, ("local", 0)  # BaseHTTPRequestHandler wants a (host, port) address


@pytest.fixture
def hangs_after_ping(tmp_path: Path) -> Iterator[str]:
    """A daemon that completes the handshake, then never answers ``/info``."""
    path = str(tmp_path / "half-hung.sock")
    server = _UnixHTTPServer(path, _PingOnlyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"unix://{path}"
    finally:
        server.hung.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_daemon_that_stalls_mid_audit_times_out_with_one_line(hangs_after_ping: str) -> None:
    started = time.monotonic()
    proc = run_audit("--timeout", "1", env=dict(os.environ, DOCKER_HOST=hangs_after_ping))
    assert proc.returncode == 2
    assert proc.stderr == "seawall: error: Docker daemon timed out during info\n"
    assert time.monotonic() - started < 30
