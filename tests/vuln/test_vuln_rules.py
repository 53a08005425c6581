"""Policy decisions become findings: one rule per outcome, located at the image reference."""

from __future__ import annotations

import re
from datetime import date, timedelta

from test_vuln_policy import TODAY, exc, vm

from seawall.model.finding import Severity
from seawall.rules._base import KNOWN_STANDARDS
from seawall.vuln.ledger import Ledger
from seawall.vuln.policy import evaluate
from seawall.vuln.rules import VULN_RULES, findings_from_policy, json_pointer

IMAGE = "registry.example/app:1.0"
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "Use instead:", "## Fix safety")


def test_each_outcome_has_its_rule() -> None:
    matches = [
        vm("CVE-1", Severity.CRITICAL, name="a"),
        vm("CVE-2", Severity.MEDIUM, name="b"),
        vm("CVE-3", Severity.HIGH, name="c"),
        vm("CVE-4", None, name="d"),
        vm("CVE-5", Severity.HIGH, name="e", certain=False),
        vm("CVE-6", Severity.MEDIUM, name="f"),
        vm("CVE-7", Severity.HIGH, name="g"),
    ]
    ledger = Ledger({("CVE-2", "pkg:deb/debian/b"): TODAY - timedelta(days=45)})
    exceptions = [exc("CVE-3", TODAY - timedelta(days=2)), exc("CVE-7", TODAY + timedelta(days=60))]
    result = evaluate(matches, ledger, exceptions, TODAY)
    findings = findings_from_policy(result, IMAGE)
    by_rule = {f.rule_id: f for f in findings}
    assert sorted(by_rule) == ["VULN001", "VULN002", "VULN003", "VULN004", "VULN005", "VULN006"]
    assert len(findings) == 6  # CVE-7 is excepted: no finding
    assert by_rule["VULN001"].severity == Severity.CRITICAL
    assert by_rule["VULN002"].severity == Severity.HIGH  # blocking
    assert "due 2026-11-07" in by_rule["VULN002"].message
    assert (
        "expired 2026-11-20" in by_rule["VULN003"].message
        and "blocks again" in by_rule["VULN003"].message
    )
    assert "policy treats it as HIGH" in by_rule["VULN004"].message
    assert by_rule["VULN005"].severity == Severity.LOW
    assert (
        by_rule["VULN006"].severity == Severity.INFO
        and "due 2026-12-22" in by_rule["VULN006"].message
    )
    for f in findings:
        assert f.location.path == IMAGE and f.target == IMAGE
        assert f.location.pointer is not None and f.location.pointer.startswith(
            "/packages/pkg:deb~1debian~1"
        )
    assert "CVE-1 (CRITICAL from cvss_v3 7.5) in a 1.0: fixed in 1.1" in by_rule["VULN001"].message


def test_anchor_survives_a_version_change() -> None:
    first = findings_from_policy(evaluate([vm("CVE-1", Severity.HIGH)], Ledger(), (), TODAY), IMAGE)
    other = vm("CVE-1", Severity.HIGH)
    moved = type(other)(**{**other.__dict__, "package": other.package.__class__(
        "openssl", "1.0.5", "Debian:12", "pkg:deb/debian/openssl@1.0.5")})  # fmt: skip
    second = findings_from_policy(evaluate([moved], Ledger(), (), TODAY), IMAGE)
    assert first[0].anchor == second[0].anchor


def test_json_pointer_escaping() -> None:
    assert json_pointer("packages", "pkg:npm/a~b/c@1") == "/packages/pkg:npm~1a~0b~1c@1"


def test_rule_metadata_is_complete() -> None:
    ids = [r.meta.id for r in VULN_RULES]
    names = [r.meta.name for r in VULN_RULES]
    assert len(set(ids)) == len(ids) == 6 and len(set(names)) == 6
    for rule in VULN_RULES:
        doc = type(rule).__doc__ or ""
        for section in (
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead:",
            "## Fix safety",
        ):
            assert section in doc, (rule.meta.id, section)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.meta.name)
        assert all(ref.standard in KNOWN_STANDARDS for ref in rule.meta.references)
        assert rule.meta.remediation


def test_passed_result_gives_no_blocking_findings() -> None:
    result = evaluate(
        [vm("CVE-1", Severity.HIGH)], Ledger(), [exc("CVE-1", date(2027, 1, 1))], TODAY
    )
    assert result.passed and findings_from_policy(result, IMAGE) == []


def test_same_package_twice_gives_one_finding() -> None:
    twice = [vm("CVE-1", Severity.HIGH), vm("CVE-1", Severity.HIGH)]
    findings = findings_from_policy(evaluate(twice, Ledger(), (), TODAY), IMAGE)
    assert len(findings) == 1
