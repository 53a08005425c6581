"""Rules about the privileges a container runs with: privileged mode, root, no-new-privileges."""

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
from seawall.rules.workload._common import compose_fix, is_root_user, report
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})


class PrivilegedContainer(Rule[Workload]):
    """## What it does
    Reports a container that runs in privileged mode (`privileged: true`).

    ## Why is this bad?
    A privileged container gets every capability, every host device and no seccomp, AppArmor or
    SELinux confinement: root inside it is root on the host, and escaping takes one command.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
        privileged: true
    ```

    Use instead:
    ```yaml
    services:
      web:
        image: nginx:1.27
        cap_add: [NET_BIND_SERVICE]
    ```

    ## Fix safety
    For a Compose service the unsafe fix deletes `privileged: true` (with the comment lines that
    describe only it): a workload that needs one specific capability or device stops working
    until that one is granted instead.
    """

    meta = RuleMeta(
        id="CR001",
        name="privileged-container",
        title="Container runs in privileged mode",
        severity=Severity.CRITICAL,
        targets=_WORKLOAD,
        remediation="Remove `privileged: true`; add only the capabilities or devices needed.",
        references=(
            CIS_DOCKER.control("5.5", "Ensure that privileged containers are not used"),
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=("privileged_containers_enabled", "CIS-5.5"),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if model.privileged.value:
            yield report(
                self,
                ctx,
                model,
                model.privileged,
                "runs in privileged mode",
                "privileged",
                fix=compose_fix(ctx, model, "privileged"),
            )


class RunsAsRoot(Rule[Workload]):
    """## What it does
    Reports a container whose user is root: `user: root`, `user: 0`, `user: "0:0"`, or no `user:`
    at all while the image's own user is unknown or root.

    ## Why is this bad?
    Root in a container is root on the host kernel. Any escape, writable host mount or exposed
    socket becomes a host compromise; an unprivileged UID removes most of that risk.

    ## Example
    ```yaml
    services:
      api:
        image: example/api:1.4
        user: root
    ```

    Use instead:
    ```yaml
    services:
      api:
        image: example/api:1.4
        user: "10001:10001"
    ```

    ## Fix safety
    The UID must own what the process writes. For a Compose service whose image is known to
    support a non-root user (postgres, mysql, mariadb, mongo, redis... see the known-images
    table), the unsafe fix sets that `user:`; for other images the fix is only displayed.
    """

    meta = RuleMeta(
        id="CR002",
        name="runs-as-root",
        title="Container runs as root",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Set `user:` to an unprivileged UID:GID (and make the image's files fit it).",
        references=(
            CIS_DOCKER.control("4.1", "Ensure that a user for the container has been created"),
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        user = model.user
        fix = compose_fix(ctx, model, "user")
        if user.explicit and user.value is not None:
            if is_root_user(user.value):
                yield report(
                    self, ctx, model, user, f"runs as root (user {user.value!r})", "user", fix=fix
                )
            return
        image_user = model.image_user
        if image_user is not None and image_user.strip() and not is_root_user(image_user):
            return
        why = "the image's user is root" if image_user else "the image's user is unknown"
        yield report(
            self,
            ctx,
            model,
            user,
            f"no 'user:' set and {why}: it runs as root",
            "user",
            severity=Severity.MEDIUM,
            fix=fix,
        )


class NoNewPrivilegesMissing(Rule[Workload]):
    """## What it does
    Reports a container without `security_opt: [no-new-privileges:true]`.

    ## Why is this bad?
    Without it a process can gain privileges through setuid/setgid binaries or file capabilities
    (`sudo`, `su`, `ping`...). The flag makes `execve` never grant more than the parent had.

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
        security_opt:
          - no-new-privileges:true
    ```

    ## Fix safety
    Adding the option is safe for almost every service; a process that relies on setuid helpers
    stops gaining privileges, so the fix (adding `no-new-privileges:true` to `security_opt` as a
    block list item, or turning `false` into `true`) is unsafe.
    """

    meta = RuleMeta(
        id="CR006",
        name="no-new-privileges-missing",
        title="Privilege escalation through setuid binaries is not blocked",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Add `no-new-privileges:true` to `security_opt`.",
        references=(
            CIS_DOCKER.control(
                "5.26",
                "Ensure that the container is restricted from acquiring additional privileges",
            ),
            NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=("no_new_privileges_not_set", "CIS-5.26"),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if not model.no_new_privileges.value:
            state = "is false" if model.no_new_privileges.explicit else "is not set"
            yield report(
                self,
                ctx,
                model,
                model.no_new_privileges,
                f"no-new-privileges {state}",
                "nnp",
                fix=compose_fix(ctx, model, "no_new_privileges"),
            )


RULES = (PrivilegedContainer(), RunsAsRoot(), NoNewPrivilegesMissing())
