"""Shared helpers for the Compose tests: write a project into a temporary folder and check it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.model.finding import Report
from seawall.parsers.compose import ComposeProject, LoadOptions, load_project
from seawall.targets.compose import check_project

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "compose"


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


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


def check(project: ComposeProject, *rule_ids: str) -> Report:
    """Run only ``rule_ids`` (all rules when empty) on a loaded project."""
    return check_project(project, Config(select=rule_ids) if rule_ids else Config())
