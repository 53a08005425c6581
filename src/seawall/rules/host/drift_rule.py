"""HOST021: a compose-started container no longer runs the way its compose files declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.runtime.drift import DriftCase


class ComposeDrift(Rule[Any]):
    """## What it does
    For every container started by Compose (found by its `com.docker.compose.*` labels), loads
    the compose files it came from and reports each hardening setting whose running value
    differs from the declared one: user, privileged, read_only, no-new-privileges,
    capabilities, seccomp, host namespaces, limits, devices, ports, mounts, healthcheck,
    restart policy.

    ## Why is this bad?
    The compose file is what gets reviewed; the container is what runs. A container recreated
    by hand, an old container never re-created after the file was hardened, or a `docker run`
    under a compose label all escape review.

    ## Example
    ```yaml
    services:
      web:
        image: example/web:1.0
        read_only: true
    ```
    while `docker inspect` shows `"ReadonlyRootfs": false`.

    Use instead: `docker-compose up -d --force-recreate web`, so the running container matches.

    ## Fix safety
    No automatic fix: re-creating a container restarts it.
    """

    meta = RuleMeta(
        id="HOST021",
        name="compose-drift",
        title="Running container differs from its compose file",
        severity=Severity.MEDIUM,
        targets=frozenset({TargetKind.DAEMON}),
        remediation="Re-create the container from its compose file (up -d --force-recreate).",
        # Containers that escaped their reviewed definition are the sprawl CIS 6.2 asks to avoid.
        references=(
            CIS_DOCKER.control("6.2"),
            NIST_800_190.control("4.4.5", "Rogue containers"),
        ),
    )

    def check(self, model: Any, ctx: Context) -> Iterator[Finding]:
        if not isinstance(model, DriftCase):
            return  # the daemon pass: drift runs per compose-started container
        if model.declared is None:
            yield ctx.finding(
                self,
                f"container '{model.container}' runs service '{model.service}' of project "
                f"'{model.project}', which its compose files no longer declare",
                path=model.compose_file,
                anchor=f"drift:{model.project}:{model.service}:undeclared",
            )
            return
        for diff in model.differences:
            loc = diff.declared_field.location
            yield ctx.finding(
                self,
                f"service '{model.service}' (container '{model.container}'): declared "
                f"{diff.setting} {diff.declared}, running {diff.running}",
                span=loc.span,
                pointer=loc.pointer,
                path=loc.path,
                anchor=f"drift:{model.project}:{model.service}:{diff.setting}",
            )
