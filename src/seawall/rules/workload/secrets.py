"""Rules about secrets passed as plain environment values."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.workload._common import report, secret_kind
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
    No automatic fix: moving a value to a secret file needs the application to read the file
    (most official images accept a `*_FILE` variable).
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
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for var in model.environment.value:
            kind = secret_kind(var.value.name, var.value.value)
            if kind is None:
                continue
            where = "env_file" if var.value.source == "env_file" else "environment"
            yield report(
                self,
                ctx,
                model,
                var,
                f"{var.value.name} in {where} holds {kind} (value not shown)",
                f"env:{var.value.name}",
            )


RULES = (SecretInEnvironment(),)
