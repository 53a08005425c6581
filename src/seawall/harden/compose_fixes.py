"""The bridge to the Compose fixes (``seawall.fixes.compose``): plan every fix, write it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from seawall.config import Config
from seawall.errors import FixError


def compose_fixes_available() -> bool:
    """Whether the Compose fix engine is installed in this build."""
    return importlib.util.find_spec("seawall.fixes.compose") is not None and hasattr(
        importlib.import_module("seawall.fixes.compose"), "plan_compose_fixes"
    )


def apply_compose_fixes(files: list[Path], root: Path, config: Config) -> None:
    """Apply every Compose fix (safe and unsafe) to ``files`` in place (they live in a workspace)."""
    if not compose_fixes_available():
        raise FixError("Compose fixes are not available in this build")
    from seawall.fixes.compose import plan_compose_fixes, write_plan
    from seawall.parsers.compose import LoadOptions

    plan = plan_compose_fixes(
        files,
        config,
        unsafe=True,
        options=LoadOptions(project_dir=files[0].parent, display_root=root),
    )
    write_plan(plan)
