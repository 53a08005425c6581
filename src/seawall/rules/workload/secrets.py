"""Rules about secrets passed as plain environment values."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.workload._common import compose_fix, report, secret_kind
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})


class SecretInEnvironment(Rule[Workload]):
    """## What it does
    Reports a literal secret in the container's environment: a variable named like a secret
    (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`...) with a real value, a URL with a
    password (`postgres://app:hunter2@db/app`), or a known token format (AWS, GitHub, Slack...).
    Values from `environment:` and from `env_file` files are both checked; the finding points at
    the file and line where the value is written. The value is never printed.

    ## Why is this bad?
    The environment is visible to `docker inspect`, to every process in the container, in
    `/proc/<pid>/environ`, in crash reports and logs, and the file sits in version control.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: hunter2
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD_FILE: /run/secrets/db_password
        secrets: [db_password]
    secrets:
      db_password:
        file: ./db_password.txt
    ```

    ## Fix safety
    Moving a value to a secret file needs the application to read the file. For images known to
    read `*_FILE` variables (postgres, mysql, mariadb, mongo), the unsafe fix replaces `NAME` by
    `NAME_FILE: /run/secrets/<service>_<name>`, declares the secret, writes the value to a new
    file `<service>_<name>.secret` with mode 0600 and lists it in `.gitignore`; the value is
    never printed. For other images the fix is only displayed.
    """

    meta = RuleMeta(
        id="CR024",
        name="secret-in-environment",
        title="Literal secret in the container environment",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Use Compose `secrets:` mounted as files (and `*_FILE` variables).",
        references=(
            NIST_800_190.control("4.1.4", "Embedded clear text secrets"),
            CWE.control("CWE-798", "Use of Hard-coded Credentials"),
            CWE.control(
                "CWE-526", "Exposure of Sensitive Information Through Environmental Variables"
            ),
        ),
        tags=("secret",),  # the text report masks the spanned value
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        fix = None
        for var in model.environment.value:
            kind = secret_kind(var.value.name, var.value.value)
            if kind is None:
                continue
            where = "env_file" if var.value.source == "env_file" else "environment"
            if fix is None:  # one fix per service moves all its secrets
                fix = compose_fix(ctx, model, "secrets")
            yield report(
                self,
                ctx,
                model,
                var,
                f"{var.value.name} in {where} holds {kind} (value not shown)",
                f"env:{var.value.name}",
                fix=fix,
            )


RULES = (SecretInEnvironment(),)
