"""What hardening changed, per service: the score before and after, the findings it resolved,
the ones it introduced or left, and the changes backed out because they broke the service."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from seawall.harden.plan import Assessment, Change
from seawall.harden.score import PROJECT, ScoreRow, overall, score_rows
from seawall.model.finding import Finding


@dataclass(frozen=True)
class ServiceSummary:
    """The hardening of one service (or of the project-wide findings)."""

    name: str
    before: int
    after: int
    resolved: tuple[str, ...]
    introduced: tuple[str, ...]
    remaining: tuple[str, ...]
    backed_out: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """Per-service summaries and the overall scores."""

    services: tuple[ServiceSummary, ...]
    before: int
    after: int


def _key(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.message}"


def _difference(a: Iterable[Finding], b: Iterable[Finding]) -> tuple[str, ...]:
    """Findings of ``a`` not matched by one of ``b`` (by rule and message, as a multiset)."""
    left = Counter(_key(f) for f in a)
    left.subtract(Counter(_key(f) for f in b))
    return tuple(sorted(key for key, count in left.items() for _ in range(max(0, count))))


def summarize(before: Assessment, after: Assessment, backed_out: Iterable[Change] = ()) -> Summary:
    """Compare two assessments of the same project (original and hardened)."""
    services = list(before.ownership.services)
    services += [s for s in after.ownership.services if s not in services]
    old, new = before.by_owner(), after.by_owner()
    rows_before = {r.name: r for r in score_rows(old, services)}
    rows_after = {r.name: r for r in score_rows(new, services)}
    names = services + ([PROJECT] if PROJECT in rows_before or PROJECT in rows_after else [])
    backed = list(backed_out)
    summaries = []
    for name in names:
        was, now = old.get(name, []), new.get(name, [])
        summaries.append(
            ServiceSummary(
                name,
                _score(rows_before, name),
                _score(rows_after, name),
                resolved=_difference(was, now),
                introduced=_difference(now, was),
                remaining=tuple(sorted(_key(f) for f in now)),
                backed_out=tuple(sorted(c.label for c in backed if name in c.services)),
            )
        )
    return Summary(tuple(summaries), overall(rows_before.values()), overall(rows_after.values()))


def _score(rows: dict[str, ScoreRow], name: str) -> int:
    row = rows.get(name)
    return row.score if row is not None else 100


def render_summary(summary: Summary) -> str:
    """The summary as text: a score table, then what changed per service."""
    width = max([len(s.name) for s in summary.services] + [len("overall")])
    lines = [f"{'service':<{width}}  before  after"]
    for s in summary.services:
        lines.append(f"{s.name:<{width}}  {s.before:>6}  {s.after:>5}")
    lines.append(f"{'overall':<{width}}  {summary.before:>6}  {summary.after:>5}")
    for s in summary.services:
        lines.append("")
        lines.append(f"{s.name}: {len(s.resolved)} resolved, {len(s.remaining)} remaining")
        lines.extend(f"  fixed     {item}" for item in s.resolved)
        lines.extend(f"  new       {item}" for item in s.introduced)
        lines.extend(f"  backed out {item}" for item in s.backed_out)
        lines.extend(f"  remaining {item}" for item in s.remaining if item not in set(s.introduced))
    return "\n".join(lines) + "\n"
