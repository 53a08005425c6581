"""Helpers shared by the Compose tests (a module of its own so tests can import it by name)."""

from __future__ import annotations

from pathlib import Path

from corpus import SHARED
from seawall.config import Config
from seawall.model.finding import Report
from seawall.parsers.compose import ComposeProject
from seawall.targets.compose import check_project

CORPUS = SHARED / "corpus" / "compose"


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def check(project: ComposeProject, *rule_ids: str) -> Report:
    """Run only ``rule_ids`` (all rules when empty) on a loaded project."""
    return check_project(project, Config(select=rule_ids) if rule_ids else Config())
