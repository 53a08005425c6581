"""SARIF 2.1.0 for code-scanning services: rules from metadata, fixes as replacements.

Columns are Unicode code points (``run.columnKind``), matching seawall's character offsets.
``partialFingerprints["seawall/v1"]`` is the finding's structural anchor plus an occurrence number,
so results keep their identity when lines move. Results located by a JSON pointer (image config,
inspect output) carry it as ``logicalLocations[].fullyQualifiedName`` and a nominal line 1 region.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from seawall.model.finding import Finding, Report, Severity
from seawall.model.fix import Applicability, Edit
from seawall.model.source import Span
from seawall.report._common import edit_path, ordered_errors, ordered_findings, span_range
from seawall.rules._base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://seawall.dev/rules/{id}"
INFORMATION_URI = "https://seawall.dev"
FINGERPRINT_KEY = "seawall/v1"

SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def level(severity: Severity) -> str:
    """SARIF result level: error for HIGH/CRITICAL, warning for MEDIUM, note below."""
    if severity >= Severity.HIGH:
        return "error"
    if severity is Severity.MEDIUM:
        return "warning"
    return "note"


def artifact_uri(path: str) -> str:
    """A URI reference for ``path``: relative paths stay relative (percent-encoded)."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return PurePosixPath(posix).as_uri()
    # ':' is encoded so that "alpine:3.19" or "C:x" can't read as a URI scheme.
    return quote(posix, safe="/-._~!$&'()*+,;=@")


def render(
    report: Report,
    *,
    color: bool = False,
    tool_version: str = "",
    rules: Mapping[str, Rule[Any]] | None = None,
) -> str:
    """The report as a SARIF 2.1.0 log with one run."""
    known = rules or {}
    findings = ordered_findings(report)
    rule_ids = sorted({f.rule_id for f in findings})
    first_seen = {f.rule_id: f for f in reversed(findings)}
    descriptors = [_descriptor(rid, known.get(rid), first_seen[rid]) for rid in rule_ids]
    index = {rid: i for i, rid in enumerate(rule_ids)}
    occurrences: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in findings:
        key = (finding.rule_id, finding.location.path, finding.anchor)
        occurrences[key] += 1
        results.append(_result(report, finding, index[finding.rule_id], occurrences[key]))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "seawall",
                "version": tool_version,
                "semanticVersion": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule_id: str, rule: Rule[Any] | None, example: Finding) -> dict[str, Any]:
    if rule is None:
        # A finding from a rule the registry does not know: describe what we can.
        return {
            "id": rule_id,
            "name": example.rule_name,
            "shortDescription": {"text": example.rule_name},
            "helpUri": HELP_URI.format(id=rule_id),
            "defaultConfiguration": {"level": level(example.severity)},
            "properties": {
                "tags": ["security"],
                "security-severity": SECURITY_SEVERITY[example.severity],
            },
        }
    from seawall.ruledoc import docstring_sections, reference_label, rule_docstring

    meta = rule.meta
    docstring = rule_docstring(rule)
    what = docstring_sections(rule).get("What it does", "").strip() or meta.title
    help_text = meta.remediation or meta.title
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": what, "markdown": what},
        "help": {"text": help_text, "markdown": docstring or help_text},
        "helpUri": HELP_URI.format(id=meta.id),
        "defaultConfiguration": {"level": level(meta.severity), "enabled": meta.default_enabled},
        "properties": {
            "tags": ["security", *sorted(kind.value for kind in meta.targets), *meta.tags],
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "aliases": list(meta.aliases),
            "references": [reference_label(r) for r in meta.references],
        },
    }


def _region(report: Report, path: str, span: Span) -> dict[str, int]:
    rng = span_range(report, path, span)
    if rng is None:
        # Without the text we can't count lines; character offsets are still exact.
        return {"charOffset": span.start, "charLength": span.end - span.start}
    return {
        "startLine": rng.line,
        "startColumn": rng.column,
        "endLine": rng.end_line,
        "endColumn": rng.end_column,
    }


def _artifact(path: str) -> dict[str, str]:
    location = {"uri": artifact_uri(path)}
    if not path.startswith("/"):
        location["uriBaseId"] = "%SRCROOT%"
    return location


def _result(report: Report, finding: Finding, rule_index: int, occurrence: int) -> dict[str, Any]:
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc.path)}
    if loc.span is not None:
        physical["region"] = _region(report, loc.path, loc.span)
    else:
        # Code-scanning services show only results with a start line; the pointer (below) is
        # the exact place, line 1 just anchors the result to the artifact.
        physical["region"] = {"startLine": 1}
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc.pointer is not None:
        location["logicalLocations"] = [{"fullyQualifiedName": loc.pointer}]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f"{finding.anchor}:{occurrence}"},
        "properties": {"severity": finding.severity.label, "target": finding.target},
    }
    fix = finding.fix
    if fix is not None:
        result["properties"]["fix"] = {"title": fix.title, "applicability": fix.applicability.value}
        shown = not any(edit.sensitive for edit in fix.edits)  # never a secret in the output
        if shown and fix.applicability in (Applicability.SAFE, Applicability.UNSAFE):
            result["fixes"] = [_fix(report, finding, fix.title, fix.edits)]
    return result


def _fix(report: Report, finding: Finding, title: str, edits: tuple[Edit, ...]) -> dict[str, Any]:
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit_path(finding, edit), []).append(edit)
    changes = [
        {
            "artifactLocation": _artifact(path),
            "replacements": [
                {
                    "deletedRegion": _region(report, path, edit.span),
                    "insertedContent": {"text": edit.content},
                }
                for edit in sorted(path_edits, key=lambda e: e.span)
            ],
        }
        for path, path_edits in sorted(by_path.items())
    ]
    return {"description": {"text": title}, "artifactChanges": changes}


def _invocation(report: Report) -> dict[str, Any]:
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.path)}}],
            "properties": {"kind": error.kind},
        }
        for error in ordered_errors(report)
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation
