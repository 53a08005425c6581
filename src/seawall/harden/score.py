"""A 0-100 hardening score per service: 100 minus the weighted findings that belong to it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from seawall.model.finding import Finding, Severity

# One critical finding costs as much as five medium ones; INFO never costs anything.
SEVERITY_WEIGHTS: Mapping[Severity, int] = {
    Severity.CRITICAL: 40,
    Severity.HIGH: 20,
    Severity.MEDIUM: 8,
    Severity.LOW: 3,
    Severity.INFO: 0,
}
PROJECT = "(project)"  # findings that belong to no single service (networks, top-level secrets)


@dataclass(frozen=True)
class ScoreRow:
    """The score of one service (or of the project-wide findings) and what it is made of."""

    name: str
    score: int
    findings: int
    penalty: int


def penalty(findings: Iterable[Finding]) -> int:
    """The summed severity weights of ``findings``."""
    return sum(SEVERITY_WEIGHTS[f.severity] for f in findings)


def score_rows(by_owner: Mapping[str, list[Finding]], services: Iterable[str]) -> list[ScoreRow]:
    """One row per service (in the given order), plus a project row when it has findings."""
    rows = []
    for name in services:
        found = by_owner.get(name, [])
        cost = penalty(found)
        rows.append(ScoreRow(name, max(0, 100 - cost), len(found), cost))
    project = by_owner.get(PROJECT, [])
    if project:
        cost = penalty(project)
        rows.append(ScoreRow(PROJECT, max(0, 100 - cost), len(project), cost))
    return rows


def overall(rows: Iterable[ScoreRow]) -> int:
    """The project score: the mean of the rows, rounded (100 for a project with nothing to score)."""
    scores = [r.score for r in rows]
    return round(sum(scores) / len(scores)) if scores else 100
