"""Rules about resource limits and restart behaviour."""

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
_NIST = NIST_800_190.control("4.4.3", "Insecure container runtime configurations")
_CWE = CWE.control("CWE-770", "Allocation of Resources Without Limits or Throttling")


def _missing_limit(
    rule: Rule[Workload],
    ctx: Context,
    model: Workload,
    field: str,
    message: str,
    *,
    top_key: str,
    deploy_key: str,
    deploy_new: bool = True,
    as_int: bool = False,
) -> Iterator[Finding]:
    """A finding when the workload's ``field`` limit is unset or not positive, with the fix that
    writes the rule's ``limit`` option as ``top_key`` (or ``deploy.resources.limits.<deploy_key>``)."""
    limit = getattr(model, field)
    if limit.value is not None and limit.value > 0:
        return
    value = ctx.option(rule, "limit")
    fix = compose_fix(
        ctx,
        model,
        "limit",
        top_key=top_key,
        deploy_key=deploy_key,
        deploy_new=deploy_new,
        value=str(int(value) if as_int else value),
    )
    yield report(rule, ctx, model, limit, message, field, fix=fix)


class NoMemoryLimit(Rule[Workload]):
    """## What it does
    Reports a container without a memory limit (`mem_limit` or `deploy.resources.limits.memory`).

    ## Why is this bad?
    One leaking or attacked container can take all the host's memory and get other services
    killed by the OOM killer: a denial of service for everything on the host.

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
        deploy:
          resources:
            limits:
              memory: 512M
    ```

    ## Fix safety
    The right limit depends on the service: the unsafe fix writes the rule option `limit`
    (default `512m`) as `mem_limit`, or as `memory` in `deploy.resources.limits` when the
    service has a `deploy.resources` block.
    """

    meta = RuleMeta(
        id="CR019",
        name="no-memory-limit",
        title="No memory limit",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Set `deploy.resources.limits.memory` (or `mem_limit`).",
        references=(
            CIS_DOCKER.control("5.11", "Ensure that the memory usage for containers is limited"),
            _NIST,
            _CWE,
        ),
        aliases=("memory_not_limited", "CIS-5.11"),
        fix=FixAvailability.SOMETIMES,
        options=(Option("limit", "512m", "memory limit written by the fix"),),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        yield from _missing_limit(
            self, ctx, model, "memory", "no memory limit", top_key="mem_limit", deploy_key="memory"
        )


class NoCpuLimit(Rule[Workload]):
    """## What it does
    Reports a container without a CPU limit (`cpus` or `deploy.resources.limits.cpus`).

    ## Why is this bad?
    A busy or compromised container (a crypto-miner, a request flood) can starve every other
    service on the host of CPU.

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
        cpus: "1.5"
    ```

    ## Fix safety
    The right limit depends on the service: the unsafe fix writes the rule option `limit`
    (default `1.0`) as `cpus`, or in `deploy.resources.limits` when the service has a
    `deploy.resources` block.
    """

    meta = RuleMeta(
        id="CR020",
        name="no-cpu-limit",
        title="No CPU limit",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Set `deploy.resources.limits.cpus` (or `cpus`).",
        references=(
            CIS_DOCKER.control(
                "5.12", "Ensure that CPU priority is set appropriately on containers"
            ),
            _NIST,
            _CWE,
        ),
        aliases=("cpus_not_limited", "CIS-5.12"),
        fix=FixAvailability.SOMETIMES,
        options=(Option("limit", "1.0", "CPU limit written by the fix"),),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        yield from _missing_limit(
            self, ctx, model, "cpus", "no CPU limit", top_key="cpus", deploy_key="cpus"
        )


class NoPidsLimit(Rule[Workload]):
    """## What it does
    Reports a container without a process limit (`pids_limit` or `deploy.resources.limits.pids`),
    or with `-1`/`0` (unlimited).

    ## Why is this bad?
    A fork bomb inside one container exhausts the host's process table and takes the whole host
    down.

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
        pids_limit: 200
    ```

    ## Fix safety
    The right limit depends on the service: the unsafe fix writes the rule option `limit`
    (default 256) as `pids_limit` (also when the service has a `deploy.resources` block:
    docker-compose 1.x does not accept `deploy.resources.limits.pids`), or replaces a
    non-positive `deploy.resources.limits.pids`.
    """

    meta = RuleMeta(
        id="CR021",
        name="no-pids-limit",
        title="No process (pids) limit",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Set `pids_limit` (or `deploy.resources.limits.pids`) to a positive value.",
        references=(
            CIS_DOCKER.control("5.29", "Ensure that the PIDs cgroup limit is used"),
            _NIST,
            _CWE,
        ),
        aliases=("pids_limit_not_set", "CIS-5.29"),
        fix=FixAvailability.SOMETIMES,
        options=(Option("limit", 256, "process limit written by the fix"),),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        what = "unlimited" if model.pids.explicit else "no pids limit"
        yield from _missing_limit(
            self,
            ctx,
            model,
            "pids",
            what,
            top_key="pids_limit",
            deploy_key="pids",
            deploy_new=False,  # docker-compose 1.x rejects a new deploy.resources.limits.pids
            as_int=True,
        )


class RestartWithoutLimit(Rule[Workload]):
    """## What it does
    Reports `restart: always` / `unless-stopped` (or a `deploy.restart_policy` without
    `max_attempts`), and `on-failure` with more than 5 retries.

    ## Why is this bad?
    A container that crashes on start restarts forever: it hides the failure, burns resources and,
    when an attacker triggers the crash, repeats the attack surface indefinitely.

    ## Example
    ```yaml
    services:
      worker:
        image: example/worker:2.3
        restart: always
    ```

    Use instead:
    ```yaml
    services:
      worker:
        image: example/worker:2.3
        restart: on-failure:5
    ```

    ## Fix safety
    No automatic fix: `always` also restarts after a daemon restart, which `on-failure` does not.
    """

    meta = RuleMeta(
        id="CR028",
        name="restart-without-limit",
        title="Restart policy has no retry limit",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Use `restart: on-failure:5` or `deploy.restart_policy.max_attempts`.",
        references=(
            CIS_DOCKER.control(
                "5.15", "Ensure that the 'on-failure' container restart policy is set to '5'"
            ),
            _NIST,
            CWE.control("CWE-400", "Uncontrolled Resource Consumption"),
        ),
        aliases=("restart_policy_on_failure_not_set_to_5", "CIS-5.15"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        policy = model.restart.value
        attempts = policy.max_attempts
        if policy.name in ("always", "unless-stopped") and attempts is None:
            yield report(
                self,
                ctx,
                model,
                model.restart,
                f"restart {policy.name!r} without a limit",
                "restart",
            )
        elif policy.name == "on-failure" and (attempts is None or attempts > 5):
            limit = "no retry limit" if attempts is None else f"{attempts} retries"
            yield report(
                self, ctx, model, model.restart, f"restart on-failure with {limit}", "restart"
            )


RULES = (NoMemoryLimit(), NoCpuLimit(), NoPidsLimit(), RestartWithoutLimit())
