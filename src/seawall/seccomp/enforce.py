"""Apply a Docker-format profile in-process with libseccomp (``pyseccomp``), without Docker.

Used to test the application side of a profile quickly: :func:`run_confined` forks, loads the
filter in the child (libseccomp also sets no-new-privileges there) and execs the program; the
parent is never filtered. It follows Docker's rules for ``includes``/``excludes`` (capabilities,
architectures, ``minKernel``) and for names libseccomp cannot resolve (skipped, as runc does).
It covers the native architecture only and cannot show what runc itself needs (that takes a
real ``docker run``: see ``verify``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seawall.errors import SeawallError
from seawall.seccomp.docker_default import GOARCH
from seawall.seccomp.syscalls import host_arch

_EPERM = 1


@dataclass(frozen=True)
class ConfinedResult:
    """Exit status and combined output of a program run under a profile."""

    returncode: int
    output: str


def _seccomp() -> Any:
    try:
        import pyseccomp
    except ImportError:
        raise SeawallError(
            "in-process enforcement needs pyseccomp (pip install pyseccomp) and libseccomp"
        ) from None
    return pyseccomp


def _action(sc: Any, name: Any, errno: int) -> int:
    actions = {
        "SCMP_ACT_ALLOW": sc.ALLOW,
        "SCMP_ACT_LOG": sc.LOG,
        "SCMP_ACT_KILL": sc.KILL,
        "SCMP_ACT_KILL_THREAD": sc.KILL,
        "SCMP_ACT_KILL_PROCESS": sc.KILL_PROCESS,
        "SCMP_ACT_TRAP": sc.TRAP,
    }
    if name == "SCMP_ACT_ERRNO":
        return int(sc.ERRNO(errno))
    if name not in actions:
        raise SeawallError(f"action {name!r} cannot be applied in-process")
    return int(actions[name])


def _kernel_at_least(wanted: str) -> bool:
    def parts(text: str) -> tuple[int, ...]:
        numbers = []
        for piece in text.split("-")[0].split(".")[:3]:
            digits = "".join(ch for ch in piece if ch.isdigit())
            numbers.append(int(digits or 0))
        return tuple(numbers)

    return parts(os.uname().release) >= parts(wanted)


def _applies(rule: Mapping[str, Any], caps: frozenset[str], goarch: str) -> bool:
    includes = rule.get("includes") or {}
    excludes = rule.get("excludes") or {}
    if includes.get("caps") and not set(includes["caps"]) <= caps:
        return False
    if includes.get("arches") and goarch not in includes["arches"]:
        return False
    if includes.get("minKernel") and not _kernel_at_least(str(includes["minKernel"])):
        return False
    if excludes.get("caps") and set(excludes["caps"]) & caps:
        return False
    return not (excludes.get("arches") and goarch in excludes["arches"])


def build_filter(profile: Mapping[str, Any], caps: frozenset[str] = frozenset()) -> Any:
    """A ``pyseccomp.SyscallFilter`` equivalent to ``profile`` for this machine's architecture.

    ``caps`` is the capability bounding set Docker would evaluate ``includes.caps`` against.
    """
    sc = _seccomp()
    default_errno = int(profile.get("defaultErrnoRet") or _EPERM)
    default = _action(sc, profile.get("defaultAction"), default_errno)
    filt = sc.SyscallFilter(default)
    goarch = GOARCH.get(host_arch().name, host_arch().name)
    operators = {
        "SCMP_CMP_NE": sc.NE,
        "SCMP_CMP_LT": sc.LT,
        "SCMP_CMP_LE": sc.LE,
        "SCMP_CMP_EQ": sc.EQ,
        "SCMP_CMP_GE": sc.GE,
        "SCMP_CMP_GT": sc.GT,
        "SCMP_CMP_MASKED_EQ": sc.MASKED_EQ,
    }
    for rule in profile.get("syscalls") or []:
        if not _applies(rule, caps, goarch):
            continue
        action = _action(sc, rule.get("action"), int(rule.get("errnoRet") or _EPERM))
        if action == default:
            continue  # libseccomp rejects rules that repeat the default action
        args = [
            sc.Arg(int(a["index"]), operators[a["op"]], int(a["value"]), int(a.get("valueTwo", 0)))
            for a in rule.get("args") or []
        ]
        for name in rule.get("names") or []:
            try:
                filt.add_rule(action, name, *args)
            except (OSError, ValueError, RuntimeError):
                continue  # a name libseccomp cannot resolve: skipped, as runc does
    return filt


def run_confined(
    profile: Mapping[str, Any],
    argv: Sequence[str],
    *,
    caps: frozenset[str] = frozenset(),
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
) -> ConfinedResult:
    """Run ``argv`` in a child process confined by ``profile``; the caller stays unconfined."""
    filt = build_filter(profile, caps)
    try:
        proc = subprocess.run(
            list(argv),
            preexec_fn=filt.load,  # runs in the forked child, just before exec
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            check=False,
        )
    except subprocess.SubprocessError as exc:
        raise SeawallError(f"confined run of {argv[0]!r} failed: {exc}") from None
    return ConfinedResult(proc.returncode, proc.stdout.decode("utf-8", "replace"))
