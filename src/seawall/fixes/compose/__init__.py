"""Fixes for Compose projects: YAML text edits that keep the file as written.

Public API (used by ``check --fix`` and ``seawall harden``)::

    plan = plan_compose_fixes(files, config, unsafe=True, options=LoadOptions(...))
    print(plan.diff())       # or inspect plan.changes / plan.applied / plan.remaining
    write_plan(plan)         # atomic for all files, rollback on failure

The rules attach the fixes (``fix=`` on their findings) through ``rulefix``; the text editing
itself is ``yamledit``; ``image_needs`` holds what known images need to keep working.
"""

from __future__ import annotations

from seawall.fixes.compose.plan import (
    AppliedFix,
    ComposeFixPlan,
    FileChange,
    plan_compose_fixes,
)
from seawall.fixes.compose.write import write_plan

__all__ = ["AppliedFix", "ComposeFixPlan", "FileChange", "plan_compose_fixes", "write_plan"]
