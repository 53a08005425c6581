"""Parse ``strace -f`` output into syscall counts (and the socket families used)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from seawall.seccomp.recording import Recording
from seawall.seccomp.syscalls import syscall_table

# "1234 openat(AT_FDCWD, ..." / "[pid 1234] openat(..." / "openat(..." (no -f);
# "1234 <... read resumed>..." carries the result of a call printed earlier as "<unfinished ...>".
_LINE = re.compile(
    r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?"
    r"(?:<\.\.\.\s+(?P<resumed>\w+)\s+resumed>|(?P<name>[a-z_][a-z0-9_]*)\()"
)
_ENOSYS = re.compile(r"=\s+-1\s+ENOSYS\b")
_UNKNOWN = re.compile(r"^syscall_(?:0x(?P<hex>[0-9a-f]+)|(?P<dec>\d+))$")
_SOCKET = re.compile(r"\bsocket\((?P<family>AF_\w+|PF_\w+|0x[0-9a-f]+|\d+)")

# Linux address family numbers (include/linux/socket.h) for the names strace prints.
ADDRESS_FAMILIES: dict[str, int] = {
    "AF_UNSPEC": 0, "AF_UNIX": 1, "AF_LOCAL": 1, "AF_INET": 2, "AF_AX25": 3, "AF_IPX": 4,
    "AF_APPLETALK": 5, "AF_NETROM": 6, "AF_BRIDGE": 7, "AF_ATMPVC": 8, "AF_X25": 9,
    "AF_INET6": 10, "AF_ROSE": 11, "AF_DECnet": 12, "AF_NETBEUI": 13, "AF_SECURITY": 14,
    "AF_KEY": 15, "AF_NETLINK": 16, "AF_PACKET": 17, "AF_ASH": 18, "AF_ECONET": 19,
    "AF_ATMSVC": 20, "AF_RDS": 21, "AF_SNA": 22, "AF_IRDA": 23, "AF_PPPOX": 24,
    "AF_WANPIPE": 25, "AF_LLC": 26, "AF_IB": 27, "AF_MPLS": 28, "AF_CAN": 29, "AF_TIPC": 30,
    "AF_BLUETOOTH": 31, "AF_IUCV": 32, "AF_RXRPC": 33, "AF_ISDN": 34, "AF_PHONET": 35,
    "AF_IEEE802154": 36, "AF_CAIF": 37, "AF_ALG": 38, "AF_NFC": 39, "AF_VSOCK": 40,
    "AF_KCM": 41, "AF_QIPCRTR": 42, "AF_SMC": 43, "AF_XDP": 44, "AF_MCTP": 45,
}  # fmt: skip


def _family_number(token: str) -> int | None:
    if token.startswith("PF_"):
        token = "AF_" + token[3:]
    if token in ADDRESS_FAMILIES:
        return ADDRESS_FAMILIES[token]
    try:
        return int(token, 0)
    except ValueError:
        return None


def parse_strace(
    lines: Iterable[str], arch: str, *, source: str = "strace", runs: int = 1
) -> Recording:
    """Count the syscalls in strace output (``-f`` with or without ``-qq``).

    Each call is counted once, on the line that starts it; ``<... resumed>`` lines only supply
    results. Signal (``---``) and exit (``+++``) lines are skipped. Calls strace shows as
    ``syscall_0x…`` are resolved through seawall's table for ``arch`` when possible.
    """
    table = syscall_table(arch) if arch in ("x86_64", "aarch64", "x86") else None
    counts: Counter[str] = Counter()
    worked: set[str] = set()
    enosys: set[str] = set()
    families: set[int] = set()
    notes: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if "runs in 32 bit mode" in line or "runs in x32 mode" in line:
            notes.append(f"{source}: a traced process switched ABI ({line.strip()})")
            continue
        match = _LINE.match(line)
        if match is None:
            continue
        name = match.group("name") or match.group("resumed")
        unknown = _UNKNOWN.match(name)
        if unknown is not None and table is not None:
            number = int(unknown.group("hex"), 16) if unknown.group("hex") else int(unknown["dec"])
            name = table.name(number) or name
        if match.group("name"):
            counts[name] += 1
            if name == "socket":
                family = _SOCKET.search(line)
                if family is not None:
                    family_number = _family_number(family.group("family"))
                    if family_number is not None:
                        families.add(family_number)
        if line.endswith("<unfinished ...>"):
            continue
        (enosys if _ENOSYS.search(line) else worked).add(name)
    return Recording(
        arch=arch,
        syscalls=dict(sorted(counts.items())),
        runs=runs,
        socket_families=frozenset(families),
        sources=(source,),
        notes=tuple(notes),
        enosys_only=frozenset(enosys - worked),
    )
