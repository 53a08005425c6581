"""What every output format needs: ordered findings, line/column ranges, rule look-up, counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from seawall.model.finding import Finding, Report, Severity, TargetError
from seawall.model.fix import Applicability, Edit
from seawall.model.source import Span
from seawall.rules._base import Rule

FIX_LABELS = {
    Applicability.SAFE: "safe",
    Applicability.UNSAFE: "unsafe",
    Applicability.DISPLAY_ONLY: "suggestion",
}


class Range(NamedTuple):
    """A 1-based line/column range; ``end_column`` is the column just after the last character."""

    line: int
    column: int
    end_line: int
    end_column: int


def span_range(report: Report, path: str, span: Span | None) -> Range | None:
    """Line/column range of ``span`` in ``path``, or None without a span or the file's text."""
    if span is None:
        return None
    source = report.sources.get(path)
    if source is None:
        return None
    start = source.position(span.start)
    end = source.position(min(span.end, len(source.text)))
    return Range(start.line, start.column, end.line, end.column)


def finding_range(report: Report, finding: Finding) -> Range | None:
    """Line/column range of a finding's primary location."""
    return span_range(report, finding.location.path, finding.location.span)


def edit_path(finding: Finding, edit: Edit) -> str:
    """The file an edit applies to (its own path, or the finding's file)."""
    return edit.path or finding.location.path


def ordered_findings(report: Report) -> list[Finding]:
    """Findings in their deterministic order (the engine sorts too; reporters never rely on it)."""
    return sorted(report.findings, key=Finding.sort_key)


def ordered_errors(report: Report) -> list[TargetError]:
    """Errors in their deterministic order."""
    return sorted(report.errors, key=lambda e: (e.path, e.kind, e.message))


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings there are of each severity, most severe first (zeros included)."""
    counts = Counter(f.severity for f in findings)
    return {sev: counts.get(sev, 0) for sev in sorted(Severity, reverse=True)}


def fix_counts(findings: Iterable[Finding]) -> dict[Applicability, int]:
    """How many findings carry a fix of each applicability."""
    counts = Counter(f.fix.applicability for f in findings if f.fix is not None)
    return {app: counts.get(app, 0) for app in Applicability}


def registry() -> Mapping[str, Rule[Any]]:
    """The rule registry, imported only when a reporter needs rule metadata."""
    from seawall.rules import RULES_BY_ID

    return RULES_BY_ID


def plural(count: int, noun: str) -> str:
    """``1 finding`` / ``2 findings``."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
