"""``--verify`` when things go wrong: Ctrl-C and a daemon that dies mid-way. Either way every
project brought up is torn down (when the daemon still answers) and no file is changed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harden_helpers import PROJECTS, copy_project, tree

from harness.availability import provide
from harness.daemon import DockerDaemon, start_daemon
from harness.images import BUSYBOX_TAG, ensure_busybox_image

ANNOUNCE = "verify: bringing up the original project"


def start_harden(project: Path, docker_host: str, base_image: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "DOCKER_HOST": docker_host, "BASE_IMAGE": base_image}
    return subprocess.Popen(
        [sys.executable, "-m", "seawall", "harden", str(project), "--verify", "--no-config"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 60) -> list[str]:
    """Read stderr until a line containing ``text`` (the process must not end first)."""
    assert proc.stderr is not None
    deadline = time.time() + timeout
    seen: list[str] = []
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"never saw {text!r}: {''.join(seen)}")


def verify_projects(daemon: DockerDaemon) -> set[str]:
    client = daemon.client()
    labels = {
        (c.labels or {}).get("com.docker.compose.project", "")
        for c in client.containers.list(all=True)
    }
    return {p for p in labels | {n.name for n in client.networks.list()} if "seawall-verify" in p}


def test_ctrl_c_tears_down_and_writes_nothing(
    tmp_path: Path, dockerd: DockerDaemon, busybox_image: str, compose_cli: str
) -> None:
    project = copy_project(PROJECTS / "breaking", tmp_path)
    before = tree(project)
    proc = start_harden(project, dockerd.docker_host, busybox_image)
    try:
        wait_for_line(proc, ANNOUNCE)
        time.sleep(1.0)  # docker-compose up is under way
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "seawall: interrupted"
    assert "Traceback" not in err
    assert tree(project) == before
    assert verify_projects(dockerd) == set()


@pytest.fixture
def doomed_daemon() -> Iterator[DockerDaemon]:
    """A daemon of our own that the test kills."""
    daemon = provide(start_daemon)
    try:
        provide(lambda: ensure_busybox_image(daemon))
        yield daemon
    finally:
        daemon.close()


@pytest.mark.docker
def test_daemon_dying_during_verify_is_one_error_line(
    tmp_path: Path, doomed_daemon: DockerDaemon, compose_cli: str
) -> None:
    project = copy_project(PROJECTS / "breaking", tmp_path)
    before = tree(project)
    proc = start_harden(project, doomed_daemon.docker_host, BUSYBOX_TAG)
    try:
        wait_for_line(proc, ANNOUNCE)
        assert doomed_daemon.pid is not None
        os.kill(doomed_daemon.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("seawall: error: "), err
    assert "Docker daemon" in last or "docker-compose" in last or "does not work" in last, err
    assert "Traceback" not in err
    assert tree(project) == before


def test_a_failed_build_is_recorded_without_waiting_for_the_timeout(
    tmp_path: Path, dockerd: DockerDaemon, busybox_image: str, compose_cli: str
) -> None:
    from seawall.harden.verify import Verifier

    (tmp_path / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN false\n")
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  app:\n    build: .\n")
    verifier = Verifier(dockerd.client(), dockerd.docker_host, ("app",), timeout=120, log=print)
    started = time.monotonic()
    outcome = verifier.run([compose], "unbuildable")
    assert time.monotonic() - started < 60
    assert outcome.up_error is not None
    assert outcome.statuses["app"].state == "missing"
    assert not outcome.statuses["app"].working
    assert verify_projects(dockerd) == set()
