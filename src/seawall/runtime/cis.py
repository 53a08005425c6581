"""CIS Docker Benchmark 1.6.0: the control list, which rules cover each control, and a summary.

A control's status: ``fail`` (a covering rule found something), ``pass`` (covering rules ran and
found nothing), ``not-evaluated`` (every covering rule said it could not judge, e.g. needs root),
``not-applicable`` (what the control checks does not exist here, e.g. no TLS files), ``manual``
(a manual control: shown for review) or ``not-covered`` (no seawall rule for it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from seawall.errors import ConfigError
from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, Rule

BENCHMARKS = ("cis-docker-1.6",)  # each has data/<name>.json
STATUSES = ("fail", "pass", "not-evaluated", "not-applicable", "manual", "not-covered")


@dataclass(frozen=True)
class Control:
    """One benchmark recommendation."""

    id: str
    title: str
    assessment: str  # "automated" | "manual"
    section: str

    @property
    def manual(self) -> bool:
        """Manual controls need a human to judge them."""
        return self.assessment == "manual"


@dataclass(frozen=True)
class ControlResult:
    """The outcome for one control in one audit."""

    control: Control
    status: str
    rules: tuple[str, ...]
    findings: int
    note: str = ""


def _key(ident: str) -> tuple[int, ...]:
    return tuple(int(part) for part in ident.split("."))


@cache
def load_controls(benchmark: str = "cis-docker-1.6") -> tuple[Control, ...]:
    """The controls of a benchmark, in document order."""
    if benchmark not in BENCHMARKS:
        raise ConfigError(f"unknown benchmark {benchmark!r} (known: {', '.join(BENCHMARKS)})")
    text = (Path(__file__).parent.parent / "data" / f"{benchmark}.json").read_text("utf-8")
    data = json.loads(text)
    sections: Mapping[str, str] = data["sections"]
    controls = [
        Control(c["id"], c["title"], c["assessment"], sections.get(c["id"].split(".")[0], ""))
        for c in data["controls"]
    ]
    return tuple(sorted(controls, key=lambda c: _key(c.id)))


def coverage(rules: Iterable[Rule[Any]]) -> dict[str, tuple[str, ...]]:
    """Control id → ids of the rules that cite it."""
    covered: dict[str, list[str]] = {}
    for rule in rules:
        for ref in rule.meta.references:
            if ref.standard == CIS_DOCKER.name:
                covered.setdefault(ref.ident, []).append(rule.meta.id)
    return {control: tuple(sorted(set(ids))) for control, ids in covered.items()}


def evaluate(
    findings: Sequence[Finding],
    rules_run: Iterable[Rule[Any]],
    not_evaluated: Mapping[str, str],
    not_applicable: Mapping[str, str] | None = None,
    benchmark: str = "cis-docker-1.6",
) -> list[ControlResult]:
    """Every control's status from one audit's findings and the rules that ran."""
    ran = list(rules_run)
    covered = coverage(ran)
    by_rule: dict[str, int] = {}
    for finding in findings:
        by_rule[finding.rule_id] = by_rule.get(finding.rule_id, 0) + 1
    results = []
    for control in load_controls(benchmark):
        rules = covered.get(control.id, ())
        count = sum(by_rule.get(r, 0) for r in rules)
        skipped = [r for r in rules if r in not_evaluated and not by_rule.get(r)]
        absent = [r for r in rules if r in (not_applicable or {}) and not by_rule.get(r)]
        if not rules:
            status = "manual" if control.manual else "not-covered"
            note = ""
        elif control.manual:
            status, note = "manual", f"{count} item(s) to review" if count else ""
        elif count:
            status, note = "fail", ""
        elif len(skipped) == len(rules):
            status, note = "not-evaluated", not_evaluated[skipped[0]]
        elif len(absent) == len(rules):
            status, note = "not-applicable", (not_applicable or {})[absent[0]]
        else:
            status, note = "pass", ""
        results.append(ControlResult(control, status, rules, count, note))
    return results


def score(results: Sequence[ControlResult]) -> tuple[int, int]:
    """(passed, judged): automated controls that passed, and those that passed or failed."""
    passed = sum(1 for r in results if r.status == "pass")
    failed = sum(1 for r in results if r.status == "fail")
    return passed, passed + failed


def render_summary(results: Sequence[ControlResult]) -> str:
    """A CIS-style per-control table plus totals and the score."""
    lines = ["", "CIS Docker Benchmark v1.6.0"]
    section = None
    for result in results:
        control = result.control
        if control.section != section:
            section = control.section
            lines.append(f"  [{control.id.split('.')[0]}] {section}")
        mark = {"fail": "FAIL", "pass": "PASS", "not-evaluated": "SKIP", "not-applicable": "N/A",
                "manual": "MANUAL", "not-covered": "----"}[result.status]  # fmt: skip
        detail = ""
        if result.findings:
            detail = f"  ({result.findings} finding{'s' if result.findings != 1 else ''})"
        if result.note and result.status != "fail":
            detail += f"  [{result.note}]"
        lines.append(f"  {mark:<6} {control.id:<7} {control.title}{detail}")
    counts = {status: sum(1 for r in results if r.status == status) for status in STATUSES}
    passed, judged = score(results)
    lines.append("")
    lines.append(
        "  " + ", ".join(f"{counts[s]} {s}" for s in STATUSES) + f" — {len(results)} controls"
    )
    percent = f"{100 * passed / judged:.0f}%" if judged else "n/a"
    lines.append(f"  score: {passed}/{judged} automated controls passed ({percent})")
    return "\n".join(lines) + "\n"


def compliance_document(
    results: Sequence[ControlResult], rule_titles: Mapping[str, str]
) -> dict[str, Any]:
    """A JSON-ready listing of every control with its covering rules and status."""
    passed, judged = score(results)
    return {
        "benchmark": "CIS Docker Benchmark",
        "version": "1.6.0",
        "score": {"passed": passed, "judged": judged},
        "controls": [
            {
                "id": r.control.id,
                "title": r.control.title,
                "assessment": r.control.assessment,
                "status": r.status,
                "rules": [{"id": rid, "title": rule_titles.get(rid, "")} for rid in r.rules],
                "findings": r.findings,
                **({"note": r.note} if r.note else {}),
            }
            for r in results
        ],
    }


def render_compliance(results: Sequence[ControlResult], rule_titles: Mapping[str, str]) -> str:
    """Every control, its status, and the rules that cover it (or "manual"/"not covered")."""
    lines = ["CIS Docker Benchmark v1.6.0 — controls and seawall rules", ""]
    for r in results:
        rules = ", ".join(r.rules) if r.rules else ("manual" if r.control.manual else "not covered")
        lines.append(f"{r.control.id:<7} {r.status:<13} {r.control.title}")
        lines.append(f"{'':<7} rules: {rules}")
    return "\n".join(lines) + render_summary(results)


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among findings."""
    return max((f.severity for f in findings), default=None)


