"""JUnit XML for CI dashboards: one testsuite per file, one testcase per rule that fired there.

A rule that fired several times in one file is one failing testcase listing every location. Target
errors (unreadable, unparsable, crashed rule) are ``<error>`` testcases. A target without findings
or errors gets one passing testcase so that it shows up as checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from seawall.model.finding import Finding, Report, TargetError
from seawall.report._common import finding_range, ordered_errors, ordered_findings, plural
from seawall.rules._base import Rule

PASSING_CASE = "no findings"

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _xml_text(text: str) -> str:
    """``text`` with characters XML 1.0 cannot carry written as Python-style escapes."""
    return _NOT_XML.sub(_escape_char, text)


def _location(report: Report, finding: Finding) -> str:
    rng = finding_range(report, finding)
    path = finding.location.path
    if rng is not None:
        return f"{path}:{rng.line}:{rng.column}"
    if finding.location.pointer is not None:
        return f"{path}#{finding.location.pointer}"
    return path


def render(
    report: Report,
    *,
    color: bool = False,
    tool_version: str = "",
    rules: Mapping[str, Rule[Any]] | None = None,
) -> str:
    """The report as a JUnit XML document."""
    findings = ordered_findings(report)
    errors = ordered_errors(report)
    by_path: dict[str, dict[str, list[Finding]]] = {}
    for finding in findings:
        per_rule = by_path.setdefault(finding.location.path, {})
        per_rule.setdefault(finding.rule_id, []).append(finding)
    errors_by_path: dict[str, list[TargetError]] = {}
    for error in errors:
        errors_by_path.setdefault(error.path, []).append(error)
    paths = sorted({*report.targets, *by_path, *errors_by_path})

    root = ET.Element("testsuites", name="seawall")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for path in paths:
        suite = _suite(report, path, by_path.get(path, {}), errors_by_path.get(path, []))
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _suite(
    report: Report, path: str, per_rule: dict[str, list[Finding]], errors: list[TargetError]
) -> ET.Element:
    suite = ET.Element("testsuite", name=_xml_text(path))
    for rule_id in sorted(per_rule):
        hits = per_rule[rule_id]
        first = hits[0]
        worst = max(hits, key=lambda h: h.severity)  # the first of the most severe
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml_text(path),
            name=_xml_text(f"{rule_id} {first.rule_name}"),
            file=_xml_text(path),
        )
        rng = finding_range(report, first)
        if rng is not None:
            case.set("line", str(rng.line))
        summary = worst.message
        if len(hits) > 1:
            summary += f" ({plural(len(hits), 'finding')})"
        failure = ET.SubElement(
            case, "failure", message=_xml_text(summary), type=f"{rule_id} [{worst.severity.label}]"
        )
        failure.text = _xml_text(
            "\n".join(
                f"{_location(report, h)}: {h.rule_id} [{h.severity.label}] {h.message}"
                for h in hits
            )
        )
    for error in errors:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml_text(path),
            name=_xml_text(f"error: {error.kind}"),
            file=_xml_text(path),
        )
        element = ET.SubElement(case, "error", message=_xml_text(error.message), type=error.kind)
        element.text = _xml_text(f"{path}: error: {error.message}")
    if not per_rule and not errors:
        ET.SubElement(
            suite, "testcase", classname=_xml_text(path), name=PASSING_CASE, file=_xml_text(path)
        )
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(len(per_rule)))
    suite.set("errors", str(len(errors)))
    suite.set("skipped", "0")
    return suite
