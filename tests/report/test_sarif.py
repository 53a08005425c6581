"""SARIF 2.1.0: schema-valid, rules from metadata, levels, fingerprints, fixes, notifications."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from seawall.model.finding import Report, Severity
from seawall.report import render
from seawall.report.sarif import artifact_uri, level
from seawall.rules._base import Rule


def _run(report: Report, rules: dict[str, Rule[Any]]) -> dict[str, Any]:
    log = json.loads(render(report, "sarif", tool_version="0.1.0", rules=rules))
    run: dict[str, Any] = log["runs"][0]
    return run


def test_sarif_golden(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], golden: Callable[[str, str], None]
) -> None:
    golden("report.sarif", render(sample_report, "sarif", tool_version="0.1.0", rules=sample_rules))


def test_validates_against_the_sarif_schema(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], sarif_validator: Any
) -> None:
    log = json.loads(render(sample_report, "sarif", tool_version="0.1.0", rules=sample_rules))
    sarif_validator.validate(log)
    assert log["version"] == "2.1.0"


def test_schema_validation_catches_a_broken_log(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], sarif_validator: Any
) -> None:
    import jsonschema

    log = json.loads(render(sample_report, "sarif", tool_version="0.1.0", rules=sample_rules))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator.validate(log)


def test_rule_descriptors_from_metadata(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    run = _run(sample_report, sample_rules)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["TS001", "TS002", "TS003", "XX999"]
    ts001 = rules[0]
    assert ts001["name"] == "sample-root-user"
    assert ts001["shortDescription"]["text"] == "Sample: the image runs as root"
    assert ts001["fullDescription"]["text"] == "Reports a stage that ends as root."
    assert ts001["help"]["markdown"].startswith("## What it does\nReports a stage")
    assert "Use instead:" in ts001["help"]["markdown"]
    assert ts001["helpUri"] == "https://seawall.dev/rules/TS001"
    assert ts001["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert ts001["properties"]["security-severity"] == "8.0"
    assert ts001["properties"]["aliases"] == ["DL3002", "CKV_DOCKER_8"]
    assert "security" in ts001["properties"]["tags"]
    assert "network" in rules[1]["properties"]["tags"]
    assert rules[2]["defaultConfiguration"]["enabled"] is False
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_levels(severity: Severity, expected: str) -> None:
    assert level(severity) == expected


def test_locations_regions_and_logical_pointer(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    results = _run(sample_report, sample_rules)["results"]
    by_message = {r["message"]["text"]: r for r in results}
    user = by_message["the shipped stage runs as root"]["locations"][0]["physicalLocation"]
    assert user["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert user["region"] == {"startLine": 5, "startColumn": 6, "endLine": 5, "endColumn": 10}
    image = by_message["image config sets no user"]["locations"][0]
    assert image["logicalLocations"] == [{"fullyQualifiedName": "/config/User"}]
    assert image["physicalLocation"]["artifactLocation"]["uri"] == "alpine%3A3.19"
    assert image["physicalLocation"]["region"] == {"startLine": 1}


def test_fingerprints_are_anchors_with_occurrence_numbers(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    duplicate = sample_report.findings[0]
    sample_report.findings.append(duplicate)
    results = _run(sample_report, sample_rules)["results"]
    prints = [r["partialFingerprints"]["seawall/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    assert f"{duplicate.anchor}:1" in prints and f"{duplicate.anchor}:2" in prints


def test_fixes_only_for_safe_and_unsafe(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    results = _run(sample_report, sample_rules)["results"]
    by_message = {r["message"]["text"]: r for r in results}
    assert "fixes" not in by_message["image pulled without a tag"]  # display-only
    assert by_message["image pulled without a tag"]["properties"]["fix"]["applicability"] == (
        "display-only"
    )
    port_fix = by_message["port 80 is published on 0.0.0.0"]["fixes"][0]
    assert port_fix["description"]["text"] == "Bind to 127.0.0.1"
    (change,) = port_fix["artifactChanges"]
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 5, "startColumn": 9, "endLine": 5, "endColumn": 16},
            "insertedContent": {"text": '"127.0.0.1:80:80"'},
        }
    ]
    unsafe = next(r for r in results if r["properties"]["severity"] == "critical")["fixes"][0]
    paths = [c["artifactLocation"]["uri"] for c in unsafe["artifactChanges"]]
    assert paths == [".dockerignore", "Dockerfile"]
    # No text for .dockerignore in the report: character offsets stand in for lines.
    assert unsafe["artifactChanges"][0]["replacements"][0]["deletedRegion"] == {
        "charOffset": 0,
        "charLength": 0,
    }


def test_errors_become_tool_execution_notifications(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    (invocation,) = _run(sample_report, sample_rules)["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [(n["level"], n["properties"]["kind"]) for n in notes] == [
        ("error", "rule-crash"),
        ("error", "parse"),
    ]
    assert notes[1]["message"]["text"] == "line 3: unknown instruction FORM"


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("Dockerfile", "Dockerfile"),
        ("deploy/my app/compose.yaml", "deploy/my%20app/compose.yaml"),
        ("alpine:3.19", "alpine%3A3.19"),
        ("/srv/app/Dockerfile", "file:///srv/app/Dockerfile"),
        ("sub\\Dockerfile", "sub/Dockerfile"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri
