"""The DF001 fix on a real engine: the fixed Dockerfile builds, and the container runs as the new
system user, can write to its WORKDIR and cannot modify root-owned files.

Each build step copies the whole Debian root filesystem under the vfs storage driver the test
daemon uses, so the Dockerfile is kept to the fewest steps (about a minute per step here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.daemon import DockerDaemon
from seawall.cli import main

APP = (
    "import os; print(os.getuid(), os.getgid()); "
    "open('state.txt', 'w').write('ok'); "  # the WORKDIR: handed to the app user
    "print(os.access('/etc/passwd', os.W_OK))"
)


@pytest.mark.docker
@pytest.mark.slow
def test_nonroot_fix_builds_and_runs_as_the_new_user(
    dockerd: DockerDaemon, debian_image: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        f"FROM {debian_image}\nWORKDIR /srv/app\nCMD {json.dumps(['python3', '-c', APP])}\n"
    )
    assert main(["check", "--select", "DF001", "--unsafe-fixes", str(dockerfile)]) == 0
    capsys.readouterr()
    assert "USER 10001:10001" in dockerfile.read_text()
    tag = "seawall-test/df001-fixed:1"
    dockerd.run_cli("build", "-q", "-t", tag, str(tmp_path), timeout=300)
    try:
        run = dockerd.run_cli("run", "--rm", tag, timeout=120)
        assert run.stdout.split("\n")[:2] == ["10001 10001", "False"]
        config = json.loads(dockerd.run_cli("image", "inspect", tag).stdout)[0]["Config"]
        assert config["User"] == "10001:10001"
    finally:
        dockerd.run_cli("rmi", "-f", tag, check=False)
