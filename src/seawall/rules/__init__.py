"""The rule registry: every rule seawall has, declared explicitly in one place.

Rules are listed, not discovered: importing a module never registers anything by side effect.
Each family module exports a tuple of rule instances; ``FAMILIES`` names them with the target
kinds they serve, so a command imports only the families it needs (``seawall check`` on a
Dockerfile never pays for the image or host rules).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from seawall.rules._base import Rule, TargetKind

_DF = frozenset({TargetKind.DOCKERFILE})

# (module, tuple attribute, target kinds its rules serve) — the one list of every rule family.
FAMILIES: tuple[tuple[str, str, frozenset[TargetKind]], ...] = (
    ("seawall.rules.dockerfile.security_rules", "SECURITY_RULES", _DF),
    ("seawall.rules.dockerfile.hygiene_rules", "HYGIENE_RULES", _DF),
    ("seawall.rules.workload", "WORKLOAD_RULES", frozenset({TargetKind.WORKLOAD})),
    ("seawall.rules.compose", "COMPOSE_RULES", frozenset({TargetKind.COMPOSE})),
    ("seawall.rules.image", "IMAGE_RULES", frozenset({TargetKind.IMAGE})),
    ("seawall.rules.host", "HOST_RULES", frozenset({TargetKind.DAEMON, TargetKind.HOST})),
    ("seawall.seccomp.rules", "SECCOMP_RULES", frozenset({TargetKind.SECCOMP_PROFILE})),
    ("seawall.vuln.rules", "VULN_RULES", frozenset({TargetKind.VULNERABILITIES})),
)


def _family(module: str, attr: str) -> tuple[Rule[Any], ...]:
    rules: tuple[Rule[Any], ...] = getattr(importlib.import_module(module), attr)
    return rules


@cache
def rules_for(kind: TargetKind) -> tuple[Rule[Any], ...]:
    """Every rule serving ``kind``, importing only the families declared for it."""
    out: list[Rule[Any]] = []
    for module, attr, kinds in FAMILIES:
        if kind in kinds:
            out.extend(r for r in _family(module, attr) if kind in r.meta.targets)
    return tuple(out)


@cache
def all_rules() -> tuple[Rule[Any], ...]:
    """Every rule of every family, in registry order."""
    out: list[Rule[Any]] = []
    for module, attr, _ in FAMILIES:
        out.extend(_family(module, attr))
    return tuple(out)


@cache
def rules_by_id() -> dict[str, Rule[Any]]:
    """Every rule keyed by id."""
    return {rule.meta.id: rule for rule in all_rules()}


def __getattr__(name: str) -> Any:
    # ALL_RULES / RULES_BY_ID stay available as names, computed on first use.
    if name == "ALL_RULES":
        return all_rules()
    if name == "RULES_BY_ID":
        return rules_by_id()
    raise AttributeError(name)
