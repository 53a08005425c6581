"""Session fixtures for real components (see the ``harness`` package docstring)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import NoReturn, TypeVar

import pytest

from harness.daemon import ComponentUnavailable, DockerDaemon, provide_daemon
from harness.images import ensure_busybox_image, ensure_debian_image
from harness.registry import Registry, start_registry

T = TypeVar("T")
REAL_COMPONENT_FIXTURES = frozenset({"dockerd", "busybox_image", "debian_image", "registry"})


def in_ci() -> bool:
    """True when ``CI=true``: real components must work there, so absence is a failure."""
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip elsewhere, with a one-line reason."""
    message = " ".join(reason.split())
    if in_ci():
        pytest.fail(f"real component unavailable in CI: {message}", pytrace=False)
    pytest.skip(f"real component unavailable: {message}")


def _provide(factory: Callable[[], T]) -> T:
    try:
        return factory()
    except ComponentUnavailable as exc:
        unavailable(str(exc))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real daemon or registry with ``docker``."""
    for item in items:
        if REAL_COMPONENT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def dockerd() -> Iterator[DockerDaemon]:
    """A real Docker daemon for the whole session (ours, or ``$SEAWALL_TEST_DOCKER_HOST``)."""
    daemon = _provide(provide_daemon)
    try:
        yield daemon
    finally:
        daemon.close()


@pytest.fixture(scope="session")
def busybox_image(dockerd: DockerDaemon) -> str:
    """Tag of a ~2 MB busybox image imported into ``dockerd``."""
    return _provide(lambda: ensure_busybox_image(dockerd))


@pytest.fixture(scope="session")
def debian_image(dockerd: DockerDaemon) -> str:
    """Tag of a Debian bookworm minbase + python3 image imported into ``dockerd``."""
    return _provide(lambda: ensure_debian_image(dockerd))


@pytest.fixture(scope="session")
def registry() -> Iterator[Registry]:
    """A local ``docker-registry`` on 127.0.0.1 for push/pull tests."""
    reg = _provide(start_registry)
    try:
        yield reg
    finally:
        reg.close()
