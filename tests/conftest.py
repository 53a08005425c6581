"""Session fixtures for real components (see the ``harness`` package docstring)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.availability import provide
from harness.daemon import DockerDaemon, provide_daemon
from harness.images import ensure_busybox_image, ensure_debian_image
from harness.registry import Registry, start_registry

REAL_COMPONENT_FIXTURES = frozenset({"dockerd", "busybox_image", "debian_image", "registry"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real daemon or registry with ``docker``."""
    for item in items:
        if REAL_COMPONENT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def dockerd() -> Iterator[DockerDaemon]:
    """A real Docker daemon for the whole session (ours, or ``$SEAWALL_TEST_DOCKER_HOST``)."""
    daemon = provide(provide_daemon)
    try:
        yield daemon
    finally:
        daemon.close()


@pytest.fixture(scope="session")
def busybox_image(dockerd: DockerDaemon) -> str:
    """Tag of a ~2 MB busybox image imported into ``dockerd``."""
    return provide(lambda: ensure_busybox_image(dockerd))


@pytest.fixture(scope="session")
def debian_image(dockerd: DockerDaemon) -> str:
    """Tag of a Debian bookworm minbase + python3 image imported into ``dockerd``."""
    return provide(lambda: ensure_debian_image(dockerd))


@pytest.fixture(scope="session")
def registry() -> Iterator[Registry]:
    """A local ``docker-registry`` on 127.0.0.1 for push/pull tests."""
    reg = provide(start_registry)
    try:
        yield reg
    finally:
        reg.close()
