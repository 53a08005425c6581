"""JUnit XML: parses back, one suite per file, one case per rule that fired, errors as <error>."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from seawall.model.finding import Report
from seawall.report import render
from seawall.report.junit import PASSING_CASE
from seawall.rules._base import Rule


def _root(report: Report, rules: dict[str, Rule[Any]]) -> ET.Element:
    return ET.fromstring(render(report, "junit", rules=rules).encode("utf-8"))


def test_junit_golden(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], golden: Callable[[str, str], None]
) -> None:
    golden("report.xml", render(sample_report, "junit", tool_version="0.1.0", rules=sample_rules))


def test_suites_per_path_and_totals(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    root = _root(sample_report, sample_rules)
    suites = {s.get("name", ""): s for s in root.iter("testsuite")}
    assert sorted(suites) == [
        "Dockerfile",
        "alpine:3.19",
        "broken/Dockerfile",
        "clean/Dockerfile",
        "compose.yaml",
    ]
    for suite in suites.values():
        assert suite.get("tests") == str(len(suite.findall("testcase")))
        assert suite.get("failures") == str(len(suite.findall("testcase/failure")))
        assert suite.get("errors") == str(len(suite.findall("testcase/error")))
    assert root.get("tests") == str(len(root.findall("testsuite/testcase")))
    assert root.get("failures") == "4"  # TS001; TS002 and XX999 in compose.yaml; TS003
    assert root.get("errors") == "2"


def test_one_case_per_rule_listing_every_location(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    root = _root(sample_report, sample_rules)
    dockerfile = next(s for s in root.iter("testsuite") if s.get("name") == "Dockerfile")
    case = next(c for c in dockerfile.iter("testcase") if c.get("name") == "TS001 sample-root-user")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "TS001 [critical]"
    assert case.get("line") == "3"
    text = failure.text or ""
    assert text.splitlines()[0].startswith("Dockerfile:3:1: TS001 [critical] RUN installs packages")
    assert text.splitlines()[1] == "Dockerfile:5:6: TS001 [high] the shipped stage runs as root"


def test_escaping_and_control_characters(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    out = render(sample_report, "junit", rules=sample_rules)
    assert "\x1b" not in out
    failure = ET.fromstring(out.encode("utf-8")).find(".//testcase[@line='3']/failure")
    assert failure is not None
    assert '& <never> drops "privileges" \\x1b[0m' in (failure.text or "")


def test_clean_targets_pass_and_errors_are_error_elements(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    root = _root(sample_report, sample_rules)
    suites = {s.get("name", ""): s for s in root.iter("testsuite")}
    (clean,) = suites["clean/Dockerfile"].findall("testcase")
    assert clean.get("name") == PASSING_CASE and len(clean) == 0
    (broken,) = suites["broken/Dockerfile"].findall("testcase")
    error = broken.find("error")
    assert error is not None and error.get("type") == "parse"
    assert error.get("message") == "line 3: unknown instruction FORM"
