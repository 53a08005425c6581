"""Seccomp profile rules (SC001-SC007) for the engine: compose ``security_opt: seccomp=<file>``,
inline profiles in ``docker inspect`` output, and ``seawall seccomp check``.

Each rule reports the :func:`seawall.seccomp.grade.grade` issues with its code. The model is a
:class:`SeccompProfileTarget`: the decoded profile plus where it came from. When the profile was
written inside another file (an inline ``seccomp={…}`` option), pass ``span`` to point findings at
that option; otherwise findings carry a JSON pointer into the profile file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.model.source import Span
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.seccomp.grade import ProfileIssue, grade

_TARGETS = frozenset({TargetKind.SECCOMP_PROFILE})
_REFS = (CIS_DOCKER.control("5.22"), NIST_800_190.control("4.4.3"))


@dataclass(frozen=True)
class SeccompProfileTarget:
    """A seccomp profile to grade: its JSON value and where it was found.

    ``path`` names the file findings belong to (the profile file, or the compose file / inspect
    target holding it); ``pointer`` is prepended to each issue's JSON pointer; ``span`` (a span in
    ``path``) locates every finding at the option that references or embeds the profile.
    ``inline`` (implied by ``span``) says the profile sits inside a string option: findings then
    point at the option itself (``span``, else ``pointer``) and name the profile's own pointer in
    the message, as for ``seccomp={…}`` in ``docker inspect`` output.
    """

    profile: Any
    path: str
    pointer: str = ""
    span: Span | None = None
    target_arch: str | None = None
    inline: bool = False


class _IssueRule(Rule[SeccompProfileTarget]):
    def check(self, model: SeccompProfileTarget, ctx: Context) -> Iterator[Finding]:
        """Yield a finding for each issue of this rule's code."""
        for issue in _issues(model):
            if issue.code != self.meta.id:
                continue
            yield _finding(self, issue, model, ctx)


def _issues(model: SeccompProfileTarget) -> list[ProfileIssue]:
    return grade(model.profile, model.path, target_arch=model.target_arch)


def _finding(
    rule: Rule[Any], issue: ProfileIssue, model: SeccompProfileTarget, ctx: Context
) -> Finding:
    pointer = model.pointer + issue.pointer
    message = issue.message
    located = pointer
    if model.span is not None or model.inline:
        message += f" (at {issue.pointer or '/'})"
        located = model.pointer
    return ctx.finding(
        rule,
        message,
        span=model.span,
        pointer=None if model.span is not None else located,
        path=model.path,
        anchor=f"{model.path}#{pointer}:{issue.syscall or ''}",
        severity=issue.severity,
    )


class PermissiveDefaultAction(_IssueRule):
    """## What it does
    Flags seccomp profiles whose ``defaultAction`` lets calls through: ``SCMP_ACT_ALLOW`` (a
    deny-list), or ``SCMP_ACT_LOG`` / ``SCMP_ACT_TRACE`` / ``SCMP_ACT_NOTIFY`` (learning or
    tracing profiles left in place).

    ## Why is this bad?
    A deny-list misses every call its author did not think of, including calls added by later
    kernels. Docker's own default denies by default and allows a list.

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [
        {
          "names": ["mount"],
          "action": "SCMP_ACT_ERRNO"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 1,
      "syscalls": [
        {
          "names": ["read", "write"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix: `seawall seccomp record` and `generate` build an allow-list.
    """

    meta = RuleMeta(
        id="SC001",
        name="seccomp-permissive-default",
        title="Seccomp profile allows what it does not list",
        severity=Severity.HIGH,
        targets=_TARGETS,
        references=(*_REFS, CWE.control("CWE-693")),
        remediation="Use defaultAction SCMP_ACT_ERRNO and list the calls the workload needs "
        "(seawall seccomp record + generate).",
        tags=("seccomp",),
    )


class DangerousSyscallAllowed(_IssueRule):
    """## What it does
    Flags profiles that allow, without a capability condition or argument filter, system calls
    used to escape containers or attack the kernel: ``mount``, ``umount2``, ``unshare``, ``setns``,
    ``ptrace``, ``bpf``, ``keyctl``, ``add_key``, ``kexec_load``, ``open_by_handle_at``,
    ``init_module``, ``userfaultfd``, ``io_uring_*``, ``perf_event_open`` and others.

    ## Why is this bad?
    Docker's default profile denies these (or allows them only with the matching capability).
    A custom profile that allows them gives back what the default took away.

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["read", "mount"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["read"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix: removing a call the workload uses breaks it; record the workload first.
    """

    meta = RuleMeta(
        id="SC002",
        name="seccomp-dangerous-syscall",
        title="Seccomp profile allows a dangerous system call",
        severity=Severity.HIGH,
        targets=_TARGETS,
        references=(*_REFS, CWE.control("CWE-250")),
        remediation="Remove the call from the allow-list, or gate it on the capability that "
        "needs it with includes.caps.",
        tags=("seccomp",),
    )


