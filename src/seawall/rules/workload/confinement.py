"""Rules about kernel confinement: seccomp, AppArmor and SELinux switched off."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.workload._common import report
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})
_NIST = NIST_800_190.control("4.4.3", "Insecure container runtime configurations")
_CWE = CWE.control("CWE-693", "Protection Mechanism Failure")


class SeccompUnconfined(Rule[Workload]):
    """## What it does
    Reports `security_opt: [seccomp:unconfined]` (or `seccomp=unconfined`).

    ## Why is this bad?
    Docker's default seccomp profile blocks about 44 system calls (keyctl, mount, kexec_load,
    bpf...) that most container escapes rely on. Unconfined, the whole kernel API is open.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        security_opt:
          - seccomp:unconfined
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
        security_opt:
          - seccomp:./seccomp/app.json
    ```

    ## Fix safety
    No automatic fix: a service that needs an extra system call needs a custom profile
    (`seawall seccomp generate` writes one from observed behaviour).
    """

    meta = RuleMeta(
        id="CR007",
        name="seccomp-unconfined",
        title="Seccomp is disabled",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Remove `seccomp:unconfined`; use the default or a custom profile.",
        references=(
            CIS_DOCKER.control("5.22", "Ensure the default seccomp profile is not Disabled"),
            _NIST,
            _CWE,
        ),
        aliases=("default_seccomp_profile_disabled", "CIS-5.22"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if (model.seccomp.value or "").strip().lower() == "unconfined":
            yield report(self, ctx, model, model.seccomp, "seccomp is unconfined", "seccomp")


class AppArmorUnconfined(Rule[Workload]):
    """## What it does
    Reports `security_opt: [apparmor:unconfined]`.

    ## Why is this bad?
    On AppArmor hosts (Debian, Ubuntu, SUSE) the `docker-default` profile denies writes to `/proc`
    and `/sys` and mounts; unconfined, those host interfaces are open to the container.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        security_opt:
          - apparmor:unconfined
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
    ```

    ## Fix safety
    No automatic fix: a service that was made to work unconfined may need a custom profile.
    """

    meta = RuleMeta(
        id="CR008",
        name="apparmor-unconfined",
        title="AppArmor is disabled",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Remove `apparmor:unconfined`; use the default or a custom AppArmor profile.",
        references=(
            CIS_DOCKER.control("5.2", "Ensure that, if applicable, an AppArmor Profile is enabled"),
            _NIST,
            _CWE,
        ),
        aliases=("CIS-5.2",),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if (model.apparmor.value or "").strip().lower() == "unconfined":
            yield report(self, ctx, model, model.apparmor, "AppArmor is unconfined", "apparmor")


class SelinuxDisabled(Rule[Workload]):
    """## What it does
    Reports `security_opt: [label:disable]` (or `label=disable`), which turns SELinux separation
    off for the container, and `label:type:spc_t`, the unconfined "super privileged" type.

    ## Why is this bad?
    On SELinux hosts (Fedora, RHEL) container processes are confined to `container_t` with a
    unique MCS label so they cannot read host files or other containers' files; disabling the
    label removes that wall.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        security_opt:
          - label:disable
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
        volumes:
          - ./data:/data:Z
    ```

    ## Fix safety
    No automatic fix: bind mounts may need a `:z`/`:Z` relabel before the label can come back.
    """

    meta = RuleMeta(
        id="CR009",
        name="selinux-disabled",
        title="SELinux separation is disabled",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Remove `label:disable`; relabel bind mounts with `:z` or `:Z` instead.",
        references=(
            CIS_DOCKER.control(
                "5.3", "Ensure that, if applicable, SELinux security options are set"
            ),
            _NIST,
            _CWE,
        ),
        aliases=("CIS-5.3",),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for label in model.selinux.value:
            value = label.value.strip().lower().replace("=", ":")
            if value == "disable" or value == "type:spc_t":
                yield report(self, ctx, model, label, f"SELinux label {label.value!r}", value)


RULES = (SeccompUnconfined(), AppArmorUnconfined(), SelinuxDisabled())
