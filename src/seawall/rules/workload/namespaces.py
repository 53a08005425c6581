"""Rules about host namespaces shared with a container, and cgroup placement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.workload._common import report
from seawall.workload import Field, Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})
_NIST = NIST_800_190.control("4.4.3", "Insecure container runtime configurations")
_CWE = CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere")


class _HostNamespace(Rule[Workload]):
    """Shared logic: report when the workload joins the host's namespace ``attribute``."""

    attribute: ClassVar[str]
    what: ClassVar[str]

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        field: Field[bool] = getattr(model, self.attribute)
        if field.value:
            yield report(self, ctx, model, field, f"shares the host's {self.what}", self.attribute)


class HostNetwork(_HostNamespace):
    """## What it does
    Reports `network_mode: host`.

    ## Why is this bad?
    The container sees every host interface, can bind any host port, reach services listening on
    `127.0.0.1` of the host, and sniff traffic with NET_RAW. Network isolation is gone.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        network_mode: host
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
        ports:
          - "127.0.0.1:8080:8080"
    ```

    ## Fix safety
    No automatic fix: the published ports the service needs must be chosen.
    """

    attribute = "host_network"
    what = "network namespace"
    meta = RuleMeta(
        id="CR010",
        name="host-network",
        title="Container shares the host's network namespace",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Remove `network_mode: host`; publish the needed ports instead.",
        references=(
            CIS_DOCKER.control("5.10", "Ensure that the host's network namespace is not shared"),
            _NIST,
            _CWE,
        ),
        aliases=("shared_host_network_namespace", "CIS-5.10"),
    )


class HostPid(_HostNamespace):
    """## What it does
    Reports `pid: host`.

    ## Why is this bad?
    The container sees and, as root, can signal or ptrace every process on the host, read their
    environment (secrets) through `/proc`, and enter their namespaces.

    ## Example
    ```yaml
    services:
      monitor:
        image: example/monitor:1.0
        pid: host
    ```

    Use instead:
    ```yaml
    services:
      monitor:
        image: example/monitor:1.0
    ```

    ## Fix safety
    No automatic fix: a monitoring agent may really need it; isolate such agents.
    """

    attribute = "host_pid"
    what = "process namespace"
    meta = RuleMeta(
        id="CR011",
        name="host-pid",
        title="Container shares the host's process namespace",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Remove `pid: host`.",
        references=(
            CIS_DOCKER.control("5.16", "Ensure that the host's process namespace is not shared"),
            _NIST,
            _CWE,
        ),
        aliases=("host_namespace_is_shared", "CIS-5.16"),
    )


class HostIpc(_HostNamespace):
    """## What it does
    Reports `ipc: host`.

    ## Why is this bad?
    The container can read and write the host's shared memory segments, semaphores and message
    queues, which other processes trust.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        ipc: host
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
        ipc: private
    ```

    ## Fix safety
    No automatic fix.
    """

    attribute = "host_ipc"
    what = "IPC namespace"
    meta = RuleMeta(
        id="CR012",
        name="host-ipc",
        title="Container shares the host's IPC namespace",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Remove `ipc: host` (use `private` or `shareable` between services).",
        references=(
            CIS_DOCKER.control("5.17", "Ensure that the host's IPC namespace is not shared"),
            _NIST,
            _CWE,
        ),
        aliases=("shared_host_ipc_namespace", "CIS-5.17"),
    )


class HostUts(_HostNamespace):
    """## What it does
    Reports `uts: host`.

    ## Why is this bad?
    The container shares the host's hostname and domain name and, with SYS_ADMIN, can change them
    for the whole host.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        uts: host
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
        hostname: app
    ```

    ## Fix safety
    No automatic fix.
    """

    attribute = "host_uts"
    what = "UTS namespace"
    meta = RuleMeta(
        id="CR013",
        name="host-uts",
        title="Container shares the host's UTS namespace",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Remove `uts: host`; set `hostname:` if a name is needed.",
        references=(
            CIS_DOCKER.control("5.21", "Ensure that the host's UTS namespace is not shared"),
            _NIST,
            _CWE,
        ),
        aliases=("CIS-5.21",),
    )


class HostUserns(Rule[Workload]):
    """## What it does
    Reports `userns_mode: host`.

    ## Why is this bad?
    On a daemon with user-namespace remapping, `host` opts the container out: its root becomes the
    host's real root again.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        userns_mode: host
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="CR014",
        name="host-userns",
        title="Container shares the host's user namespace",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Remove `userns_mode: host`.",
        references=(
            CIS_DOCKER.control("5.31", "Ensure that the host's user namespaces are not shared"),
            _NIST,
            _CWE,
        ),
        aliases=("shared_host_user_namespace", "CIS-5.31"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if (model.userns.value or "").strip().lower() == "host":
            yield report(
                self, ctx, model, model.userns, "shares the host's user namespace", "userns"
            )


class CgroupParentSet(Rule[Workload]):
    """## What it does
    Reports a custom `cgroup_parent`.

    ## Why is this bad?
    A container placed in another cgroup escapes the limits and accounting Docker applies to its
    own `docker` slice, and may share limits with host services.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        cgroup_parent: system.slice
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="CR030",
        name="cgroup-parent-set",
        title="Container runs in a custom cgroup",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Remove `cgroup_parent` unless the placement is deliberate and limited.",
        references=(
            CIS_DOCKER.control("5.25", "Ensure that cgroup usage is confirmed"),
            _NIST,
            CWE.control("CWE-400", "Uncontrolled Resource Consumption"),
        ),
        aliases=("cgroup_not_default", "CIS-5.25"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        parent = model.cgroup_parent.value
        if parent:
            yield report(
                self, ctx, model, model.cgroup_parent, f"cgroup parent {parent!r}", "cgroup"
            )


RULES = (HostNetwork(), HostPid(), HostIpc(), HostUts(), HostUserns(), CgroupParentSet())
