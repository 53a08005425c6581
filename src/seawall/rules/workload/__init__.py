"""Container-hardening rules (CR###) written once against the Workload model."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.workload import (
    capabilities,
    confinement,
    filesystem,
    images,
    namespaces,
    ports,
    privileges,
    resources,
    runtime,
    secrets,
)

WORKLOAD_RULES: tuple[Rule[Any], ...] = tuple(
    sorted(
        (
            *privileges.RULES,
            *capabilities.RULES,
            *confinement.RULES,
            *namespaces.RULES,
            *filesystem.RULES,
            *resources.RULES,
            *ports.RULES,
            *secrets.RULES,
            *images.RULES,
            *runtime.RULES,
        ),
        key=lambda rule: rule.meta.id,
    )
)
