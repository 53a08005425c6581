"""``seawall audit --drift`` on a project started by the real ``docker-compose`` (v1.29.2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.availability import unavailable
from harness.daemon import DockerDaemon

PROJECT = "swdrift"


def compose_text(image: str) -> str:
    return f"""services:
  web:
    image: {image}
    command: ["sleep", "600"]
    user: "65534:65534"
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    tmpfs: ["/tmp:size=16m"]
    mem_limit: 64m
    cpus: 0.5
    pids_limit: 64
    restart: on-failure:5
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
    ports: ["127.0.0.1:18590:8080"]
"""


@pytest.fixture
def project(dockerd: DockerDaemon, busybox_image: str, tmp_path: Path) -> Iterator[Path]:
    if shutil.which("docker-compose") is None:
        unavailable("docker-compose is not installed")
    compose = tmp_path / "compose.yaml"
    compose.write_text(compose_text(busybox_image))
    env = dockerd.env()

    def compose_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker-compose", "-p", PROJECT, "-f", str(compose), *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip

    compose_cli("down", "-t", "1")
    up = compose_cli("up", "-d")
    assert up.returncode == 0, up.stderr
    try:
        yield compose
    finally:
        if not compose.exists():
            compose.write_text(compose_text(busybox_image))
        compose_cli("down", "-t", "1")


def audit_drift(dockerd: DockerDaemon) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seawall.cli", "audit", "--drift", "--no-host", "--no-summary",
         "--select", "HOST021"],
        env=dockerd.env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_container_matching_its_compose_file_has_no_drift(
    dockerd: DockerDaemon, project: Path
) -> None:
    proc = audit_drift(dockerd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HOST021" not in proc.stdout


def test_hardening_added_to_the_file_but_not_applied_is_drift(
    dockerd: DockerDaemon, project: Path
) -> None:
    text = project.read_text()
    text = text.replace("    cap_drop: [ALL]\n", "    cap_drop: [ALL]\n    read_only: true\n")
    text = text.replace("pids_limit: 64", "pids_limit: 32")
    project.write_text(text)
    proc = audit_drift(dockerd)
    assert proc.returncode == 1, proc.stderr
    lines = text.splitlines()
    read_only_line = lines.index("    read_only: true") + 1
    pids_line = lines.index("    pids_limit: 32") + 1
    assert (
        f"compose.yaml:{read_only_line}:5: HOST021 [medium] service 'web' (container "
        f"'{PROJECT}_web_1'): declared read_only read-only, running writable"
    ) in proc.stdout
    assert f"compose.yaml:{pids_line}:" in proc.stdout
    assert "declared pids_limit 32, running 64" in proc.stdout
    assert proc.stdout.count("HOST021") == 2  # nothing else differs


def test_service_removed_from_the_file_is_reported(dockerd: DockerDaemon, project: Path) -> None:
    project.write_text(project.read_text().replace("  web:", "  api:"))
    proc = audit_drift(dockerd)
    assert proc.returncode == 1
    assert "runs service 'web' of project 'swdrift', which its compose files no longer" in (
        " ".join(proc.stdout.split())
    )


def test_missing_compose_file_is_a_note_not_a_crash(dockerd: DockerDaemon, project: Path) -> None:
    os.unlink(project)
    proc = audit_drift(dockerd)
    assert proc.returncode == 0, proc.stderr
    assert "seawall: note: drift not checked for project swdrift" in proc.stderr
    assert "Traceback" not in proc.stderr
