"""Where the shared real-world corpus lives (beside the repository, never copied into it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEAWALL_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
SCHEMAS = SHARED / "schemas"


def require(path: Path) -> Path:
    """The path, or skip (fail under CI=true) when the shared folder is absent."""
    if not path.exists():
        message = f"shared data not found at {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
