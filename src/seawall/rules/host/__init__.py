"""Docker daemon and host rules (HOST###), on CIS Docker Benchmark sections 1-3."""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule

HOST_RULES: tuple[Rule[Any], ...] = ()
