"""Reporters on real input: the shared Dockerfile corpus checked by the real rules, and the
metadata of every registered rule."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from corpus import SHARED
from seawall.config import Config
from seawall.model.finding import Finding, Location, Report
from seawall.model.source import SourceFile, Span
from seawall.report import render
from seawall.rules import ALL_RULES
from seawall.targets.dockerfile import check_dockerfile

CORPUS = SHARED / "corpus"
SAMPLE_EVERY = 3


@pytest.fixture(scope="module")
def corpus_report() -> Report:
    folder = CORPUS / "dockerfiles"
    if not folder.is_dir():
        pytest.skip(f"corpus not present at {folder}")
    report = Report()
    # Every third file keeps this quick while still covering every corner of the corpus.
    for path in sorted(p for p in folder.rglob("*") if p.is_file())[::SAMPLE_EVERY]:
        report.extend(check_dockerfile(path, path.relative_to(CORPUS).as_posix(), Config()))
    report.sort()
    assert len(report.targets) > 100
    return report


def test_json_positions_point_back_at_the_spans(corpus_report: Report) -> None:
    doc = json.loads(render(corpus_report, "json"))
    assert len(doc["findings"]) == len(corpus_report.findings) > 0
    by_path: dict[str, list[Finding]] = {}
    for f in corpus_report.findings:
        by_path.setdefault(f.location.path, []).append(f)
    for item, finding in zip(doc["findings"], corpus_report.findings, strict=True):
        assert item["code"] == finding.rule_id and item["path"] == finding.location.path
        span = finding.location.span
        if span is None:
            continue
        source = corpus_report.sources[finding.location.path]
        assert source.offset(item["line"], item["column"]) == span.start
        assert source.offset(item["end_line"], item["end_column"]) == span.end
    assert doc["summary"]["errors"] == len(corpus_report.errors)


def test_sarif_of_the_corpus_is_schema_valid(corpus_report: Report, sarif_validator: Any) -> None:
    log = json.loads(render(corpus_report, "sarif"))
    sarif_validator.validate(log)
    run = log["runs"][0]
    assert len(run["results"]) == len(corpus_report.findings)
    notes = run["invocations"][0].get("toolExecutionNotifications", [])
    assert len(notes) == len(corpus_report.errors)


def test_junit_of_the_corpus_parses_and_counts(corpus_report: Report) -> None:
    root = ET.fromstring(render(corpus_report, "junit").encode("utf-8"))
    assert len(root.findall("testsuite")) == len(set(corpus_report.targets))
    assert root.get("errors") == str(len(corpus_report.errors))
    failures = {(f.location.path, f.rule_id) for f in corpus_report.findings}
    assert root.get("failures") == str(len(failures))


def test_text_of_the_corpus_has_one_header_per_finding(corpus_report: Report) -> None:
    out = render(corpus_report, "text")
    headers = [
        line for line in out.splitlines() if line.startswith("dockerfiles/") and "] " in line
    ]
    assert len(headers) == len(corpus_report.findings)
    count = len(corpus_report.findings)
    summary = [line for line in out.splitlines() if line.startswith(f"Found {count} findings (")]
    assert len(summary) == 1
    assert f"; {len(corpus_report.errors)} errors;" in summary[0]


def test_every_registered_rule_makes_a_valid_sarif_descriptor(sarif_validator: Any) -> None:
    if not ALL_RULES:
        pytest.skip("the registry has no rules yet")
    source = SourceFile("Dockerfile", "FROM scratch\n")
    findings = [
        Finding(
            rule_id=rule.meta.id,
            rule_name=rule.meta.name,
            message=rule.meta.title,
            location=Location("Dockerfile", Span(0, 4)),
            severity=rule.meta.severity,
            target="Dockerfile",
            anchor=f"{index:016x}",
        )
        for index, rule in enumerate(ALL_RULES)
    ]
    report = Report(findings=findings, sources={"Dockerfile": source}, targets=["Dockerfile"])
    log = json.loads(render(report, "sarif"))
    sarif_validator.validate(log)
    descriptors = log["runs"][0]["tool"]["driver"]["rules"]
    assert sorted(d["id"] for d in descriptors) == sorted(r.meta.id for r in ALL_RULES)
    assert all(d["help"]["markdown"].startswith("## What it does") for d in descriptors)
