"""What clients do with the daemon: exec sessions (CIS 5.23, 5.24) and content trust (CIS 4.5).

HOST026/HOST027 judge the ``docker exec`` sessions the Engine still lists (running, or created
and not started); HOST028 the auditing shell's ``DOCKER_CONTENT_TRUST``.
"""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, Context, Rule, RuleMeta, TargetKind
from seawall.runtime.execs import ExecSession
from seawall.runtime.inspect_adapter import container_path
from seawall.runtime.pointer import pointer
from seawall.runtime.snapshot import DockerEnvironment

TRUE_VALUES = frozenset({"1", "t", "T", "TRUE", "true", "True"})  # Go's strconv.ParseBool


def _where(session: ExecSession) -> str:
    state = "running" if session.running else "not started"
    program = session.command[0] if session.command else "?"
    return f"exec {session.exec_id[:12]} ({program}, {state}) in container '{session.container}'"


class PrivilegedExec(Rule[DockerEnvironment]):
    """## What it does
    Reports `docker exec --privileged` sessions of containers (running, or created and not
    yet started: the Engine forgets an exec soon after it ends).

    ## Why is this bad?
    A privileged exec gets every capability and no seccomp or LSM confinement inside a
    container that was started confined: one command undoes the container's hardening.

    ## Example
    `docker exec --privileged web sh`

    Use instead: `docker exec web sh`, or a purpose-built debug container.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="HOST026",
        name="privileged-exec",
        title="Do not use docker exec with --privileged",
        severity=Severity.HIGH,
        targets=frozenset({TargetKind.DAEMON}),
        remediation="Run exec sessions without --privileged; stop the session if not needed.",
        references=(CIS_DOCKER.control("5.23"),),
        aliases=("CIS-5.23",),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        for session in env.execs:
            if session.privileged:
                yield ctx.finding(
                    self,
                    f"privileged {_where(session)}",
                    path=container_path(session.container),
                    pointer=pointer("ExecIDs", session.index),
                    anchor=f"exec:{session.container}:privileged",
                )


class RootExec(Rule[DockerEnvironment]):
    """## What it does
    Reports `docker exec --user root` (or `-u 0`) sessions of containers that the Engine still
    lists (a manual CIS control: review each one).

    ## Why is this bad?
    A container that runs as an unprivileged user gains a root shell, which can change the
    files and processes the application relies on.

    ## Example
    `docker exec -u root web sh`

    Use instead: `docker exec web sh` (the container's own user).

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="HOST027",
        name="root-exec",
        title="Do not use docker exec with --user=root",
        severity=Severity.LOW,
        targets=frozenset({TargetKind.DAEMON}),
        remediation="Run exec sessions as the container's user.",
        references=(CIS_DOCKER.control("5.24"),),
        aliases=("CIS-5.24",),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        for session in env.execs:
            if session.as_root:
                yield ctx.finding(
                    self,
                    f"root {_where(session)}",
                    path=container_path(session.container),
                    pointer=pointer("ExecIDs", session.index),
                    anchor=f"exec:{session.container}:root",
                )


class ContentTrustDisabled(Rule[DockerEnvironment]):
    """## What it does
    Checks `DOCKER_CONTENT_TRUST` in the environment seawall runs in, as the CIS benchmark's
    audit does (content trust is a docker client setting, not a daemon one).

    ## Why is this bad?
    Without it, `docker pull`, `run` and `build` accept unsigned images, so a tampered tag in
    a registry is used without complaint.

    ## Example
    ```sh
    unset DOCKER_CONTENT_TRUST
    ```
    Use instead:
    ```sh
    export DOCKER_CONTENT_TRUST=1
    ```

    ## Fix safety
    No automatic fix. Content trust needs signed images (Notary); where images are signed
    with cosign/sigstore instead, verify those signatures and ignore this rule.
    """

    meta = RuleMeta(
        id="HOST028",
        name="content-trust-disabled",
        title="Enable Docker content trust",
        severity=Severity.LOW,
        targets=frozenset({TargetKind.HOST}),
        remediation="export DOCKER_CONTENT_TRUST=1 in the shells and CI jobs that use docker.",
        references=(CIS_DOCKER.control("4.5"),),
        aliases=("CIS-4.5",),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        value = env.host.content_trust
        if value is None or value not in TRUE_VALUES:
            shown = "not set" if value is None else f"set to {value!r}"
            yield ctx.finding(
                self,
                f"DOCKER_CONTENT_TRUST is {shown} in the auditing environment",
                pointer=pointer("client", "env", "DOCKER_CONTENT_TRUST"),
            )


CLIENT_RULES: tuple[Rule[DockerEnvironment], ...] = (
    PrivilegedExec(),
    RootExec(),
    ContentTrustDisabled(),
)
