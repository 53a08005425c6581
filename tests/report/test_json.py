"""The JSON format: versioned document with positions, metadata, fixes, errors and a summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from seawall.model.finding import Report
from seawall.report import render
from seawall.rules._base import Rule


def _doc(report: Report, rules: dict[str, Rule[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(render(report, "json", tool_version="0.1.0", rules=rules))
    return out


def test_json_golden(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], golden: Callable[[str, str], None]
) -> None:
    golden("report.json", render(sample_report, "json", tool_version="0.1.0", rules=sample_rules))


def test_document_header(sample_report: Report, sample_rules: dict[str, Rule[Any]]) -> None:
    doc = _doc(sample_report, sample_rules)
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "seawall", "version": "0.1.0"}
    assert list(doc) == ["version", "tool", "findings", "errors", "summary"]


def test_positions_are_one_based_with_exclusive_end(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    findings = _doc(sample_report, sample_rules)["findings"]
    by_message = {f["message"]: f for f in findings}
    user = by_message["the shipped stage runs as root"]
    assert (user["line"], user["column"], user["end_line"], user["end_column"]) == (5, 6, 5, 10)
    insertion = by_message["service has no network"]
    assert insertion["column"] == insertion["end_column"] == 7
    pointer = by_message["image config sets no user"]
    assert pointer["pointer"] == "/config/User"
    assert pointer["line"] is pointer["column"] is pointer["end_line"] is None


def test_metadata_from_rules_and_unknown_rules(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    findings = _doc(sample_report, sample_rules)["findings"]
    user = next(f for f in findings if f["code"] == "TS001")
    assert user["aliases"] == ["DL3002", "CKV_DOCKER_8"]
    assert user["references"][0] == {
        "standard": "CIS Docker Benchmark v1.6.0",
        "id": "4.1",
        "title": "Ensure that a user for the container has been created",
    }
    unknown = next(f for f in findings if f["code"] == "XX999")
    assert unknown["title"] is None and unknown["aliases"] == [] and unknown["references"] == []


def test_fix_edits_have_ranges_per_file(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    findings = _doc(sample_report, sample_rules)["findings"]
    unsafe = next(f for f in findings if f["severity"] == "critical")["fix"]
    assert unsafe["applicability"] == "unsafe"
    in_dockerfile, other_file = unsafe["edits"]
    assert in_dockerfile == {
        "path": "Dockerfile",
        "line": 4,
        "column": 28,
        "end_line": 4,
        "end_column": 28,
        "content": "\nRUN useradd --uid 10001 app",
    }
    # The report has no text for .dockerignore, so its positions are unknown rather than guessed.
    assert other_file["path"] == ".dockerignore" and other_file["line"] is None


def test_summary(sample_report: Report, sample_rules: dict[str, Rule[Any]]) -> None:
    summary = _doc(sample_report, sample_rules)["summary"]
    assert summary == {
        "findings": 7,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 2, "info": 2},
        "fixable": {"safe": 2, "unsafe": 1, "display_only": 1},
        "errors": 2,
        "suppressed": 2,
        "baselined": 1,
        "targets": 5,
    }
