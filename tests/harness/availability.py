"""Skip locally, fail in CI: how fixtures react when a real component cannot be started."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NoReturn, TypeVar

import pytest

from harness.daemon import ComponentUnavailable

T = TypeVar("T")


def in_ci() -> bool:
    """True when ``CI=true``: real components must work there, so absence is a failure."""
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip elsewhere, with a one-line reason."""
    message = " ".join(reason.split())
    if in_ci():
        pytest.fail(f"real component unavailable in CI: {message}", pytrace=False)
    pytest.skip(f"real component unavailable: {message}")


def provide(factory: Callable[[], T]) -> T:
    """Call ``factory``; a ComponentUnavailable becomes a skip (or a CI failure)."""
    try:
        return factory()
    except ComponentUnavailable as exc:
        unavailable(str(exc))
