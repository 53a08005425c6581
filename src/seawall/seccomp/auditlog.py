"""Import seccomp audit records (``type=1326`` / ``type=SECCOMP``) from audit.log or dmesg."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from seawall.errors import SeawallError
from seawall.seccomp.recording import Recording
from seawall.seccomp.syscalls import Arch, arch, arch_from_audit, syscall_table

_RECORD = re.compile(r"\btype=(?:1326|SECCOMP)\b")
_ARCH = re.compile(r"\barch=([0-9a-fA-F]+)\b")
_SYSCALL = re.compile(r"\bsyscall=(\d+)\b")
_COMM = re.compile(r'\bcomm="([^"]*)"|\bcomm=(\S+)')
_SUPPRESSED = re.compile(r"(\d+)\s+callbacks suppressed")


def parse_audit_log(
    lines: Iterable[str],
    *,
    target_arch: str | None = None,
    comm: str | None = None,
    source: str = "audit log",
) -> Recording:
    """Turn seccomp audit records into a recording.

    Works on ``/var/log/audit/audit.log`` (``type=SECCOMP``) and on ``dmesg`` / journal lines
    (``audit: type=1326``). ``comm`` keeps only records of that command (e.g. ``runc:[2:INIT]``).
    Records from a compat ABI (x86 on x86_64) are resolved with that ABI's table and merged by
    name, because Docker profiles name syscalls once for an architecture and its sub-architectures.
    Lines saying the kernel suppressed callbacks become a note: those records were lost.
    """
    counts: Counter[str] = Counter()
    seen_arches: list[Arch] = []
    notes: list[str] = []
    suppressed = 0
    for line in lines:
        lost = _SUPPRESSED.search(line)
        if lost is not None:
            suppressed += int(lost.group(1))
            continue
        if _RECORD.search(line) is None:
            continue
        arch_match, call = _ARCH.search(line), _SYSCALL.search(line)
        if arch_match is None or call is None:
            continue
        if comm is not None:
            found = _COMM.search(line)
            if found is None or (found.group(1) or found.group(2)) != comm:
                continue
        record_arch = arch_from_audit(int(arch_match.group(1), 16))
        if record_arch not in seen_arches:
            seen_arches.append(record_arch)
        try:
            table = syscall_table(record_arch.name)
        except SeawallError:
            notes.append(f"{source}: no syscall table for {record_arch.name}; record skipped")
            continue
        number = int(call.group(1))
        counts[table.name(number) or f"syscall_{number}"] += 1
    if target_arch is not None:
        primary = arch(target_arch)
    elif seen_arches:
        # The 64-bit ABI wins: x86 records inside an x86_64 log are its compat calls.
        primary = next((a for a in seen_arches if a.sub), seen_arches[0])
    else:
        raise SeawallError(f"{source}: no seccomp audit records (type=1326 / type=SECCOMP) found")
    if suppressed:
        notes.append(
            f"{source}: the kernel suppressed {suppressed} log callbacks (printk rate limiting); "
            "records were lost: raise kernel.printk_ratelimit_burst or use auditd and record again"
        )
    for other in seen_arches:
        if other != primary and other.scmp not in primary.sub:
            notes.append(f"{source}: {other.name} records merged into the {primary.name} recording")
    return Recording(
        arch=primary.name,
        syscalls=dict(sorted(counts.items())),
        sources=(source,),
        notes=tuple(dict.fromkeys(notes)),
    )
