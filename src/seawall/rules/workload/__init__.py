"""Container-hardening rules (CR###) written once against the Workload model."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule

WORKLOAD_RULES: tuple[Rule[Any], ...] = ()
