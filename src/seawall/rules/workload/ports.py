"""Rules about published ports."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.workload._common import compose_fix, report
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})


class PortOnAllInterfaces(Rule[Workload]):
    """## What it does
    Reports a port published on every host interface: `"8080:80"` (the short syntax without an
    address), `0.0.0.0`, `::`, or a long-syntax port without `host_ip`.

    ## Why is this bad?
    Docker writes its own iptables rules, so a port published on all interfaces is reachable from
    any network the host is on, whatever the host firewall (ufw, firewalld) says.

    ## Example
    ```yaml
    services:
      admin:
        image: example/admin:1.0
        ports:
          - "8080:80"
    ```

    Use instead:
    ```yaml
    services:
      admin:
        image: example/admin:1.0
        ports:
          - "127.0.0.1:8080:80"
    ```

    ## Fix safety
    Binding to `127.0.0.1` makes the port unreachable from other machines: for a datastore's
    port (see DC002) it is an unsafe fix; for other services the fix is only displayed, since
    they are usually published to be reached.
    """

    meta = RuleMeta(
        id="CR022",
        name="port-on-all-interfaces",
        title="Port published on all host interfaces",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Publish on a specific address, e.g. `127.0.0.1:8080:80`.",
        references=(
            CIS_DOCKER.control(
                "5.14",
                "Ensure that incoming container traffic is bound to a specific host interface",
            ),
            NIST_800_190.control("4.4.2", "Unbounded network access from containers"),
            CWE.control("CWE-1327", "Binding to an Unrestricted IP Address"),
        ),
        aliases=("container_traffic_not_bound_to_host_interface", "CIS-5.14"),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for port in model.ports.value:
            p = port.value
            if p.all_interfaces:
                yield report(
                    self,
                    ctx,
                    model,
                    port,
                    f"port {p.published}->{p.target}/{p.protocol} is published on all interfaces",
                    f"port:{p.published}:{p.target}:{p.protocol}",
                    fix=compose_fix(ctx, model, "port", location=port.location),
                )


class PrivilegedPortPublished(Rule[Workload]):
    """## What it does
    Reports a host port below 1024 published for the container, other than 80 and 443.

    ## Why is this bad?
    Ports below 1024 are the host's well-known service ports (SSH, DNS, SMTP...); publishing one
    from a container can shadow or impersonate a host service.

    ## Example
    ```yaml
    services:
      dns:
        image: example/dns:1.0
        ports:
          - "127.0.0.1:53:5353/udp"
    ```

    Use instead:
    ```yaml
    services:
      dns:
        image: example/dns:1.0
        ports:
          - "127.0.0.1:5353:5353/udp"
    ```

    ## Fix safety
    No automatic fix: clients would need the new port.
    """

    meta = RuleMeta(
        id="CR023",
        name="privileged-port-published",
        title="Privileged host port published",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Publish on a host port of 1024 or above, or put a reverse proxy in front.",
        references=(
            CIS_DOCKER.control("5.8", "Ensure privileged ports are not mapped within containers"),
            NIST_800_190.control("4.4.2", "Unbounded network access from containers"),
            CWE.control("CWE-269", "Improper Privilege Management"),
        ),
        aliases=("privileged_ports_mapped_in_container", "CIS-5.8"),
    )

    allowed = frozenset({80, 443})

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for port in model.ports.value:
            p = port.value
            low = [n for n in p.host_ports() if 0 < n < 1024 and n not in self.allowed]
            if low:
                yield report(
                    self,
                    ctx,
                    model,
                    port,
                    f"publishes privileged host port {low[0]}",
                    f"privport:{p.published}:{p.protocol}",
                )


RULES = (PortOnAllInterfaces(), PrivilegedPortPublished())
