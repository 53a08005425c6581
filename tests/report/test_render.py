"""Dispatch, determinism and properties shared by every output format."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from seawall.errors import ConfigError
from seawall.model.finding import Finding, Location, Report, Severity
from seawall.model.source import SourceFile, Span
from seawall.report import FORMATS, render
from seawall.rules._base import Rule


def test_formats_are_the_four_documented() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit")


def test_unknown_format_is_a_config_error(sample_report: Report) -> None:
    with pytest.raises(ConfigError, match="unknown output format 'yaml'"):
        render(sample_report, "yaml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_does_not_depend_on_finding_order(
    fmt: str, sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    first = render(sample_report, fmt, tool_version="9.9.9", rules=sample_rules)
    random.Random(7).shuffle(sample_report.findings)
    sample_report.errors.reverse()
    assert render(sample_report, fmt, tool_version="9.9.9", rules=sample_rules) == first


@pytest.mark.parametrize("fmt", FORMATS)
def test_tool_version_is_reported(
    fmt: str, sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    out = render(sample_report, fmt, tool_version="7.7.7-test", rules=sample_rules)
    if fmt == "text":
        assert "7.7.7-test" not in out  # the terminal output stays free of noise
    elif fmt == "junit":
        ET.fromstring(out.encode("utf-8"))
    else:
        assert "7.7.7-test" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_report_renders(fmt: str, sarif_validator: Any) -> None:
    out = render(Report(), fmt, tool_version="0.1.0", rules={})
    if fmt == "text":
        assert out == "No findings; 0 errors; 0 suppressed; 0 baselined.\n"
    elif fmt == "json":
        doc = json.loads(out)
        assert doc["findings"] == [] and doc["errors"] == []
        assert doc["summary"]["findings"] == 0
    elif fmt == "sarif":
        doc = json.loads(out)
        sarif_validator.validate(doc)
        assert doc["runs"][0]["results"] == []
        assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True
    else:
        root = ET.fromstring(out.encode("utf-8"))
        assert root.get("tests") == "0" and len(root) == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_undecodable_bytes_in_messages_still_encode(fmt: str) -> None:
    # Values decoded with surrogateescape (e.g. from image metadata) carry lone surrogates.
    source = SourceFile("Dockerfile", "FROM scratch\n")
    finding = Finding(
        rule_id="XX001",
        rule_name="sample",
        message="label value b'\udcff\udcfe' is odd",
        location=Location("Dockerfile", Span(0, 4)),
        severity=Severity.LOW,
        target="Dockerfile",
        anchor="00",
    )
    report = Report(findings=[finding], sources={"Dockerfile": source}, targets=["Dockerfile"])
    out = render(report, fmt, tool_version="0.1.0", rules={})
    encoded = out.encode("utf-8")  # must not raise
    if fmt == "json":
        assert json.loads(encoded)["findings"][0]["message"] == finding.message
    elif fmt == "sarif":
        assert json.loads(encoded)["runs"][0]["results"][0]["message"]["text"] == finding.message
    elif fmt == "junit":
        failure = ET.fromstring(encoded).find("testsuite/testcase/failure")
        assert failure is not None
        assert failure.get("message") == "label value b'\\udcff\\udcfe' is odd"
    else:
        assert "label value b'\\udcff\\udcfe' is odd" in out


def test_default_rules_come_from_the_registry() -> None:
    from seawall.rules import ALL_RULES

    if not ALL_RULES:
        pytest.skip("the registry has no rules yet")
    rule = ALL_RULES[0]
    source = SourceFile("Dockerfile", "FROM scratch\n")
    finding = Finding(
        rule_id=rule.meta.id,
        rule_name=rule.meta.name,
        message="m",
        location=Location("Dockerfile", Span(0, 4)),
        severity=rule.meta.severity,
        target="Dockerfile",
        anchor="00",
    )
    report = Report(findings=[finding], sources={"Dockerfile": source}, targets=["Dockerfile"])
    doc = json.loads(render(report, "json"))
    assert doc["findings"][0]["title"] == rule.meta.title
    assert doc["findings"][0]["aliases"] == list(rule.meta.aliases)
