"""``harden --seccomp``: each service gets its recorded profile, referenced from the compose file,
written with the other hardening in one go."""

from __future__ import annotations

import json
from pathlib import Path

from harden_helpers import seawall

from harness.daemon import DockerDaemon


def test_seccomp_profiles_are_recorded_written_and_referenced(
    tmp_path: Path, dockerd: DockerDaemon, busybox_image: str
) -> None:
    project = tmp_path / "tiny"
    project.mkdir()
    (project / "docker-compose.yml").write_text(
        f"""services:
  web:
    image: {busybox_image}
    user: "65534:65534"
    command: ["sh", "-c", "echo ok > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      retries: 20
"""
    )
    proc = seawall(
        "harden", str(project), "--seccomp", "--seccomp-runs", "1", "--no-config",
        env={"DOCKER_HOST": dockerd.docker_host},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    profile = json.loads((project / "seccomp" / "web.json").read_text())
    assert profile["defaultAction"] in ("SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS")
    allowed = {n for rule in profile["syscalls"] for n in rule["names"]}
    assert {"execve", "accept4"} & allowed or "accept" in allowed
    compose = (project / "docker-compose.yml").read_text()
    assert "seccomp=./seccomp/web.json" in compose
    assert "read_only: true" in compose  # written together with the other hardening
