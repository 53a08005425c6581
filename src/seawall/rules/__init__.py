"""The rule registry: every rule seawall has, declared explicitly in one place.

Rules are listed, not discovered: importing a module never registers anything by side effect.
Each family module exports a tuple of rule instances; this module concatenates them.
"""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.compose import COMPOSE_RULES
from seawall.rules.dockerfile.hygiene_rules import HYGIENE_RULES
from seawall.rules.dockerfile.security_rules import SECURITY_RULES
from seawall.rules.host import HOST_RULES
from seawall.rules.image import IMAGE_RULES
from seawall.rules.workload import WORKLOAD_RULES

ALL_RULES: tuple[Rule[Any], ...] = (
    *SECURITY_RULES,
    *HYGIENE_RULES,
    *WORKLOAD_RULES,
    *COMPOSE_RULES,
    *IMAGE_RULES,
    *HOST_RULES,
)

RULES_BY_ID: dict[str, Rule[Any]] = {rule.meta.id: rule for rule in ALL_RULES}
