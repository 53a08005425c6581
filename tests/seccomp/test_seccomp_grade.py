"""Grading profiles: one positive and one negative case per SC code, pointers, rules."""

from __future__ import annotations

from typing import Any

import pytest

from seawall.model.finding import Severity
from seawall.model.source import Span
from seawall.rules._base import Context
from seawall.seccomp.grade import grade
from seawall.seccomp.rules import SECCOMP_RULES, SeccompProfileTarget, grade_findings

X86 = [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}]


def good(*extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "archMap": X86,
        "syscalls": [
            {"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
            *extra,
        ],
    }


def codes(profile: Any) -> list[str]:
    return [issue.code for issue in grade(profile, target_arch="x86_64")]


def test_good_profile_has_no_issues() -> None:
    assert codes(good()) == []


@pytest.mark.parametrize("action", ["SCMP_ACT_ALLOW", "SCMP_ACT_LOG"])
def test_sc001_permissive_default(action: str) -> None:
    profile = good()
    profile["defaultAction"] = action
    issues = grade(profile, target_arch="x86_64")
    assert [(i.code, i.pointer) for i in issues] == [("SC001", "/defaultAction")]


def test_sc002_dangerous_calls_with_pointer_and_severity() -> None:
    profile = good({"names": ["mount", "init_module", "getpid"], "action": "SCMP_ACT_ALLOW"})
    issues = [i for i in grade(profile, target_arch="x86_64") if i.code == "SC002"]
    assert [(i.syscall, i.pointer, i.severity) for i in issues] == [
        ("mount", "/syscalls/2/names/0", Severity.HIGH),
        ("init_module", "/syscalls/2/names/1", Severity.CRITICAL),
    ]


def test_sc002_not_for_capability_gated_or_denied() -> None:
    gated = {
        "names": ["mount"],
        "action": "SCMP_ACT_ALLOW",
        "includes": {"caps": ["CAP_SYS_ADMIN"]},
    }
    denied = {"names": ["unshare"], "action": "SCMP_ACT_ERRNO"}
    assert codes(good(gated, denied)) == []


def test_sc003_unfiltered_clone_socket_personality() -> None:
    profile = good({"names": ["clone", "socket", "personality"], "action": "SCMP_ACT_ALLOW"})
    issues = [i for i in grade(profile, target_arch="x86_64") if i.code == "SC003"]
    assert {i.syscall for i in issues} == {"clone", "socket", "personality"}
    filtered = good(
        {
            "names": ["clone"],
            "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
        }
    )
    assert codes(filtered) == []


def test_sc004_architectures() -> None:
    both = good()
    both["architectures"] = ["SCMP_ARCH_X86_64"]
    assert codes(both) == ["SC004"]
    neither = good()
    del neither["archMap"]
    assert codes(neither) == ["SC004"]
    other = good()
    other["archMap"] = [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": None}]
    assert codes(other) == ["SC004"]
    assert grade(other, target_arch="aarch64") == []


@pytest.mark.parametrize(
    ("profile", "pointer"),
    [
        ([], ""),
        ({"syscalls": []}, ""),
        ({"defaultAction": "DENY", "archMap": X86}, "/defaultAction"),
        ({"defaultAction": "SCMP_ACT_ERRNO", "archMap": X86, "syscalls": {}}, "/syscalls"),
        (good({"names": "read", "action": "SCMP_ACT_ALLOW"}), "/syscalls/2/names"),
        (good({"names": ["read"], "action": "ALLOW"}), "/syscalls/2/action"),
        (good({"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1,
              "op": "SCMP_CMP_EQ"}]}), "/syscalls/2/args/0/index"),
        (good({"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1,
              "op": "EQ"}]}), "/syscalls/2/args/0/op"),
        (good({"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": "1"}),
         "/syscalls/2/errnoRet"),
        (good({"names": ["read"], "action": "SCMP_ACT_ALLOW", "nmaes": []}), "/syscalls/2/nmaes"),
        ({"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_VAX"}]},
         "/archMap/0/architecture"),
    ],
)  # fmt: skip
def test_sc005_schema(profile: Any, pointer: str) -> None:
    issues = [i for i in grade(profile, target_arch="x86_64") if i.code == "SC005"]
    assert pointer in [i.pointer for i in issues]


def test_keys_match_case_insensitively_like_docker() -> None:
    profile = {
        "DefaultAction": "SCMP_ACT_ERRNO",
        "archmap": X86,
        "SYSCALLS": [
            {"Names": ["read"], "ACTION": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoret": 38},
        ],
    }
    assert codes(profile) == []


def test_sc006_unknown_names() -> None:
    issues = grade(good({"names": ["mkdirr", "s390_runtime_instr"], "action": "SCMP_ACT_ALLOW"}),
                   target_arch="x86_64")  # fmt: skip
    assert [(i.code, i.syscall) for i in issues] == [("SC006", "mkdirr")]


def test_sc007_clone3_not_handled() -> None:
    profile = good()
    profile["syscalls"] = [{"names": ["clone", "read"], "action": "SCMP_ACT_ALLOW"}]
    assert "SC007" in codes(profile)
    assert "SC007" not in codes(good())


def test_rules_split_the_issues_by_code() -> None:
    profile = good({"names": ["mount", "clone"], "action": "SCMP_ACT_ALLOW"})
    target = SeccompProfileTarget(profile, "seccomp/web.json", target_arch="x86_64")
    ctx = Context(target="seccomp/web.json")
    by_rule = {rule.meta.id: list(rule.check(target, ctx)) for rule in SECCOMP_RULES}
    assert [f.location.pointer for f in by_rule["SC002"]] == ["/syscalls/2/names/0"]
    assert [f.message.split()[0] for f in by_rule["SC003"]] == ["clone"]
    all_findings = grade_findings(target, ctx)
    assert sorted(f.rule_id for f in all_findings) == ["SC002", "SC003"]
    assert {f.location.path for f in all_findings} == {"seccomp/web.json"}


def test_inline_profile_findings_point_at_the_option() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "archMap": X86}
    span = Span(120, 180)
    target = SeccompProfileTarget(profile, "docker-compose.yml", pointer="/services/web", span=span)
    (finding,) = grade_findings(target, Context(target="docker-compose.yml"))
    assert finding.location.span == span and finding.location.pointer is None
    assert finding.rule_id == "SC001" and "(at /defaultAction)" in finding.message


def test_rule_metadata_and_docs() -> None:
    ids = [rule.meta.id for rule in SECCOMP_RULES]
    assert ids == [f"SC00{i}" for i in range(1, 8)]
    assert len({rule.meta.name for rule in SECCOMP_RULES}) == 7
    for rule in SECCOMP_RULES:
        doc = type(rule).__doc__ or ""
        for section in ("## What it does", "## Why is this bad?", "## Example", "Use instead:",
                        "## Fix safety"):  # fmt: skip
            assert section in doc, (rule.meta.id, section)


def test_docstring_examples_fire_and_use_instead_does_not() -> None:
    import json
    import re

    for rule in SECCOMP_RULES:
        doc = type(rule).__doc__ or ""
        bad, fixed = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, re.S)]
        ctx = Context(target="p.json")
        fires = list(rule.check(SeccompProfileTarget(bad, "p.json", target_arch="x86_64"), ctx))
        assert fires, rule.meta.id
        fixed_target = SeccompProfileTarget(fixed, "p.json", target_arch="x86_64")
        assert not list(rule.check(fixed_target, ctx)), rule.meta.id
