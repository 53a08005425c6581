"""Rules about Linux capabilities: drop them all, add back only harmless ones."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.workload._common import compose_fix, report
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})

# Capabilities that give a container a path to the host or to other containers.
DANGEROUS_CAPABILITIES = (
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "NET_RAW",
    "SETFCAP",
    "SYSLOG",
    "LINUX_IMMUTABLE",
    "SYS_CHROOT",
)


class CapabilitiesNotDropped(Rule[Workload]):
    """## What it does
    Reports a container that does not drop every capability (`cap_drop: [ALL]`).

    ## Why is this bad?
    Docker's default set still holds 14 capabilities (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, NET_RAW,
    MKNOD...). Few services need any of them; each one is attack surface after a compromise.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
    ```

    Use instead:
    ```yaml
    services:
      web:
        image: nginx:1.27
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]
    ```

    ## Fix safety
    Dropping all capabilities can stop a service that changes file ownership or binds low ports.
    The unsafe fix writes `cap_drop` as a block list `- ALL` and adds back in `cap_add` only what
    the service needs: NET_BIND_SERVICE when it listens on a port below 1024, and what known
    images' entrypoints need when they start as root (e.g. CHOWN, SETUID, SETGID for postgres,
    redis, nginx — see the known-images table).
    """

    meta = RuleMeta(
        id="CR004",
        name="capabilities-not-dropped",
        title="Capabilities are not dropped",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Add `cap_drop: [ALL]` and `cap_add` only what the service needs.",
        references=(
            CIS_DOCKER.control(
                "5.4", "Ensure that Linux kernel capabilities are restricted within containers"
            ),
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=("container_capabilities_unrestricted", "CIS-5.4"),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if model.privileged.value:
            return  # CR001 already reports a container with every capability
        if any(cap.value == "ALL" for cap in model.cap_drop.value):
            return
        what = "does not drop ALL" if model.cap_drop.explicit else "no 'cap_drop: [ALL]'"
        yield report(
            self,
            ctx,
            model,
            model.cap_drop,
            f"capabilities: {what}",
            "cap_drop",
            fix=compose_fix(ctx, model, "cap_drop"),
        )


class DangerousCapabilityAdded(Rule[Workload]):
    """## What it does
    Reports each dangerous capability in `cap_add`: ALL, SYS_ADMIN, NET_ADMIN, SYS_PTRACE,
    SYS_MODULE, DAC_READ_SEARCH, DAC_OVERRIDE, SYS_RAWIO, BPF, NET_RAW and others (the list is
    the rule option `capabilities`).

    ## Why is this bad?
    These capabilities reach the host: SYS_ADMIN mounts filesystems and escapes, SYS_MODULE loads
    kernel modules, SYS_PTRACE reads other processes, DAC_READ_SEARCH opens any host file by handle
    (the "shocker" escape), NET_ADMIN rewrites the host's firewall in host networking.

    ## Example
    ```yaml
    services:
      vpn:
        image: example/vpn:2.1
        cap_add: [SYS_ADMIN]
    ```

    Use instead:
    ```yaml
    services:
      vpn:
        image: example/vpn:2.1
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]
    ```

    ## Fix safety
    No automatic fix: only the service's owner knows which capability it needs.
    """

    meta = RuleMeta(
        id="CR005",
        name="dangerous-capability-added",
        title="A dangerous capability is added",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Remove the capability from `cap_add`, or isolate the service that needs it.",
        references=(
            CIS_DOCKER.control(
                "5.4", "Ensure that Linux kernel capabilities are restricted within containers"
            ),
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=("C.5.3.1", "C.5.3.2", "C.5.3.3", "C.5.3.4"),
        options=(Option("capabilities", list(DANGEROUS_CAPABILITIES), "capabilities to report"),),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        dangerous = {str(c).upper().removeprefix("CAP_") for c in ctx.option(self, "capabilities")}
        for cap in model.cap_add.value:
            if cap.value in dangerous:
                severity = Severity.CRITICAL if cap.value in ("ALL", "SYS_ADMIN") else None
                yield report(
                    self, ctx, model, cap, f"adds capability {cap.value}", cap.value, severity
                )


RULES = (CapabilitiesNotDropped(), DangerousCapabilityAdded())
