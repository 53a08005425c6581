"""Real enforcement without Docker: profiles loaded by libseccomp (pyseccomp) in a child."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from seawall.seccomp.docker_default import docker_default_profile
from seawall.seccomp.enforce import run_confined
from seawall.seccomp.generate import generate
from seawall.seccomp.probes import python_probe, python_probes
from seawall.seccomp.recording import Recording

pytestmark = pytest.mark.usefixtures("pyseccomp_available", "needs_x86_64")

EPERM, ENOENT, EINVAL = 1, 2, 22


def _errno(output: str, name: str) -> int:
    for line in output.splitlines():
        if line.startswith(f"seawall-probe {name} errno="):
            return int(line.rsplit("=", 1)[1])
    raise AssertionError(f"probe {name} printed nothing: {output!r}")


@pytest.fixture(scope="module")
def profile(python_recording: Recording) -> dict[str, object]:
    return generate(python_recording, no_new_privileges=True).profile


def test_workload_runs_under_its_profile(
    profile: dict[str, object], workload_argv: list[str]
) -> None:
    result = run_confined(profile, workload_argv)
    assert result.returncode == 0, result.output
    assert "workload ok" in result.output


def test_the_parent_stays_unconfined(profile: dict[str, object], tmp_path: Path) -> None:
    run_confined(profile, [sys.executable, "-c", "pass"])
    target = tmp_path / "f"
    target.write_text("x")
    os.chmod(target, 0o600)  # would be EPERM if the filter had leaked into this process
    status = Path("/proc/self/status").read_text()
    assert "\nSeccomp:\t0" in status


@pytest.mark.parametrize(("name", "kernel_errno"), [("mount", ENOENT), ("unshare", EINVAL),
                                                    ("chmod", ENOENT)])  # fmt: skip
def test_calls_outside_the_profile_get_eperm(
    profile: dict[str, object], name: str, kernel_errno: int
) -> None:
    probe = python_probe(name, "x86_64", python=sys.executable)
    confined = run_confined(profile, probe.argv)
    assert _errno(confined.output, name) == EPERM
    assert probe.denied(confined.output) is True
    # Control: with a filter that allows everything the same call reaches the kernel and fails
    # with the distinctive errno, so the EPERM above can only be the filter's.
    allow_all = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}
    control = run_confined(allow_all, probe.argv)
    assert _errno(control.output, name) == kernel_errno
    assert probe.denied(control.output) is False


def test_docker_default_lets_chmod_through_but_not_mount() -> None:
    default = docker_default_profile()
    chmod = run_confined(default, python_probe("chmod", "x86_64", sys.executable).argv)
    mount = run_confined(default, python_probe("mount", "x86_64", sys.executable).argv)
    assert _errno(chmod.output, "chmod") == ENOENT
    assert _errno(mount.output, "mount") == EPERM


def test_shared_probe_process_judges_each_call_on_its_own_line() -> None:
    probes = python_probes(("chmod", "mount", "unshare"), "x86_64", sys.executable)
    assert len({p.argv for p in probes}) == 1
    output = run_confined(docker_default_profile(), probes[0].argv).output
    verdicts = {p.syscall: p.denied(output) for p in probes}
    assert verdicts == {"chmod": False, "mount": True, "unshare": True}


def test_clone3_enosys_rule_keeps_threads_working() -> None:
    # An allow-list that includes faccessat2 (439 > clone3's 435) and names clone3 → ENOSYS:
    # glibc falls back to clone. Without the rule clone3 would get EPERM and threads fail.
    script = (
        "import threading; t = threading.Thread(target=print, args=('t',)); t.start(); t.join()"
    )
    argv = [sys.executable, "-c", script]
    rec = Recording("x86_64", {"faccessat2": 1})
    from seawall.seccomp.record import record_command

    traced = record_command(argv, runs=1).merge(rec)
    with_rule = generate(traced)
    assert run_confined(with_rule.profile, argv).returncode == 0
    without = {
        **with_rule.profile,
        "syscalls": [r for r in with_rule.profile["syscalls"] if r["names"] != ["clone3"]],
    }
    broken = run_confined(without, argv)
    assert broken.returncode != 0
    assert "can't start new thread" in broken.output
