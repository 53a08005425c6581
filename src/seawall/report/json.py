"""Machine-readable JSON (format version 1): stable key order, no timestamps, paths as given.

Lines and columns are 1-based; ``end_column`` is the column just after the last character (so an
insertion point has ``column == end_column``). They are null for JSON-pointer locations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from seawall.model.finding import Finding, Report
from seawall.model.fix import Applicability, Fix
from seawall.report._common import (
    edit_path,
    finding_range,
    fix_counts,
    ordered_errors,
    ordered_findings,
    severity_counts,
    span_range,
)
from seawall.rules._base import Rule

FORMAT_VERSION = 1


def render(
    report: Report,
    *,
    color: bool = False,
    tool_version: str = "",
    rules: Mapping[str, Rule[Any]] | None = None,
) -> str:
    """The report as a JSON document (see the module docstring for the conventions)."""
    known = rules or {}
    findings = ordered_findings(report)
    document = {
        "version": FORMAT_VERSION,
        "tool": {"name": "seawall", "version": tool_version},
        "findings": [_finding(report, f, known.get(f.rule_id)) for f in findings],
        "errors": [
            {"path": e.path, "kind": e.kind, "message": e.message} for e in ordered_errors(report)
        ],
        "summary": _summary(report, findings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(report: Report, finding: Finding, rule: Rule[Any] | None) -> dict[str, Any]:
    rng = finding_range(report, finding)
    meta = rule.meta if rule is not None else None
    return {
        "code": finding.rule_id,
        "name": finding.rule_name,
        "title": meta.title if meta else None,
        "severity": finding.severity.label,
        "path": finding.location.path,
        "line": rng.line if rng else None,
        "column": rng.column if rng else None,
        "end_line": rng.end_line if rng else None,
        "end_column": rng.end_column if rng else None,
        "pointer": finding.location.pointer,
        "message": finding.message,
        "target": finding.target,
        "fingerprint": finding.anchor,
        "aliases": list(meta.aliases) if meta else [],
        "references": [
            {"standard": r.standard, "id": r.ident, "title": r.title}
            for r in (meta.references if meta else ())
        ],
        "fix": _fix(report, finding, finding.fix) if finding.fix else None,
    }


def _fix(report: Report, finding: Finding, fix: Fix) -> dict[str, Any]:
    edits = []
    for edit in fix.edits:
        path = edit_path(finding, edit)
        rng = span_range(report, path, edit.span)
        edits.append(
            {
                "path": path,
                "line": rng.line if rng else None,
                "column": rng.column if rng else None,
                "end_line": rng.end_line if rng else None,
                "end_column": rng.end_column if rng else None,
                "content": None if edit.sensitive else edit.content,
            }
        )
    return {"title": fix.title, "applicability": fix.applicability.value, "edits": edits}


def _summary(report: Report, findings: list[Finding]) -> dict[str, Any]:
    fixes = fix_counts(findings)
    return {
        "findings": len(findings),
        "by_severity": {sev.label: n for sev, n in severity_counts(findings).items()},
        "fixable": {
            "safe": fixes[Applicability.SAFE],
            "unsafe": fixes[Applicability.UNSAFE],
            "display_only": fixes[Applicability.DISPLAY_ONLY],
        },
        "errors": len(report.errors),
        "suppressed": report.suppressed,
        "baselined": report.baselined,
        "targets": len(report.targets),
    }
