"""Compose-project rules (DC###): networks, published ports, secrets blocks."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.compose import secrets, segmentation

COMPOSE_RULES: tuple[Rule[Any], ...] = (*segmentation.RULES, *secrets.RULES)
