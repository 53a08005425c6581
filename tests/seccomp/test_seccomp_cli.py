"""``seawall seccomp`` through the real CLI entry point (no Docker needed here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from seawall.cli import main
from seawall.seccomp.docker_default import docker_default_profile


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["seccomp", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_record_generate_check(
    strace_available: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, profile = tmp_path / "rec.json", tmp_path / "app.json"
    code, out, _ = run(
        capsys, "record", "-o", str(rec), "--runs", "2", "--", sys.executable, "-c", "print(1)"
    )
    assert code == 0 and "over 2 run(s)" in out
    data = json.loads(rec.read_text())
    assert data["runs"] == 2 and data["syscalls"]["execve"] >= 2
    code, out, _ = run(capsys, "record", "-o", str(rec), "--runs", "1", "--append", "--", "true")
    assert code == 0 and json.loads(rec.read_text())["runs"] == 3

    code, out, _ = run(capsys, "generate", str(rec), "-o", str(profile), "--no-new-privileges")
    assert code == 0 and "no-new-privileges" in out
    generated = json.loads(profile.read_text())
    assert generated["defaultAction"] == "SCMP_ACT_ERRNO"
    why = (tmp_path / "app.why").read_text()
    assert "epoll_ctl" in why and "recorded:" in why

    code, out, _ = run(capsys, "check", str(profile))
    assert code == 0, out


def test_check_findings_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW"}))
    code, out, _ = run(capsys, "check", str(bad))
    assert code == 1 and "SC001" in out
    code, out, _ = run(capsys, "check", str(bad), "--format", "json")
    findings = json.loads(out)["findings"]
    # Sorted by position: the missing archMap is reported at the top-level object (column 1).
    assert [(f["code"], f["pointer"], f["line"]) for f in findings] == [
        ("SC004", "", 1),
        ("SC001", "/defaultAction", 1),
    ]
    code, out, _ = run(capsys, "check", str(bad), "--fail-on", "critical")
    assert code == 0
    default = tmp_path / "default.json"
    default.write_text(json.dumps(docker_default_profile()))
    code, out, _ = run(capsys, "check", str(default), "--fail-on", "high", "--format", "sarif")
    assert code == 0 and json.loads(out)["version"] == "2.1.0"


def test_check_unreadable_and_invalid_json_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ nope")
    code, out, _ = run(capsys, "check", str(broken), str(tmp_path / "missing.json"))
    assert code == 2
    assert "not JSON" in out and "cannot read" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["record", "-o", "{tmp}/r.json"], "give a command"),
        (["record", "-o", "{tmp}/r.json", "--runs", "0", "--", "true"], "--runs"),
        (["record", "-o", "{tmp}/r.json", "--audit-log", "{tmp}/none.log"], "cannot read"),
        (["record", "-o", "{tmp}/r.json", "--audit-log", "{tmp}/empty.log"], "no seccomp audit"),
        (["generate", "{tmp}/none.json", "-o", "{tmp}/p.json"], "cannot read"),
        (["generate", "{tmp}/empty.log", "-o", "{tmp}/p.json"], "not JSON"),
        (["record", "-o", "{tmp}/r.json", "--", "/nonexistent/binary"], "recorded nothing"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    strace_available: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "empty.log").write_text("nothing here\n")
    code, _, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("seawall: error:") and message in lines[0]
    assert not (tmp_path / "p.json").exists()


def test_audit_log_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "audit.log"
    log.write_text(
        'type=SECCOMP msg=audit(1.2:3): pid=9 comm="app" arch=c000003e syscall=232 code=0x0\n'
        'type=SECCOMP msg=audit(1.2:4): pid=9 comm="app" arch=c000003e syscall=0 code=0x0\n'
    )
    code, _, _ = run(capsys, "record", "-o", str(tmp_path / "r.json"), "--audit-log", str(log))
    assert code == 0
    assert json.loads((tmp_path / "r.json").read_text())["syscalls"] == {
        "epoll_wait": 1,
        "read": 1,
    }


def test_kernel_log_import_then_tightened_default_with_custom_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_seccomp_parsing import DMESG

    log, rec = tmp_path / "dmesg.txt", tmp_path / "r.json"
    log.write_text("\n".join(DMESG) + "\n")
    code, out, err = run(
        capsys, "record", "-o", str(rec), "--audit-log", str(log), "--comm", "sleep"
    )
    assert code == 0 and "1 distinct syscalls" in out
    assert "113" in err and "rate limiting" in err  # lost records are said, not hidden
    profile, why = tmp_path / "p.json", tmp_path / "reasons.txt"
    argv = ["generate", str(rec), "-o", str(profile), "--base", "default", "--why", str(why)]
    code, out, _ = run(capsys, *argv, "--allow", "getrandom")
    assert code == 0 and str(why) in out
    assert not (tmp_path / "p.why").exists()
    data = json.loads(profile.read_text())
    rules = data["syscalls"]
    # Docker's structure stays: capability-gated entries and clone3 -> ENOSYS unless CAP_SYS_ADMIN.
    assert any(r.get("excludes") == {"caps": ["CAP_SYS_ADMIN"]} for r in rules)
    assert any(r["names"] == ["clone3"] and r.get("errnoRet") == 38 for r in rules)
    allowed = {n for r in rules if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]}
    assert {"clock_nanosleep", "getrandom", "execve"} <= allowed and "chmod" not in allowed
    text = why.read_text()
    assert "requested with --allow" in text and "removed (never observed" in text
    code, out, _ = run(capsys, "check", str(profile), "--fail-on", "high")
    assert code == 0, out
