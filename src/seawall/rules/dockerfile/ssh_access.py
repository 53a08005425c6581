"""Rules about remote shell access into the container: SSH ports and SSH servers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile, expand_vars
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import (
    commands_named,
    declared_values,
    install_packages,
    is_dev_container,
)
from seawall.rules.dockerfile._util import shipped_stage_indices

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
SSH_SERVER_PACKAGES = frozenset(
    {"openssh-server", "openssh", "dropbear", "ssh", "openssh-server-pam"}
)
_PORT = lazy_pattern(r"^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$", re.I)


class SshPortExposed(Rule[Dockerfile]):
    """## What it does
    Reports `EXPOSE 22` (also `22/tcp`, a range containing 22, or `${SSH_PORT:-22}`) in the stage
    that ships. `EXPOSE` in a builder stage does not reach the image and is not reported.

    ## Why is this bad?
    Port 22 means an SSH server in the container: a second, password- or key-based way in that
    bypasses the orchestrator's access control and audit. Use `docker exec` / `kubectl exec`.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    EXPOSE 22 8080
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    EXPOSE 8080
    ```

    ## Fix safety
    No automatic fix: removing the port does not remove the SSH server (see DF023).
    """

    meta = RuleMeta(
        id="DF016",
        name="ssh-port-exposed",
        title="The shipped image exposes the SSH port 22",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Do not run SSH in containers; use `docker exec` or `kubectl exec` for access.",
        references=(
            CIS_DOCKER.control("5.7", "Ensure sshd is not run within containers"),
            NIST_800_190.control("4.4.2"),
            CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere"),
        ),
        aliases=("DS-0004", "AVD-DS-0004", "DS004", "CKV_DOCKER_1", "exposing_port_22"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        stage = df.shipped_stage
        if stage is None:
            return
        for s in df.lineage(stage):
            env = declared_values(df, s)
            for instr in s.of("EXPOSE"):
                for word, span in instr.words():
                    m = _PORT.match(expand_vars(word.strip("\"'"), env))
                    if m is None:
                        continue
                    low = int(m.group(1))
                    high = int(m.group(2) or low)
                    if low <= 22 <= high and (m.group(3) or "tcp").lower() == "tcp":
                        yield ctx.finding(self, "EXPOSE publishes the SSH port 22", span=span)


class SshServerInImage(Rule[Dockerfile]):
    """## What it does
    Reports an SSH server in the shipped image: `openssh-server`/`dropbear` installed by a package
    manager, or `sshd` started in `RUN`, `CMD` or `ENTRYPOINT`, in the stage that ships.
    Development containers (`.devcontainer/`) and builder stages are not reported.

    ## Why is this bad?
    An SSH daemon is a second way into the container with its own credentials and patch level,
    outside the orchestrator's access control and audit; it usually also needs root and keeps host
    keys in the image (CIS Docker 5.7).

    ## Example
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    CMD ["/usr/sbin/sshd", "-D"]
    ```

    Use instead:
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
    CMD ["/usr/local/bin/app"]
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF023",
        name="ssh-server-in-image",
        title="An SSH server is installed or started in the shipped image",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Remove the SSH server; use `docker exec` or `kubectl exec` for access.",
        references=(
            CIS_DOCKER.control("5.7", "Ensure sshd is not run within containers"),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        if is_dev_container(df, ctx.target):
            return
        shipped = shipped_stage_indices(df)
        for stage, cmd, packages in install_packages(df):
            if stage.index not in shipped:
                continue
            for pkg, name in packages:
                if name in SSH_SERVER_PACKAGES:
                    yield ctx.finding(
                        self,
                        f"SSH server package {pkg.text!r} is installed",
                        span=cmd.word_span(pkg),
                    )
        for stage, cmd in commands_named(df, "sshd", "service"):
            if stage.index not in shipped:
                continue
            args = [w.text for w in cmd.program.words[1:3]]
            if cmd.name == "sshd" or args in (["ssh", "start"], ["sshd", "start"]):
                yield ctx.finding(self, "RUN starts an SSH server", span=cmd.span())
        final = df.shipped_stage
        if final is None:
            return
        for s in df.lineage(final):
            for instr in s.of("CMD", "ENTRYPOINT"):
                argv = list(instr.exec_form) if instr.exec_form is not None else instr.args.split()
                if any(a.rsplit("/", 1)[-1] == "sshd" for a in argv[:3]):
                    yield ctx.finding(self, f"{instr.keyword} runs an SSH server", span=instr.span)
