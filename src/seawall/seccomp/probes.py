"""Probes: small programs run under a profile to show that calls outside it are denied.

Each probe calls a syscall with arguments the kernel rejects *before* any permission check with
a distinctive errno (ENOENT for a missing path, EINVAL for unknown flags). So EPERM can only
come from the seccomp filter, whatever the user and capabilities, and a probe never changes
anything even where the call is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seawall.errors import SeawallError
from seawall.seccomp.syscalls import syscall_table

EPERM = 1
MISSING = "/nonexistent-seawall-probe"
CLONE_PTRACE = 0x00002000  # not a flag unshare accepts: the kernel answers EINVAL
AT_FDCWD = -100

# name → (argument list as Python source for libc.syscall, alternative syscall when the
# architecture lacks the first: aarch64 has no chmod, only fchmodat).
_PYTHON_CALLS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "mount": (f"b'none', b'{MISSING}', b'tmpfs', 0, None", None),
    "unshare": (f"{CLONE_PTRACE}", None),
    "chmod": (f"b'{MISSING}', 0o644", ("fchmodat", f"{AT_FDCWD}, b'{MISSING}', 0o644, 0")),
    "mkdir": (f"b'{MISSING}/x', 0o755", ("mkdirat", f"{AT_FDCWD}, b'{MISSING}/x', 0o755")),
    "ptrace": ("16, 1, None, None", None),  # PTRACE_ATTACH to init: EPERM from the kernel too
    "keyctl": ("0xdead, 0, 0, 0, 0", None),  # unknown keyctl command: EOPNOTSUPP
    "bpf": ("0xdead, None, 0", None),  # unknown bpf command: EINVAL
}


@dataclass(frozen=True)
class Probe:
    """A command run in a container under the profile; reports whether ``syscall`` was denied.

    The probe prints ``seawall-probe <syscall> errno=<n>``; ``n == 1`` (EPERM) means denied.
    For tools that print ``strerror`` instead, ``denied_text`` is searched in the output.
    """

    syscall: str
    argv: tuple[str, ...]
    denied_text: str = "errno=1\n"
    user: str | None = None  # run the probe as this user instead of the workload's
    # Calls the probe tool itself needs before it reaches ``syscall``; allowed on top of the
    # profile for the probe run only. They never include ``syscall``, so its verdict stands.
    extra_allow: tuple[str, ...] = ()

    def denied(self, output: str) -> bool | None:
        """True if the output shows the call denied, False if it reached the kernel, None if
        the probe did not report (it could not start, or crashed)."""
        if self.denied_text in output:
            return True
        if f"seawall-probe {self.syscall} errno=" in output or _reached(output):
            return False
        return None


def _reached(output: str) -> bool:
    return "No such file or directory" in output or "Invalid argument" in output


def python_probe(syscall: str, arch_name: str, python: str = "python3") -> Probe:
    """A probe that calls ``syscall`` through ctypes (needs ``python3`` in the image)."""
    (probe,) = python_probes((syscall,), arch_name, python)
    return probe


def python_probes(
    syscalls: Sequence[str], arch_name: str, python: str = "python3"
) -> tuple[Probe, ...]:
    """Probes for ``syscalls`` sharing one Python process (and so one container in ``verify``).

    Each call prints its own ``seawall-probe <name> errno=<n>`` line; a call that reaches the
    kernel fails harmlessly (see the module docstring), so later calls still run.
    """
    table = syscall_table(arch_name)
    script = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.syscall.restype = ctypes.c_long\n"
    )
    for syscall in syscalls:
        if syscall not in _PYTHON_CALLS:
            known = ", ".join(sorted(_PYTHON_CALLS))
            raise SeawallError(f"no probe for {syscall!r} (available: {known})")
        args, fallback = _PYTHON_CALLS[syscall]
        number = table.number(syscall)
        if number is None and fallback is not None:
            number = table.number(fallback[0])
            args = fallback[1]
        if number is None:
            raise SeawallError(f"{syscall} does not exist on {arch_name}")
        script += (
            "ctypes.set_errno(0)\n"
            f"ret = libc.syscall({number}, {args})\n"
            "err = ctypes.get_errno() if ret == -1 else 0\n"
            f"print('seawall-probe {syscall} errno=%d' % err, flush=True)\n"
        )
    argv = (python, "-c", script)
    return tuple(Probe(s, argv, f"seawall-probe {s} errno={EPERM}\n") for s in syscalls)


def busybox_probes(busybox: str = "/bin/busybox", shell: str = "/bin/sh") -> tuple[Probe, ...]:
    """Probes built from busybox applets (``mount``, ``unshare``, ``chmod``) for shell images.

    busybox ``mount`` refuses to try as non-root, so that probe runs as root: the target path does
    not exist, so the kernel answers ENOENT before checking CAP_SYS_ADMIN, and EPERM can only be
    the filter's. ``unshare -U`` needs no privilege on kernels that allow user namespaces.
    """
    return (
        Probe(
            "mount",
            (busybox, "mount", "-t", "tmpfs", "none", MISSING),
            "are you root?",  # busybox's words for EPERM/EACCES; the kernel would say ENOENT
            user="0",
            extra_allow=("geteuid",),  # busybox checks it is root before calling mount
        ),
        Probe("unshare", (busybox, "unshare", "-U", "true"), "Operation not permitted"),
        Probe(
            "chmod",
            (
                shell,
                "-c",
                "echo > /tmp/.seawall-probe && chmod 600 /tmp/.seawall-probe"
                " && echo 'seawall-probe chmod errno=0'",  # reached the kernel (and worked)
            ),
            "Operation not permitted",
        ),
    )
