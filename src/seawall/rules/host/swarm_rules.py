"""Swarm configuration (CIS Docker Benchmark section 7): HOST022-HOST025.

Each rule is not applicable on a node outside a swarm; settings only managers can see are
reported as not evaluated on workers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, Context, Rule, RuleMeta, TargetKind
from seawall.rules.host._support import info_pointer, not_applicable, not_evaluated
from seawall.runtime.pointer import pointer
from seawall.runtime.snapshot import DockerEnvironment
from seawall.runtime.swarm import SwarmFacts

DAEMON = frozenset({TargetKind.DAEMON})
MAX_MANAGERS = 7  # Docker's guidance: more managers slow Raft down without real gain


def _meta(
    ident: str, name: str, title: str, severity: Severity, control: str, fix: str
) -> RuleMeta:
    return RuleMeta(
        id=ident,
        name=name,
        title=title,
        severity=severity,
        targets=DAEMON,
        remediation=fix,
        references=(CIS_DOCKER.control(control),),
        aliases=(f"CIS-{control}",),
    )


def _manager_swarm(
    ctx: Context, rule: Rule[DockerEnvironment], env: DockerEnvironment
) -> SwarmFacts | None:
    """The swarm facts when this node is an active manager; otherwise record why not."""
    swarm = env.daemon.swarm
    if swarm is None or not swarm.active:
        not_applicable(ctx, rule, "swarm mode is not active")
        return None
    if not swarm.manager:
        not_evaluated(ctx, rule, "this node is a swarm worker; audit a manager node")
        return None
    return swarm


class SwarmManagerCount(Rule[DockerEnvironment]):
    """## What it does
    Checks the number of swarm managers: an even count, or more than seven, is reported.

    ## Why is this bad?
    Raft needs a majority of managers. Four managers tolerate the loss of one, like three, but
    expose one more node holding the cluster's keys and secrets; beyond seven, consensus slows
    down without adding useful fault tolerance.

    ## Example
    `docker node promote` until the swarm has 4 managers.

    Use instead: an odd number of managers (1, 3, 5 or 7); `docker node demote` the extra one.

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST022",
        "swarm-manager-count",
        "Keep the number of swarm managers minimal and odd",
        Severity.LOW,
        "7.1",
        "Demote managers (docker node demote) to an odd count of at most seven.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        swarm = _manager_swarm(ctx, self, env)
        if swarm is None or swarm.managers is None:
            return
        count = swarm.managers
        if count > MAX_MANAGERS:
            reason = f"more than {MAX_MANAGERS} slow consensus down"
        elif count % 2 == 0:
            reason = f"an even count tolerates no more failures than {count - 1}"
        else:
            return
        yield ctx.finding(
            self,
            f"the swarm has {count} managers: {reason}",
            pointer=info_pointer("Swarm", "Managers"),
        )


class SwarmPortOnAllInterfaces(Rule[DockerEnvironment]):
    """## What it does
    Checks the sockets the daemon listens on for the swarm management port (2377 unless
    configured otherwise) and reports a wildcard address (`0.0.0.0` or `::`).

    ## Why is this bad?
    The management API (joins, Raft, the cluster's secrets) is then reachable on every
    interface of the host, including public ones, instead of a management network.

    ## Example
    `docker swarm init --advertise-addr 10.0.0.5` (listens on `0.0.0.0:2377`).

    Use instead: `docker swarm init --advertise-addr 10.0.0.5 --listen-addr 10.0.0.5:2377`.

    ## Fix safety
    No automatic fix: re-binding needs the swarm to be re-initialised.
    """

    meta = _meta(
        "HOST023",
        "swarm-port-on-all-interfaces",
        "Bind the swarm management port to a specific interface",
        Severity.MEDIUM,
        "7.2",
        "Initialise or join the swarm with --listen-addr <management-ip>:2377.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        swarm = _manager_swarm(ctx, self, env)
        if swarm is None:
            return
        if swarm.listen is None:
            not_evaluated(ctx, self, "the daemon's listening sockets are not visible from here")
            return
        for address in swarm.listen:
            if ipaddress.ip_address(address).is_unspecified:
                yield ctx.finding(
                    self,
                    f"swarm management port {swarm.port} listens on all interfaces ({address})",
                    pointer=info_pointer("Swarm", "NodeAddr"),
                    anchor=f"swarm-listen:{address}:{swarm.port}",
                )


class OverlayNetworkUnencrypted(Rule[DockerEnvironment]):
    """## What it does
    Reports overlay networks created without the `encrypted` option (the `ingress` network
    included).

    ## Why is this bad?
    Without it, container traffic between nodes travels as plain VXLAN: anyone on the path
    between hosts can read or inject it.

    ## Example
    `docker network create -d overlay backend`

    Use instead: `docker network create -d overlay --opt encrypted backend`

    ## Fix safety
    No automatic fix: a network's options cannot change; re-create it and re-attach services.
    """

    meta = _meta(
        "HOST024",
        "overlay-network-unencrypted",
        "Encrypt swarm overlay networks",
        Severity.MEDIUM,
        "7.3",
        "Re-create the network with --opt encrypted.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        swarm = _manager_swarm(ctx, self, env)
        if swarm is None:
            return
        for network in swarm.overlays:
            if not network.encrypted:
                yield ctx.finding(
                    self,
                    f"overlay network '{network.name}' is not encrypted",
                    path=f"network/{network.name}",
                    pointer=pointer("Options"),
                )


class SwarmAutolockDisabled(Rule[DockerEnvironment]):
    """## What it does
    Checks that swarm managers run in auto-lock mode.

    ## Why is this bad?
    Without auto-lock, the keys that decrypt the Raft log (and with it every swarm secret) sit
    on the manager's disk; a stolen disk or backup gives them away. With auto-lock, a
    restarted manager needs the unlock key first.

    ## Example
    `docker swarm init`

    Use instead: `docker swarm init --autolock` or `docker swarm update --autolock=true`.

    ## Fix safety
    No automatic fix: the unlock key must be stored safely by an operator.
    """

    meta = _meta(
        "HOST025",
        "swarm-autolock-disabled",
        "Run swarm managers in auto-lock mode",
        Severity.MEDIUM,
        "7.5",
        "docker swarm update --autolock=true, and keep the unlock key offline.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        swarm = _manager_swarm(ctx, self, env)
        if swarm is not None and swarm.autolock is False:
            yield ctx.finding(
                self,
                "swarm auto-lock is disabled",
                pointer=info_pointer(
                    "Swarm", "Cluster", "Spec", "EncryptionConfig", "AutoLockManagers"
                ),
            )


SWARM_RULES: tuple[Rule[DockerEnvironment], ...] = (
    SwarmManagerCount(),
    SwarmPortOnAllInterfaces(),
    OverlayNetworkUnencrypted(),
    SwarmAutolockDisabled(),
)