def render_compliance_junit(
    results: Sequence[ControlResult], rule_titles: Mapping[str, str]
) -> str:
    """Every control as a JUnit test case: fail → failure, manual/not judged → skipped.

    CI systems then show the benchmark as a test suite per CIS section.
    """
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="seawall CIS Docker Benchmark v1.6.0")
    suites: dict[str, ET.Element] = {}
    for r in results:
        section = r.control.id.split(".")[0]
        suite = suites.get(section)
        if suite is None:
            suite = ET.SubElement(root, "testsuite", name=f"{section} {r.control.section}")
            suites[section] = suite
        case = ET.SubElement(
            suite, "testcase", classname=f"CIS {section}", name=f"{r.control.id} {r.control.title}"
        )
        rules = ", ".join(f"{rid} {rule_titles.get(rid, '')}".strip() for rid in r.rules)
        if r.status == "fail":
            failure = ET.SubElement(
                case, "failure", type="fail", message=f"{r.findings} finding(s) from {rules}"
            )
            failure.text = rules
        elif r.status != "pass":
            reason = r.status + (f": {r.note}" if r.note else "")
            ET.SubElement(case, "skipped", message=reason)
    for suite in root:
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
        suite.set("errors", "0")
    for key in ("tests", "failures", "skipped", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
