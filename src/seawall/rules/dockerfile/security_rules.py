"""Dockerfile security rules (DF001-DF049)."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.dockerfile.user import LastUserRoot

SECURITY_RULES: tuple[Rule[Any], ...] = (LastUserRoot(),)
