"""Built-image rules (IMG###): config, history, filesystem."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule

IMAGE_RULES: tuple[Rule[Any], ...] = ()
