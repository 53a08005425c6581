"""Findings, their severities and locations, and the Report that collects them.

Findings and locations are immutable named tuples (see ``seawall.model.source`` for why).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NamedTuple

from seawall.model.fix import Fix
from seawall.model.source import SourceFile, Span


class Severity(IntEnum):
    """How bad a finding is; ordered so that thresholds compare naturally."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a severity name, case-insensitively."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {names})") from None

    @property
    def label(self) -> str:
        """Lower-case name used in output."""
        return self.name.lower()


class Location(NamedTuple):
    """Where a finding is: a span in a text file, or a JSON pointer into a structured document."""

    path: str
    span: Span | None = None
    pointer: str | None = None


class Finding(NamedTuple):
    """One problem found by one rule in one place.

    ``anchor`` is a structural identity (never a line number) used by baselines; secret values are
    only ever hashed into it.
    """

    rule_id: str
    rule_name: str
    message: str
    location: Location
    severity: Severity
    target: str
    anchor: str
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Deterministic order: path, position, rule, message."""
        span = self.location.span
        start = span.start if span else -1
        end = span.end if span else -1
        return (self.location.path, start, end, self.rule_id, self.message)


class TargetError(NamedTuple):
    """A target that could not be read or parsed (exit code 2), or a rule that crashed on it."""

    path: str
    message: str
    kind: str = "source"  # source | parse | rule-crash | config


class Report:
    """Everything one run produced: findings (sorted), errors, and the sources needed to render them."""

    __slots__ = (
        "baselined",
        "errors",
        "findings",
        "rules",
        "sources",
        "suppressed",
        "targets",
        "text_blocks",
    )

    def __init__(
        self,
        findings: list[Finding] | None = None,
        errors: list[TargetError] | None = None,
        sources: dict[str, SourceFile] | None = None,
        targets: list[str] | None = None,
        suppressed: int = 0,
        baselined: int = 0,
        rules: dict[str, Any] | None = None,
    ) -> None:
        self.findings: list[Finding] = [] if findings is None else findings
        self.errors: list[TargetError] = [] if errors is None else errors
        self.sources: dict[str, SourceFile] = {} if sources is None else sources
        self.targets: list[str] = [] if targets is None else targets
        self.suppressed = suppressed
        self.baselined = baselined
        self.rules: dict[str, Any] = {} if rules is None else rules  # id -> Rule that ran
        # Text-format blocks already rendered, by (colour, finding): forked workers render the
        # findings of the files they check (``seawall.report.text.prerender``).
        self.text_blocks: dict[tuple[bool, Finding], str] = {}

    def __repr__(self) -> str:
        return (
            f"Report({len(self.findings)} findings, {len(self.errors)} errors,"
            f" {len(self.targets)} targets)"
        )

    def sort(self) -> None:
        """Put findings and errors in their deterministic order."""
        self.findings.sort(key=Finding.sort_key)
        self.errors.sort(key=lambda e: (e.path, e.kind, e.message))

    def extend(self, other: Report) -> None:
        """Merge another report into this one."""
        self.findings.extend(other.findings)
        self.errors.extend(other.errors)
        self.sources.update(other.sources)
        self.targets.extend(other.targets)
        self.suppressed += other.suppressed
        self.baselined += other.baselined
        self.rules.update(other.rules)
        self.text_blocks.update(other.text_blocks)
