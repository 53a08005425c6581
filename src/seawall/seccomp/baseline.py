"""What the container runtime itself calls after it installs the filter, so every profile allows it.

A profile built from the application's trace alone stops the container from starting: ``runc init``
keeps running Go code between loading the seccomp filter and ``execve`` of the entrypoint (the top
complaint against generated profiles: slim #87/#182/#308). Measured with a learning profile
(``defaultAction: SCMP_ACT_LOG``) and the ``comm="runc:[2:INIT]"`` audit records, runc 1.1.5 /
Docker 20.10.24, busybox and Python workloads, non-root, ``--cap-drop ALL``:

* with ``no-new-privileges`` runc loads the filter just before ``execve``;
* without it runc loads the filter before dropping privileges, so the user/group/capability
  switch happens under the filter too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """A syscall a profile must allow for a reason other than the application's trace."""

    name: str
    reason: str


_RUNC = "runc init calls it after the filter is installed (measured, runc 1.1.5)"
_RUNC_PRIV = (
    "runc init calls it after the filter is installed when no-new-privileges is off: "
    "it switches user, groups and capabilities under the filter (measured, runc 1.1.5)"
)
_GO = (
    "the Go runtime inside runc init may call it at any moment (scheduler, garbage collector, "
    "preemption signals); one missing call fails some starts, not all"
)

RUNTIME_WITH_NNP: tuple[Need, ...] = (
    *(
        Need(name, _RUNC)
        for name in (
            "close", "epoll_ctl", "execve", "fstatfs", "futex", "getdents64", "getpid",
            "openat", "write",
        )
    ),
    Need(
        "rt_sigreturn",
        "Go's asynchronous preemption signal hits runc init in some runs; returning from the "
        "handler needs rt_sigreturn (without it starts fail now and then with rc 139 or 125)",
    ),
)  # fmt: skip

RUNTIME_WITHOUT_NNP: tuple[Need, ...] = tuple(
    Need(name, _RUNC_PRIV)
    for name in (
        "capget", "capset", "chdir", "faccessat2", "fchown", "fcntl", "fstat", "getcwd",
        "getppid", "newfstatat", "prctl", "read", "setgid", "setgroups", "setuid",
    )
)  # fmt: skip

GO_RUNTIME: tuple[Need, ...] = tuple(
    Need(name, _GO)
    for name in (
        "futex", "getpid", "gettid", "madvise", "mmap", "munmap", "nanosleep", "rt_sigprocmask",
        "sched_yield", "sigaltstack", "tgkill",
    )
)  # fmt: skip

LIFECYCLE: tuple[Need, ...] = (
    Need("execve", "starting the entrypoint is an execve under the filter"),
    Need("exit", "threads end with exit; a trace cut off by --duration may not show it"),
    Need("exit_group", "processes end with exit_group; a trace cut off early may not show it"),
    Need("rt_sigreturn", "returning from any signal handler (e.g. SIGTERM from docker stop)"),
    Need("restart_syscall", "the kernel restarts calls interrupted by a stop/continue signal"),
)


def runtime_needs(no_new_privileges: bool) -> tuple[Need, ...]:
    """Everything the runtime and process lifecycle need, first reason per name kept."""
    needs = LIFECYCLE + RUNTIME_WITH_NNP + GO_RUNTIME
    if not no_new_privileges:
        needs += RUNTIME_WITHOUT_NNP
    seen: dict[str, Need] = {}
    for need in needs:
        seen.setdefault(need.name, need)
    return tuple(seen.values())
