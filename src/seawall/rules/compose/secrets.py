"""Compose secrets rules: secret files readable by others, literal secrets in .env files."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.parsers.compose import ComposeProject
from seawall.rules._base import CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.compose.segmentation import located
from seawall.rules.workload._common import secret_kind

_COMPOSE = frozenset({TargetKind.COMPOSE})


class SecretFileReadableByOthers(Rule[ComposeProject]):
    """## What it does
    Reports a file-based Compose secret (`secrets: {name: {file: ...}}`) whose file is readable or
    writable by its group or by everyone (any of the mode bits `0o077`).

    ## Why is this bad?
    Moving a password out of the compose file only helps if the file holding it is private: a
    world-readable secret file can be read by every user and process on the machine, and ends up
    in backups and build contexts.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        secrets: [db_password]
    secrets:
      db_password:
        file: ./db_password.txt   # mode 0644
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16
        secrets: [db_password]
    secrets:
      db_password:
        file: ./db_password.txt   # chmod 600
    ```

    ## Fix safety
    No automatic fix: seawall does not change file permissions; run `chmod 600 <file>`.
    """

    meta = RuleMeta(
        id="DC004",
        name="secret-file-readable-by-others",
        title="Secret file is readable by group or others",
        severity=Severity.MEDIUM,
        targets=_COMPOSE,
        remediation="Restrict the secret file to its owner: `chmod 600 <file>`.",
        references=(
            NIST_800_190.control("4.1.4", "Embedded clear text secrets"),
            CWE.control("CWE-732", "Incorrect Permission Assignment for Critical Resource"),
        ),
    )

    def check(self, model: ComposeProject, ctx: Context) -> Iterator[Finding]:
        for kind, objects in (("secret", model.secrets),):
            for secret in objects.values():
                if secret.kind != "file" or secret.mode is None or not secret.mode & 0o077:
                    continue
                who = "everyone" if secret.mode & 0o007 else "its group"
                yield located(
                    self,
                    ctx,
                    secret.origin,
                    f"{kind} '{secret.name}' file is accessible to {who} "
                    f"(mode {secret.mode & 0o777:04o})",
                    secret.name,
                )


class LiteralSecretInDotenv(Rule[ComposeProject]):
    """## What it does
    Reports a literal secret in the project's `.env` file (or `--env-file`): a variable named
    like a secret with a real value, a URL with a password, or a known token format. The value is
    never printed.

    ## Why is this bad?
    `.env` is read for interpolation, so its secrets flow into `environment:` values (visible to
    `docker inspect` and every process) and the file itself is easily committed or copied into
    build contexts.

    ## Example
    ```yaml
    # .env:  DB_PASSWORD=hunter2
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: ${DB_PASSWORD}
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
    No automatic fix.
    """

    meta = RuleMeta(
        id="DC005",
        name="literal-secret-in-dotenv",
        title="Literal secret in the project's .env file",
        severity=Severity.MEDIUM,
        targets=_COMPOSE,
        remediation="Keep secrets in files referenced by Compose `secrets:` (chmod 600).",
        references=(
            NIST_800_190.control("4.1.4", "Embedded clear text secrets"),
            CWE.control("CWE-798", "Use of Hard-coded Credentials"),
        ),
        tags=("secret",),  # the text report masks the spanned value
    )

    def check(self, model: ComposeProject, ctx: Context) -> Iterator[Finding]:
        for entry in model.dotenv:
            if entry.value is None:
                continue
            kind = secret_kind(entry.name, entry.value)
            if kind is None:
                continue
            yield located(
                self,
                ctx,
                entry.origin,
                f"{entry.name} holds {kind} (value not shown); use Compose secrets",
                entry.name,
            )


RULES = (SecretFileReadableByOthers(), LiteralSecretInDotenv())
