"""Host configuration (CIS 1.1): HOST101 partition, HOST102 docker group, HOST103-118 audit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, Context, Rule, RuleMeta, TargetKind
from seawall.rules.host._support import not_applicable, not_evaluated
from seawall.runtime.snapshot import DockerEnvironment

HOST = frozenset({TargetKind.HOST})


class DataRootPartition(Rule[DockerEnvironment]):
    """## What it does
    Checks that the daemon's data root (`DockerRootDir`) is its own mount point.

    ## Why is this bad?
    Images, containers and volumes that fill a shared partition take the host down with them.

    ## Example
    `/var/lib/docker` as a directory on the root filesystem.

    Use instead: a dedicated filesystem (LVM volume, disk) mounted at the data root.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="HOST101",
        name="data-root-partition",
        title="Put the Docker data root on a separate partition",
        severity=Severity.LOW,
        targets=HOST,
        remediation="Mount a dedicated filesystem at the daemon's data root.",
        references=(CIS_DOCKER.control("1.1.1"),),
        aliases=("CIS-1.1.1",),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        host = env.host
        if not host.local or host.data_root_is_mount is None:
            not_evaluated(ctx, self, "the data root is not visible from here")
            return
        if not host.data_root_is_mount:
            yield ctx.finding(
                self,
                f"data root {host.data_root} is not a separate mount point",
                path=host.data_root,
                pointer="",
            )


class DockerGroupMembers(Rule[DockerEnvironment]):
    """## What it does
    Lists the members of the `docker` group (a manual CIS control: confirm they are trusted).

    ## Why is this bad?
    Membership of the group that owns the socket is equivalent to root on the host.

    ## Example
    `docker:x:998:alice,ci-runner,bob`

    Use instead: only the administrators who need it, or rootless Docker per user.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="HOST102",
        name="docker-group-members",
        title="Only trusted users may control the Docker daemon",
        severity=Severity.INFO,
        targets=HOST,
        remediation="Remove users who do not need root-equivalent access from the docker group.",
        references=(CIS_DOCKER.control("1.1.2"),),
        aliases=("CIS-1.1.2",),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        members = env.host.docker_group_members
        if env.host.local and members:
            yield ctx.finding(
                self,
                f"docker group members (root-equivalent): {', '.join(members)}",
                path="/etc/group",
                pointer="/docker",
            )


AUDIT_LABELS = {
    "1.1.3": ("dockerd", "the dockerd binary"),
    "1.1.4": ("run-containerd", "/run/containerd"),
    "1.1.5": ("data-root", "the Docker data root"),
    "1.1.6": ("config-dir", "the Docker configuration directory"),
    "1.1.7": ("docker-service", "the docker.service unit"),
    "1.1.8": ("containerd-sock", "the containerd socket"),
    "1.1.9": ("docker-socket-unit", "the docker.socket unit"),
    "1.1.10": ("etc-default-docker", "/etc/default/docker"),
    "1.1.11": ("daemon-json", "daemon.json"),
    "1.1.12": ("containerd-config", "/etc/containerd/config.toml"),
    "1.1.13": ("etc-sysconfig-docker", "/etc/sysconfig/docker"),
    "1.1.14": ("containerd", "the containerd binary"),
    "1.1.15": ("containerd-shim", "the containerd-shim binary"),
    "1.1.16": ("containerd-shim-runc-v1", "the containerd-shim-runc-v1 binary"),
    "1.1.17": ("containerd-shim-runc-v2", "the containerd-shim-runc-v2 binary"),
    "1.1.18": ("runc", "the runc binary"),
}


class AuditWatchRule(Rule[DockerEnvironment]):
    """Base of the generated 1.1.3-1.1.18 rules: an audit watch on one Docker path."""

    control: str

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        host = env.host
        if not host.local:
            not_evaluated(ctx, self, "the daemon is not on this host")
            return
        path = host.audit_targets.get(self.control)
        if not path or not os.path.exists(path):
            not_applicable(ctx, self, f"{path or 'the path'} does not exist on this host")
            return
        audit = host.audit
        if audit is None or audit.rules is None:
            reason = audit.error if audit else "audit rules not collected"
            if not host.is_root:
                reason = f"{reason}; reading audit rules needs root"
            not_evaluated(ctx, self, str(reason))
            return
        if not audit.watches(path):
            yield ctx.finding(
                self,
                f"no audit rule watches {path} (checked {audit.source})",
                path=path,
                pointer="/audit",
            )


def _make_audit(control: str) -> AuditWatchRule:
    slug, label = AUDIT_LABELS[control]
    number = int(control.split(".")[2])
    doc = f"""## What it does
    Checks that the Linux audit system watches {label}, at the path this daemon uses.

    ## Why is this bad?
    Without an audit trail, changes to Docker's binaries, configuration and data go unnoticed
    and cannot be investigated.

    ## Example
    `auditctl -l` prints no rule for {label}.

    Use instead: `-w <path> -k docker` in /etc/audit/rules.d/docker.rules, then `augenrules --load`.

    ## Fix safety
    No automatic fix: seawall never changes host files.
    """
    meta = RuleMeta(
        id=f"HOST1{number:02d}",
        name=f"audit-{slug}",
        title=f"Audit {label}",
        severity=Severity.LOW,
        targets=HOST,
        remediation="Add `-w <path> -k docker` to the audit rules and reload them.",
        references=(CIS_DOCKER.control(control),),
        aliases=(f"CIS-{control}",),
    )
    attrs: dict[str, Any] = {"meta": meta, "control": control, "__doc__": doc}
    cls = type(f"Audit{slug.title().replace('-', '')}", (AuditWatchRule,), attrs)
    return cls()


AUDIT_RULES: tuple[Rule[DockerEnvironment], ...] = tuple(_make_audit(c) for c in AUDIT_LABELS)
HOST_CONFIG_RULES: tuple[Rule[DockerEnvironment], ...] = (
    DataRootPartition(),
    DockerGroupMembers(),
    *AUDIT_RULES,
)