class UnfilteredArguments(_IssueRule):
    """## What it does
    Flags allow-list profiles that allow ``clone``, ``socket`` or ``personality`` without the
    argument filters Docker's default uses: ``clone`` without namespace flags, ``socket`` without
    AF_ALG / AF_VSOCK, ``personality`` only for harmless personas.

    ## Why is this bad?
    ``clone(CLONE_NEWUSER)`` creates a user namespace even when ``unshare`` is denied; unfiltered
    ``socket`` reaches rarely used kernel protocol code; ``personality`` can disable ASLR.

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["clone3", "clone"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["clone"],
          "action": "SCMP_ACT_ALLOW",
          "args": [
            {
              "index": 0,
              "value": 2114060288,
              "valueTwo": 0,
              "op": "SCMP_CMP_MASKED_EQ"
            }
          ]
        },
        {
          "names": ["clone3"],
          "action": "SCMP_ACT_ERRNO",
          "errnoRet": 38
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix; `seawall seccomp generate` emits these filters by default.
    """

    meta = RuleMeta(
        id="SC003",
        name="seccomp-unfiltered-arguments",
        title="Seccomp profile allows clone, socket or personality without argument filters",
        severity=Severity.MEDIUM,
        targets=_TARGETS,
        references=_REFS,
        remediation="Add argument filters as Docker's default does (seawall seccomp generate "
        "emits them).",
        tags=("seccomp",),
    )


class Architectures(_IssueRule):
    """## What it does
    Checks the profile's architecture list: both ``architectures`` and ``archMap`` (Docker
    refuses the profile), neither (only the native ABI is covered), or an ``archMap`` without an
    entry for the host architecture.

    ## Why is this bad?
    A profile Docker refuses stops the container; a profile whose architecture list does not
    match the host does not say what happens to calls through compat ABIs.

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["read"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "archMap": [
        {
          "architecture": "SCMP_ARCH_X86_64",
          "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]
        }
      ],
      "syscalls": [
        {
          "names": ["read"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="SC004",
        name="seccomp-architectures",
        title="Seccomp profile architectures are missing or conflicting",
        severity=Severity.MEDIUM,
        targets=_TARGETS,
        references=_REFS,
        remediation="Give an archMap entry for each architecture the image runs on, with its "
        "sub-architectures, and no separate architectures list.",
        tags=("seccomp",),
    )


class InvalidProfile(_IssueRule):
    """## What it does
    Validates the profile against Docker's format: a JSON object, a known ``defaultAction``,
    ``syscalls`` entries with ``names`` and a known ``action``, ``args`` with index 0-5,
    non-negative values and a known comparison, well-formed ``includes``/``excludes``, and no
    unknown keys (keys match case-insensitively, as Docker's decoder does).

    ## Why is this bad?
    Docker refuses a malformed profile at container start, and silently ignores unknown keys,
    so a misspelt key changes nothing.

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["read"],
          "action": "ALLOW"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["read"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="SC005",
        name="seccomp-invalid-profile",
        title="Seccomp profile does not follow Docker's format",
        severity=Severity.HIGH,
        targets=_TARGETS,
        references=_REFS,
        remediation="Correct the profile; `seawall seccomp check` names each invalid value.",
        tags=("seccomp",),
    )


class UnknownSyscall(_IssueRule):
    """## What it does
    Flags names in an allow-list that are not system calls on any architecture seawall knows.

    ## Why is this bad?
    runc skips names libseccomp cannot resolve, so a typo (``mkdirr``) silently allows nothing
    and the workload fails later with an opaque error.

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["mkdirr"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["mkdir"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="SC006",
        name="seccomp-unknown-syscall",
        title="Seccomp profile names an unknown system call",
        severity=Severity.LOW,
        targets=_TARGETS,
        references=_REFS,
        remediation="Correct the name (see `scmp_sys_resolver` or the kernel's syscall table).",
        tags=("seccomp",),
    )


class Clone3NotHandled(_IssueRule):
    """## What it does
    Flags allow-list profiles that do not name ``clone3``.

    ## Why is this bad?
    Unnamed, ``clone3`` gets the default errno (EPERM). glibc falls back to ``clone`` only on
    ENOSYS, so creating threads fails — or not, because runc answers ENOSYS for numbers above the
    highest one in the profile: whether the container works depends on which other calls are
    listed (measured: adding ``faccessat2`` broke Python threads).

    ## Example
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["clone", "faccessat2"],
          "action": "SCMP_ACT_ALLOW"
        }
      ]
    }
    ```

    Use instead:
    ```json
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {
          "names": ["clone", "faccessat2"],
          "action": "SCMP_ACT_ALLOW"
        },
        {
          "names": ["clone3"],
          "action": "SCMP_ACT_ERRNO",
          "errnoRet": 38
        }
      ]
    }
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="SC007",
        name="seccomp-clone3-eperm",
        title="Seccomp profile answers clone3 with EPERM instead of ENOSYS",
        severity=Severity.MEDIUM,
        targets=_TARGETS,
        references=_REFS,
        remediation='Add {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}.',
        tags=("seccomp",),
    )


SECCOMP_RULES: tuple[Rule[SeccompProfileTarget], ...] = (
    PermissiveDefaultAction(),
    DangerousSyscallAllowed(),
    UnfilteredArguments(),
    Architectures(),
    InvalidProfile(),
    UnknownSyscall(),
    Clone3NotHandled(),
)


def grade_findings(target: SeccompProfileTarget, ctx: Context) -> list[Finding]:
    """All SC findings for one profile, grading it once (what compose/inspect callers use)."""
    by_id = {rule.meta.id: rule for rule in SECCOMP_RULES}
    return [_finding(by_id[issue.code], issue, target, ctx) for issue in _issues(target)]
