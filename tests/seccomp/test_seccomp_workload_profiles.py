"""SC rules on the profiles workloads use: compose ``seccomp=FILE`` and inline inspect profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seawall.cli import main
from seawall.config import Config
from seawall.runtime.inspect_adapter import from_inspect
from seawall.seccomp.workload_profiles import check_workload_profile, profile_rules

X86 = [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}]
LOOSE = {"defaultAction": "SCMP_ACT_ALLOW", "archMap": X86, "syscalls": []}
RISKY = {
    "defaultAction": "SCMP_ACT_ERRNO",
    "archMap": X86,
    "syscalls": [
        {"names": ["read", "write", "mount"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
    ],
}


def project(tmp_path: Path, option: str, profile: dict[str, Any] | str | None) -> Path:
    (tmp_path / "profiles").mkdir()
    if profile is not None:
        text = profile if isinstance(profile, str) else json.dumps(profile, indent=2)
        (tmp_path / "profiles" / "web.json").write_text(text)
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  web:\n    image: nginx:1.27\n    security_opt:\n"
        f'      - "{option}"\n  api:\n    image: nginx:1.27\n'
        f'    security_opt: ["{option}"]\n'
    )
    return compose


def check_json(
    capsys: pytest.CaptureFixture[str], path: Path, *extra: str
) -> tuple[int, dict[str, Any]]:
    code = main(["check", str(path), "--format", "json", "--no-config", *extra])
    return code, json.loads(capsys.readouterr().out)


def sc(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"].startswith("SC")]


@pytest.mark.parametrize("separator", ["=", ":"])
def test_compose_profile_file_is_graded_in_that_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    separator: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    compose = project(tmp_path, f"seccomp{separator}./profiles/web.json", RISKY)
    code, report = check_json(capsys, compose)
    assert code == 1
    found = sc(report)
    # Two services name the same file: each finding once, located in the profile file.
    assert [(f["code"], f["path"], f["pointer"]) for f in found] == [
        ("SC002", "profiles/web.json", "/syscalls/0/names/2")
    ]
    assert found[0]["line"] == 16  # the "mount" line of the indented JSON

    code, report = check_json(capsys, compose, "--ignore", "SC002")
    assert not sc(report)


def test_compose_loose_profile_and_select(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    compose = project(tmp_path, "seccomp=profiles/web.json", LOOSE)
    code, report = check_json(capsys, compose, "--select", "SC")
    assert code == 1
    assert {f["code"] for f in report["findings"]} == {"SC001"}


@pytest.mark.parametrize(
    ("option", "profile"),
    [
        ("seccomp=./profiles/missing.json", None),  # Compose itself refuses; not graded here
        ("seccomp=unconfined", None),  # CR rules report it, not SC rules
    ],
)
def test_no_profile_to_grade(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    profile: Any,
) -> None:
    monkeypatch.chdir(tmp_path)
    _, report = check_json(capsys, project(tmp_path, option, profile))
    assert not sc(report) and not report["errors"]


def test_broken_profile_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, project(tmp_path, "seccomp=./profiles/web.json", "{ no"))
    assert code == 2
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("profiles/web.json", "parse")]


def inspect_doc(security_opt: list[str]) -> dict[str, Any]:
    return {
        "Id": "0123456789abcdef",
        "Name": "/web",
        "State": {"Running": True, "Pid": 0},
        "Config": {"User": "1000", "Image": "nginx:1.27", "Env": []},
        "HostConfig": {"SecurityOpt": security_opt, "PortBindings": {}},
        "NetworkSettings": {"Ports": {}, "Networks": {}},
        "Mounts": [],
        "AppArmorProfile": "",
    }


def test_inline_profile_in_inspect_output_points_at_the_option() -> None:
    inline = "seccomp=" + json.dumps(RISKY, separators=(",", ":"))
    workload = from_inspect(inspect_doc(["no-new-privileges=true", inline]))
    config = Config()
    report = check_workload_profile(workload, config, profile_rules(config))
    assert [(f.rule_id, f.location.path, f.location.pointer) for f in report.findings] == [
        ("SC002", "container/web", "/HostConfig/SecurityOpt/1")
    ]
    assert "(at /syscalls/0/names/2)" in report.findings[0].message
    broken = from_inspect(inspect_doc(["seccomp={nope"]))
    errors = check_workload_profile(broken, config, profile_rules(config)).errors
    assert [e.kind for e in errors] == ["parse"]
    default = from_inspect(inspect_doc([]))
    assert not check_workload_profile(default, config, profile_rules(config)).findings
