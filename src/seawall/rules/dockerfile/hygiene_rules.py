"""Dockerfile reliability and package-manager hygiene rules (DF050-DF099)."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule

HYGIENE_RULES: tuple[Rule[Any], ...] = ()
