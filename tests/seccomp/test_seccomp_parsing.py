"""strace output and audit/kernel-log records → recordings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from seawall.errors import SeawallError
from seawall.seccomp.auditlog import parse_audit_log
from seawall.seccomp.recording import Recording, load_recording, merge_all
from seawall.seccomp.strace import parse_strace

STRACE_LINES = [
    '100 execve("/bin/app", ["app"], 0x7ffc /* 3 vars */) = 0',
    "100 clone3({flags=CLONE_VM, exit_signal=0}, 88) = -1 ENOSYS (Function not implemented)",
    "100 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_THREAD) = 101",
    "101 read(3,  <unfinished ...>",
    '100 write(1, "x", 1 <unfinished ...>',
    '101 <... read resumed>"abc", 10) = 3',
    "100 <... write resumed>)               = 1",
    "100 socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 4",
    "100 socket(AF_UNIX, SOCK_DGRAM, 0)     = 5",
    "100 socket(0x28 /* AF_??? */, SOCK_STREAM, 0) = -1 EAFNOSUPPORT",
    "100 syscall_0x1cc(0x1, 0x2)           = -1 ENOSYS (Function not implemented)",
    "101 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---",
    "101 +++ exited with 0 +++",
    "100 exit_group(0)                     = ?",
]


def test_parse_strace_counts_each_call_once() -> None:
    rec = parse_strace(STRACE_LINES, "x86_64")
    assert rec.syscalls["read"] == 1 and rec.syscalls["write"] == 1
    assert rec.syscalls["socket"] == 3
    assert rec.names == {
        "execve", "clone3", "clone", "read", "write", "socket", "exit_group",
        "lsm_set_self_attr",  # syscall_0x1cc = 460, resolved through seawall's table
    }  # fmt: skip


def test_parse_strace_resolves_unknown_numbers_through_the_table() -> None:
    rec = parse_strace(["1 syscall_0x1c8(0) = 0"], "x86_64")  # 456
    assert rec.names == {"futex_requeue"}


def test_parse_strace_tracks_enosys_and_families() -> None:
    rec = parse_strace(STRACE_LINES, "x86_64")
    assert "clone3" in rec.enosys_only
    assert "clone" not in rec.enosys_only
    assert rec.socket_families == {10, 1, 40}


def test_parse_real_strace_output(strace_available: None, tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    subprocess.run(
        ["strace", "-f", "-qq", "-o", str(trace), "--", "sh", "-c", "ls / >/dev/null; true"],
        check=True,
    )
    rec = parse_strace(trace.read_text().splitlines(), "x86_64")
    assert {"execve", "openat", "getdents64", "exit_group"} <= rec.names
    assert rec.syscalls["execve"] >= 2  # sh, then ls


# Real lines captured from dmesg on the test VM during a learning run (SCMP_ACT_LOG profile).
DMESG = [
    "[ 7880.358134] audit: type=1326 audit(1795426174.038:2): auid=4294967295 uid=65534 gid=65534 "
    'ses=4294967295 pid=23202 comm="runc:[2:INIT]" exe="/" sig=0 arch=c000003e syscall=3 '
    "compat=0 ip=0x40828e code=0x7ffc0000",
    "[ 7880.358213] audit: type=1326 audit(1795426174.038:4): auid=4294967295 uid=65534 gid=65534 "
    'ses=4294967295 pid=23202 comm="runc:[2:INIT]" exe="/" sig=0 arch=c000003e syscall=257 '
    "compat=0 ip=0x40828e code=0x7ffc0000",
    "[ 7880.359001] audit: type=1326 audit(1795426174.039:9): auid=4294967295 uid=65534 gid=65534 "
    'ses=4294967295 pid=23202 comm="sleep" exe="/bin/busybox" sig=0 arch=c000003e syscall=230 '
    "compat=0 ip=0x4500 code=0x7ffc0000",
    "[ 7880.400000] kauditd_printk_skb: 113 callbacks suppressed",
    "[ 7880.400001] eth0: link up",
]
AUDITD = [
    "type=SECCOMP msg=audit(1700000000.123:45): auid=1000 uid=1000 gid=1000 ses=2 pid=99 "
    'comm="app" exe="/usr/bin/app" sig=0 arch=c000003e syscall=165 compat=0 ip=0x1 code=0x50000',
    "type=SECCOMP msg=audit(1700000000.124:46): auid=1000 uid=1000 gid=1000 ses=2 pid=99 "
    'comm="app" exe="/usr/bin/app" sig=0 arch=40000003 syscall=15 compat=1 ip=0x1 code=0x50000',
]


def test_kernel_log_records_and_rate_limit_note() -> None:
    rec = parse_audit_log(DMESG)
    assert rec.arch == "x86_64"
    assert rec.syscalls == {"close": 1, "openat": 1, "clock_nanosleep": 1}
    assert any("113" in note and "rate limiting" in note for note in rec.notes)


def test_comm_filter_keeps_the_runtime_only() -> None:
    rec = parse_audit_log(DMESG, comm="runc:[2:INIT]")
    assert rec.names == {"close", "openat"}


def test_auditd_records_merge_compat_abi_by_name() -> None:
    rec = parse_audit_log(AUDITD)
    assert rec.arch == "x86_64"  # the 64-bit ABI wins
    assert rec.names == {"mount", "chmod"}  # 15 on i386 is chmod


def test_no_records_is_an_error() -> None:
    with pytest.raises(SeawallError, match="no seccomp audit records"):
        parse_audit_log(["hello", "type=1300 syscall=1"])


def test_merge_and_round_trip(tmp_path: Path) -> None:
    a = Recording("x86_64", {"read": 2, "clone3": 1}, enosys_only=frozenset({"clone3"}))
    b = Recording("amd64", {"read": 1, "write": 5}, socket_families=frozenset({2}))
    merged = merge_all([a, b])
    assert merged.runs == 2 and merged.syscalls == {"clone3": 1, "read": 3, "write": 5}
    assert merged.enosys_only == {"clone3"}
    path = tmp_path / "rec.json"
    import json

    path.write_text(json.dumps(merged.to_json()))
    assert load_recording(path) == merged
    with pytest.raises(SeawallError, match="cannot merge"):
        a.merge(Recording("aarch64", {"read": 1}))


@pytest.mark.parametrize(
    "text",
    ["", "[]", '{"format": "other"}', '{"format": "seawall-seccomp-recording", "arch": "x86_64"}',
     '{"format": "seawall-seccomp-recording", "arch": "x86_64", "syscalls": {"read": -1}}',
     '{"format": "seawall-seccomp-recording", "arch": "vax", "syscalls": {}}'],
)  # fmt: skip
def test_bad_recordings_are_one_line_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rec.json"
    path.write_text(text)
    with pytest.raises(SeawallError) as info:
        load_recording(path)
    assert "\n" not in str(info.value)
