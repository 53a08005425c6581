"""Fixtures for the Compose tests: write a project into a temporary folder and load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from compose_helpers import write_files

from seawall.parsers.compose import ComposeProject, LoadOptions, load_project


@pytest.fixture
def project_in(tmp_path: Path) -> Callable[..., ComposeProject]:
    """Write files and load them (``compose.yaml`` first unless ``names`` says otherwise)."""

    def load(
        files: dict[str, str],
        names: list[str] | None = None,
        environ: dict[str, str] | None = None,
        **options: object,
    ) -> ComposeProject:
        write_files(tmp_path, files)
        chosen = names or [n for n in files if n.endswith((".yaml", ".yml"))][:1]
        return load_project(
            [tmp_path / n for n in chosen],
            LoadOptions(environ=environ or {}, display_root=tmp_path, **options),  # type: ignore[arg-type]
        )

    return load
