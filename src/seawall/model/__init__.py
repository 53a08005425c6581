"""Values shared by every part of seawall: sources and spans, findings, fixes."""

from seawall.model.finding import Finding, Location, Report, Severity, TargetError
from seawall.model.fix import Applicability, Edit, Fix
from seawall.model.source import Position, SourceFile, Span

__all__ = [
    "Applicability",
    "Edit",
    "Finding",
    "Fix",
    "Location",
    "Position",
    "Report",
    "Severity",
    "SourceFile",
    "Span",
    "TargetError",
]
