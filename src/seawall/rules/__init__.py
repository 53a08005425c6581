"""The rule registry: every rule seawall has, declared explicitly in one place.

Rules are listed, not discovered: importing a module never registers anything by side effect.
"""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule

ALL_RULES: tuple[Rule[Any], ...] = ()

RULES_BY_ID: dict[str, Rule[Any]] = {rule.meta.id: rule for rule in ALL_RULES}
