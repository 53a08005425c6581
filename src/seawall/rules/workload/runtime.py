"""Rules about runtime behaviour: health checks and kernel parameters."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.workload._common import report
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})

# Namespaced sysctls that still weaken the host or other containers when changed.
DANGEROUS_SYSCTLS = (
    "kernel.*",
    "net.ipv4.ip_forward",
    "net.ipv6.conf.all.forwarding",
    "net.ipv4.conf.all.route_localnet",
    "net.ipv4.conf.*.rp_filter",
    "net.ipv4.conf.all.accept_redirects",
    "net.ipv4.conf.all.send_redirects",
    "net.ipv4.conf.all.accept_source_route",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ping_group_range",
    "net.core.*",
    "vm.*",
    "fs.*",
)
# Safe set from the Kubernetes Pod Security Standards (baseline profile).
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)


class NoHealthcheck(Rule[Workload]):
    """## What it does
    Reports a container without a health check, or with the health check disabled
    (`healthcheck: {disable: true}` / `test: ["NONE"]`). When the adapter knows that the image
    defines a `HEALTHCHECK`, a missing `healthcheck:` is fine.

    ## Why is this bad?
    Without a health check a hung or half-started service looks "running": dependants start too
    early (`depends_on: condition: service_healthy` cannot work) and nothing restarts it.

    ## Example
    ```yaml
    services:
      api:
        image: example/api:1.4
    ```

    Use instead:
    ```yaml
    services:
      api:
        image: example/api:1.4
        healthcheck:
          test: ["CMD", "/app/healthcheck"]
          interval: 30s
          retries: 3
    ```

    ## Fix safety
    No automatic fix: the check command depends on the service.
    """

    meta = RuleMeta(
        id="CR027",
        name="no-healthcheck",
        title="No health check",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Add a `healthcheck:` whose test proves the service answers.",
        references=(
            CIS_DOCKER.control("5.27", "Ensure that container health is checked at runtime"),
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-703", "Improper Check or Handling of Exceptional Conditions"),
        ),
        aliases=("healthcheck_not_set", "CIS-5.27"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        health = model.healthcheck.value
        if health is None:
            if model.image_has_healthcheck:
                return
            yield report(self, ctx, model, model.healthcheck, "no healthcheck", "healthcheck")
        elif health.disabled:
            yield report(
                self, ctx, model, model.healthcheck, "healthcheck is disabled", "healthcheck"
            )


def _matches(name: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return name.startswith(pattern[:-1])
    if "*" in pattern:
        head, _star, tail = pattern.partition("*")
        return name.startswith(head) and name.endswith(tail)
    return name == pattern


class DangerousSysctl(Rule[Workload]):
    """## What it does
    Reports `sysctls:` that weaken isolation: `kernel.*`, `net.core.*`, IP forwarding,
    `route_localnet`, redirects and source routing, `ip_unprivileged_port_start`, `vm.*`, `fs.*`.
    The Kubernetes "safe" set (local port range, TCP keepalive, syncookies...) is not reported.

    ## Why is this bad?
    Some parameters are not namespaced and change the host; others turn a container into a router
    or let it reach services bound to the host's loopback (`route_localnet`).

    ## Example
    ```yaml
    services:
      vpn:
        image: example/vpn:2.1
        sysctls:
          net.ipv4.ip_forward: 1
    ```

    Use instead:
    ```yaml
    services:
      vpn:
        image: example/vpn:2.1
        sysctls:
          net.ipv4.tcp_keepalive_time: 600
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="CR029",
        name="dangerous-sysctl",
        title="A dangerous kernel parameter is set",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Remove the sysctl, or isolate the service that needs it on its own host.",
        references=(
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere"),
        ),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for item in model.sysctls.value:
            name = item.value.name.strip().replace("/", ".")
            if name in SAFE_SYSCTLS:
                continue
            if any(_matches(name, p) for p in DANGEROUS_SYSCTLS):
                yield report(self, ctx, model, item, f"sets sysctl {name}", f"sysctl:{name}")


RULES = (NoHealthcheck(), DangerousSysctl())
