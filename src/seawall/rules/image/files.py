"""IMG rules over files in any layer: keys, credentials, .env, token configs, .git, shell history.

Every version of every path is examined, including versions a later layer deleted or
overwrote: the bytes are still in the earlier layer's blob and anyone can extract them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from seawall.image import sensitive
from seawall.image.filesystem import Kind
from seawall.image.model import Image
from seawall.image.sensitive import Sensitive
from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.image._common import file_pointer, sensitive_versions, where

IMAGE = frozenset({TargetKind.IMAGE})
_SECRET_REFS = (
    CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
    NIST_800_190.control("4.1.4", "Embedded clear text secrets"),
    CWE.control("CWE-312", "Cleartext Storage of Sensitive Information"),
)


class _SensitiveFileRule(Rule[Image]):
    """Shared logic: report each layer version of files in one sensitive category."""

    category: ClassVar[Sensitive]

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        fs = image.fs
        for entry, removal in sensitive_versions(fs, self.category):
            if self.category is Sensitive.PRIVATE_KEY and sensitive.needs_content_check(entry.path):
                data = fs.content_at(entry.layer, entry.path)
                if not isinstance(data, bytes) or not sensitive.PEM_PRIVATE_KEY.search(data):
                    continue
            yield ctx.finding(
                self,
                f"{self.category.value.capitalize()} /{entry.path} {where(entry, removal)}",
                pointer=file_pointer(entry.layer, entry.path),
            )


class PrivateKeyInImage(_SensitiveFileRule):
    """## What it does
    Reports private keys in any layer: SSH keys (`id_rsa`, `id_ed25519`, ...), SSH host keys,
    `.pem`/`.key` files whose content holds a `PRIVATE KEY` block, and key stores (`.p12`, `.jks`,
    `.pfx`). A key deleted by a later layer is still reported, with the layer that holds it.

    ## Why is this bad?
    Every layer is shipped: `RUN rm` in a later step hides the key from the container's view but
    not from `docker save`. Anyone who can pull the image gets the key; SSH host keys baked in are
    shared by every container.

    ## Example
    ```dockerfile
    FROM debian:12
    COPY id_rsa /root/.ssh/id_rsa
    RUN git clone git@example.com:org/app.git && rm /root/.ssh/id_rsa
    ```

    Use instead:
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:12
    RUN --mount=type=ssh git clone git@example.com:org/app.git
    ```

    ## Fix safety
    No automatic fix: revoke the key and rebuild without it.
    """

    category = Sensitive.PRIVATE_KEY
    meta = RuleMeta(
        id="IMG008",
        name="private-key-in-image",
        title="A private key is shipped in an image layer",
        severity=Severity.CRITICAL,
        targets=IMAGE,
        remediation="Revoke the key; use build secrets or SSH forwarding instead of copying keys.",
        references=_SECRET_REFS,
        aliases=("CIS-DI-0010",),
    )


class CloudCredentialsInImage(_SensitiveFileRule):
    """## What it does
    Reports cloud credential files in any layer: `~/.aws/credentials`, Azure token caches, gcloud
    credential databases, `application_default_credentials.json`, `credentials.json`,
    `~/.kube/config`.

    ## Why is this bad?
    These files grant access to cloud accounts and clusters; a copy in any layer is readable by
    anyone who can pull the image, even if a later layer deletes it.

    ## Example
    ```dockerfile
    FROM python:3.12
    COPY .aws /root/.aws
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12
    # credentials come from the runtime (instance role, workload identity, mounted secret)
    ```

    ## Fix safety
    No automatic fix: rotate the credentials.
    """

    category = Sensitive.CLOUD_CREDENTIALS
    meta = RuleMeta(
        id="IMG009",
        name="cloud-credentials-in-image",
        title="Cloud credentials are shipped in an image layer",
        severity=Severity.CRITICAL,
        targets=IMAGE,
        remediation="Rotate the credentials and supply them at run time.",
        references=_SECRET_REFS,
        aliases=("CIS-DI-0010",),
    )


class DotenvInImage(_SensitiveFileRule):
    """## What it does
    Reports `.env` files (and `.env.<name>`, except `.example`/`.sample`) in any layer, outside
    vendored library trees.

    ## Why is this bad?
    `.env` files usually hold the application's database passwords and API keys for local
    development; `COPY . .` ships them.

    ## Example
    ```dockerfile
    FROM node:22
    COPY . /app
    ```

    Use instead:
    ```dockerfile
    FROM node:22
    # .dockerignore lists .env
    COPY . /app
    ```

    ## Fix safety
    No automatic fix: add `.env*` to `.dockerignore` and rebuild.
    """

    category = Sensitive.DOTENV
    meta = RuleMeta(
        id="IMG010",
        name="dotenv-in-image",
        title="A .env file is shipped in an image layer",
        severity=Severity.HIGH,
        targets=IMAGE,
        remediation="Exclude .env files with .dockerignore; provide configuration at run time.",
        references=_SECRET_REFS,
        aliases=("CIS-DI-0010",),
    )


class TokenConfigInImage(_SensitiveFileRule):
    """## What it does
    Reports registry and package-manager credential files in any layer: `.npmrc`, `.pypirc`,
    `.netrc`, `.git-credentials`, `.docker/config.json`, `.gem/credentials`, `.composer/auth.json`,
    `.cargo/credentials`.

    ## Why is this bad?
    These files carry publish or pull tokens. Writing one to fetch private dependencies and
    deleting it in a later `RUN` still ships it in the earlier layer.

    ## Example
    ```dockerfile
    FROM node:22
    COPY .npmrc /app/.npmrc
    RUN npm ci
    RUN rm /app/.npmrc
    ```

    Use instead:
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM node:22
    RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci
    ```

    ## Fix safety
    No automatic fix: rotate the token.
    """

    category = Sensitive.TOKEN_CONFIG
    meta = RuleMeta(
        id="IMG011",
        name="token-config-in-image",
        title="A registry or package-manager credential file is shipped",
        severity=Severity.HIGH,
        targets=IMAGE,
        remediation="Use build secrets for package-manager credentials; rotate the shipped token.",
        references=_SECRET_REFS,
        aliases=("CIS-DI-0010",),
    )


class ShellHistoryInImage(_SensitiveFileRule):
    """## What it does
    Reports shell and REPL history files (`.bash_history`, `.ash_history`, `.python_history`,
    `.psql_history`, ...) in any layer.

    ## Why is this bad?
    History files record commands typed while preparing the image — often with passwords on the
    command line — and show the image was built by hand rather than from a Dockerfile.

    ## Example
    ```dockerfile
    # an image committed from an interactive container (docker commit)
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
    ```

    ## Fix safety
    No automatic fix.
    """

    category = Sensitive.SHELL_HISTORY
    meta = RuleMeta(
        id="IMG013",
        name="shell-history-in-image",
        title="A shell history file is shipped in an image layer",
        severity=Severity.MEDIUM,
        targets=IMAGE,
        remediation="Build images from a Dockerfile, not `docker commit`; remove history files.",
        references=(NIST_800_190.control("4.1.4"), CWE.control("CWE-532")),
    )


class GitFolderInImage(Rule[Image]):
    """## What it does
    Reports `.git` directories in any layer (once per directory and layer).

    ## Why is this bad?
    A `.git` folder carries the whole repository history — including secrets committed and later
    removed — and often a remote URL with credentials in `.git/config`.

    ## Example
    ```dockerfile
    FROM python:3.12
    COPY . /app
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12
    # .dockerignore lists .git
    COPY . /app
    ```

    ## Fix safety
    No automatic fix: add `.git` to `.dockerignore`.
    """

    meta = RuleMeta(
        id="IMG012",
        name="git-folder-in-image",
        title="A .git folder is shipped in an image layer",
        severity=Severity.MEDIUM,
        targets=IMAGE,
        remediation="Add .git to .dockerignore and rebuild.",
        references=(NIST_800_190.control("4.1.4"), CWE.control("CWE-527")),
        aliases=("DKL-LI-0003",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        seen: set[tuple[int, str]] = set()
        for entry, removal in image.fs.all_versions():
            if entry.path.endswith(".git") and entry.kind is Kind.DIR:
                git_dir: str | None = entry.path
            else:
                git_dir = sensitive.git_dir_of(entry.path)
            if git_dir is None or "/" + git_dir.rsplit("/", 1)[-1] != "/.git":
                continue
            if (entry.layer, git_dir) in seen:
                continue
            seen.add((entry.layer, git_dir))
            yield ctx.finding(
                self,
                f"Git folder /{git_dir} {where(entry, removal)}",
                pointer=file_pointer(entry.layer, git_dir),
            )
