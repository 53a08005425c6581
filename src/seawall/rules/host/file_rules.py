"""Ownership and permissions of the daemon's files (CIS section 3): HOST201-HOST224.

One rule per CIS control, generated from a table, so a compliance report maps 1:1. Paths are
those of the running daemon (its socket, its daemon.json, its TLS flags), not the defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, Context, Rule, RuleMeta, TargetKind
from seawall.rules.host._support import not_applicable, not_evaluated
from seawall.runtime.host import FileFact
from seawall.runtime.snapshot import DockerEnvironment


@dataclass(frozen=True)
class FileCheck:
    """One CIS control over one role of file: who must own it, or how open it may be."""

    control: str
    role: str
    label: str  # human name of the file
    owners: tuple[str, ...] = ()  # accepted "user:group"; empty for permission checks
    max_mode: int | None = None
    severity: Severity = Severity.MEDIUM


CHECKS = (
    FileCheck("3.1", "docker.service", "docker.service unit", owners=("root:root",)),
    FileCheck("3.2", "docker.service", "docker.service unit", max_mode=0o644),
    FileCheck("3.3", "docker.socket", "docker.socket unit", owners=("root:root",)),
    FileCheck("3.4", "docker.socket", "docker.socket unit", max_mode=0o644),
    FileCheck("3.5", "config-dir", "Docker configuration directory", owners=("root:root",)),
    FileCheck("3.6", "config-dir", "Docker configuration directory", max_mode=0o755),
    FileCheck("3.7", "registry-cert", "registry certificate", owners=("root:root",)),
    FileCheck("3.8", "registry-cert", "registry certificate", max_mode=0o444),
    FileCheck("3.9", "tlscacert", "TLS CA certificate", owners=("root:root",)),
    FileCheck("3.10", "tlscacert", "TLS CA certificate", max_mode=0o444),
    FileCheck("3.11", "tlscert", "server certificate", owners=("root:root",)),
    FileCheck("3.12", "tlscert", "server certificate", max_mode=0o444),
    FileCheck("3.13", "tlskey", "server key", owners=("root:root",), severity=Severity.HIGH),
    FileCheck("3.14", "tlskey", "server key", max_mode=0o400, severity=Severity.HIGH),
    FileCheck(
        "3.15",
        "docker.sock",
        "Docker socket",
        owners=("root:docker", "root:root"),
        severity=Severity.HIGH,
    ),
    FileCheck("3.16", "docker.sock", "Docker socket", max_mode=0o660, severity=Severity.HIGH),
    FileCheck("3.17", "daemon.json", "daemon.json", owners=("root:root",)),
    FileCheck("3.18", "daemon.json", "daemon.json", max_mode=0o644),
    FileCheck("3.19", "etc-default-docker", "/etc/default/docker", owners=("root:root",)),
    FileCheck("3.20", "etc-default-docker", "/etc/default/docker", max_mode=0o644),
    FileCheck("3.21", "etc-sysconfig-docker", "/etc/sysconfig/docker", max_mode=0o644),
    FileCheck("3.22", "etc-sysconfig-docker", "/etc/sysconfig/docker", owners=("root:root",)),
    FileCheck(
        "3.23",
        "containerd.sock",
        "containerd socket",
        owners=("root:root",),
        severity=Severity.HIGH,
    ),
    FileCheck(
        "3.24", "containerd.sock", "containerd socket", max_mode=0o660, severity=Severity.HIGH
    ),
)


class FileRule(Rule[DockerEnvironment]):
    """Base of the generated section-3 rules; ``spec`` says which file and what to check."""

    spec: FileCheck

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if not env.host.local:
            not_evaluated(ctx, self, "the daemon is not on this host")
            return
        facts = env.host.facts(self.spec.role)
        if not facts:
            not_applicable(ctx, self, f"no {self.spec.label} on this host")
        for fact in facts:
            yield from self._judge(fact, ctx)

    def _judge(self, fact: FileFact, ctx: Context) -> Iterator[Finding]:
        if fact.error is not None or fact.mode is None:
            not_evaluated(ctx, self, f"{fact.path}: {fact.error or 'not readable'}")
            return
        spec = self.spec
        if spec.owners and fact.owner not in spec.owners:
            wanted = " or ".join(spec.owners)
            yield ctx.finding(
                self,
                f"{spec.label} {fact.path} is owned by {fact.owner}, expected {wanted}",
                path=fact.path,
                pointer="/owner",
            )
        if spec.max_mode is not None and fact.mode & ~spec.max_mode:
            yield ctx.finding(
                self,
                f"{spec.label} {fact.path} has mode {fact.mode:04o}, "
                f"expected {spec.max_mode:04o} or stricter",
                path=fact.path,
                pointer="/mode",
            )


def _slug(label: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in label.lower())
    return "-".join(part for part in cleaned.split("-") if part)


def _make(spec: FileCheck) -> FileRule:
    number = int(spec.control.split(".")[1])
    kind = "ownership" if spec.owners else "permissions"
    if spec.owners:
        title = f"{spec.label} must be owned by {' or '.join(spec.owners)}"
        what = f"Checks that the {spec.label} is owned by {' or '.join(spec.owners)}."
        fix = f"chown {spec.owners[0]} <path>"
    else:
        assert spec.max_mode is not None
        title = f"{spec.label} must have mode {spec.max_mode:04o} or stricter"
        what = f"Checks that the {spec.label} is not more permissive than {spec.max_mode:04o}."
        fix = f"chmod {spec.max_mode:o} <path>"
    doc = f"""## What it does
    {what} The path is the one the running daemon uses.

    ## Why is this bad?
    Whoever can change this file, or read it when it holds secrets, can change how the daemon
    runs or impersonate it, which amounts to root on the host.

    ## Example
    A {spec.label} that is group- or world-writable, or owned by an ordinary user.

    Use instead: `{fix}`.

    ## Fix safety
    No automatic fix: seawall never changes host files.
    """
    meta = RuleMeta(
        id=f"HOST2{number:02d}",
        name=f"{_slug(spec.role)}-{kind}",
        title=title,
        severity=spec.severity,
        targets=frozenset({TargetKind.HOST}),
        remediation=f"Run `{fix}` on the file the daemon uses.",
        references=(CIS_DOCKER.control(spec.control), CWE.control("CWE-732")),
        aliases=(f"CIS-{spec.control}",),
    )
    attrs: dict[str, Any] = {"meta": meta, "spec": spec, "__doc__": doc}
    cls = type(f"File{_slug(spec.role).title().replace('-', '')}{kind.title()}", (FileRule,), attrs)
    return cls()


FILE_RULES: tuple[Rule[DockerEnvironment], ...] = tuple(_make(spec) for spec in CHECKS)
