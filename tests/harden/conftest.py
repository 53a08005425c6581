"""Session fixtures of the harden tests: the demo project's base image."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.availability import provide
from harness.daemon import ComponentUnavailable, DockerDaemon

DEMO_BASE_TAG = "seawall-demo/busybox:1"
DEMO_BASE_DIR = Path(__file__).resolve().parent / "demo_base"


@pytest.fixture(scope="session")
def compose_cli() -> str:
    """Debian's docker-compose (v1) binary, which ``--verify`` drives."""

    def find() -> str:
        found = shutil.which("docker-compose")
        if found is None:
            raise ComponentUnavailable(
                "docker-compose is not installed (apt-get install docker-compose)"
            )
        return found

    return provide(find)


@pytest.fixture(scope="session")
def demo_base_image(dockerd: DockerDaemon, busybox_image: str) -> str:
    """``seawall-demo/busybox:1``: the busybox test image with addgroup/adduser stand-ins."""

    def build() -> str:
        if dockerd.run_cli("image", "inspect", DEMO_BASE_TAG, check=False).returncode == 0:
            return DEMO_BASE_TAG
        proc = dockerd.run_cli(
            "build", "-q", "--build-arg", f"BUSYBOX={busybox_image}", "-t", DEMO_BASE_TAG,
            str(DEMO_BASE_DIR), check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise ComponentUnavailable(f"cannot build {DEMO_BASE_TAG}: {proc.stderr.strip()}")
        return DEMO_BASE_TAG

    return provide(build)
