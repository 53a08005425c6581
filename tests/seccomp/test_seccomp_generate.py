"""Docker's default profile as data, and the generator."""

from __future__ import annotations

import pytest

from seawall.errors import SeawallError
from seawall.seccomp.baseline import RUNTIME_WITHOUT_NNP, runtime_needs
from seawall.seccomp.docker_default import default_allowed, docker_default_profile, groups
from seawall.seccomp.generate import generate
from seawall.seccomp.grade import grade
from seawall.seccomp.recording import Recording


def test_default_profile_matches_the_documented_shape() -> None:
    profile = docker_default_profile()
    rules = profile["syscalls"]
    # Research notes (runtime.md section 1): 33 rules, 442 names, rule 0 has 361 names.
    assert len(rules) == 33
    assert sum(len(r["names"]) for r in rules) == 442
    assert len(rules[0]["names"]) == 361 and "includes" not in rules[0]
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO" and profile["defaultErrnoRet"] == 1
    assert len(profile["archMap"]) == 9
    unconditional = set(groups()[0].names)
    assert not {"mount", "unshare", "setns", "bpf", "io_uring_setup", "keyctl"} & unconditional
    clone3 = [r for r in rules if r["names"] == ["clone3"]]
    assert clone3 == [
        {
            "names": ["clone3"],
            "action": "SCMP_ACT_ERRNO",
            "errnoRet": 38,
            "excludes": {"caps": ["CAP_SYS_ADMIN"]},
        }
    ]
    sockets = [r["args"][0] for r in rules if r["names"] == ["socket"]]
    assert [(a["op"], a["value"]) for a in sockets] == [
        ("SCMP_CMP_LT", 38),
        ("SCMP_CMP_EQ", 39),
        ("SCMP_CMP_GT", 40),
    ]


def test_default_profile_grades_clean_of_errors() -> None:
    codes = {issue.code for issue in grade(docker_default_profile(), target_arch="x86_64")}
    assert not codes & {"SC001", "SC004", "SC005", "SC006", "SC007"}


def test_default_allowed_counts(needs_x86_64: None) -> None:
    allowed = default_allowed("x86_64")
    assert len(allowed) == 307
    assert {"arch_prctl", "clone", "socket", "ptrace"} <= allowed
    assert "mount" not in allowed and "chown32" not in allowed  # 32-bit-only names don't count
    assert "mount" in default_allowed("x86_64", frozenset({"CAP_SYS_ADMIN"}))


def _allowed_names(profile: dict[str, object]) -> set[str]:
    rules = profile["syscalls"]
    assert isinstance(rules, list)
    return {n for r in rules if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]}


def test_generated_profile_shape(python_recording: Recording) -> None:
    gen = generate(python_recording, no_new_privileges=True)
    profile = gen.profile
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO" and profile["defaultErrnoRet"] == 1
    assert profile["archMap"][0]["architecture"].startswith("SCMP_ARCH_")
    assert "architectures" not in profile
    assert {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38} in profile["syscalls"]
    allowed = _allowed_names(profile)
    assert allowed == gen.allowed
    assert python_recording.names - {"clone3"} <= allowed
    assert {n.name for n in runtime_needs(True)} <= allowed
    assert not {"mount", "unshare", "chmod", "clone3"} & allowed
    assert grade(profile) == []  # what seawall generates passes seawall's own check


def test_without_nnp_the_runtime_needs_more(python_recording: Recording) -> None:
    with_nnp = generate(python_recording, no_new_privileges=True).allowed
    without = generate(python_recording, no_new_privileges=False).allowed
    assert with_nnp < without
    assert {n.name for n in RUNTIME_WITHOUT_NNP} <= without
    assert {"capset", "setgroups"} <= without - with_nnp


def test_host_trace_with_working_clone3_allows_clone_instead() -> None:
    rec = Recording("x86_64", {"clone3": 4, "read": 1})
    gen = generate(rec)
    assert "clone3" not in gen.allowed and "clone" in gen.allowed
    assert "falls back" in gen.reasons["clone"]


def test_calls_only_seen_failing_with_enosys_keep_answering_enosys() -> None:
    rec = Recording("x86_64", {"read": 1, "futex_waitv": 2}, enosys_only=frozenset({"futex_waitv"}))
    gen = generate(rec)
    assert "futex_waitv" not in gen.allowed
    assert {"names": ["futex_waitv"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38} in gen.profile[
        "syscalls"
    ]


def test_argument_filters() -> None:
    rec = Recording(
        "x86_64", {"socket": 2, "clone": 1, "personality": 1}, socket_families=frozenset({1, 2})
    )
    rules = generate(rec, arg_filters=True).profile["syscalls"]
    socket_args = [r["args"] for r in rules if r["names"] == ["socket"]]
    assert socket_args == [
        [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}],
        [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}],
    ]
    clone = [r for r in rules if r["names"] == ["clone"]]
    assert clone[0]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ"
    assert clone[0]["args"][0]["value"] == 0x7E020000
    assert len([r for r in rules if r["names"] == ["personality"]]) == 5
    assert "socket" not in rules[0]["names"] and "clone" not in rules[0]["names"]
    plain = generate(rec, arg_filters=False).profile["syscalls"]
    assert {"socket", "clone", "personality"} <= set(plain[0]["names"])
    assert {i.code for i in grade(generate(rec, arg_filters=False).profile)} == {"SC003"}


def test_base_default_keeps_docker_structure(python_recording: Recording) -> None:
    gen = generate(python_recording, base="default", no_new_privileges=True)
    minimal = generate(python_recording, no_new_privileges=True)
    assert gen.allowed == minimal.allowed
    rules = gen.profile["syscalls"]
    assert any(r.get("excludes") == {"caps": ["CAP_SYS_ADMIN"]} for r in rules)  # clone3 rule
    assert "chmod" in gen.removed_from_default and "mount" not in gen.removed_from_default
    assert len(gen.removed_from_default) == len(default_allowed(gen.arch) - gen.allowed - {"clone"})
    assert "removed" in gen.why_text()


def test_why_text_explains_every_allowed_call(python_recording: Recording) -> None:
    gen = generate(python_recording, no_new_privileges=True)
    text = gen.why_text("app.json")
    lines = {line.split()[0]: line for line in text.splitlines() if line and line[0] != "#"}
    assert set(lines) == gen.allowed | {"clone3"}
    assert "recorded:" in lines["openat"]
    assert "runtime:" in lines["epoll_ctl"]
    assert "ENOSYS" in lines["clone3"]
    assert "Docker's default allows" in text


def test_unknown_base() -> None:
    with pytest.raises(SeawallError):
        generate(Recording("x86_64", {"read": 1}), base="bogus")  # type: ignore[arg-type]
