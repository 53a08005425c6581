"""IMG rules over the image history: secrets in build commands and arguments, ADD of URLs."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from seawall.image.model import Image
from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.image._common import find_tokens, placeholder, secret_like_name

IMAGE = frozenset({TargetKind.IMAGE})

# Build arguments are recorded before the command: "|2 A=1 B=2 /bin/sh -c ..." (classic builder
# and BuildKit alike).
_ARGS_PREFIX = re.compile(r"^(?:RUN\s+)?\|(\d+)\s+(.*)$", re.DOTALL)
_ENV_OR_ARG = re.compile(r"^(?:/bin/sh -c #\(nop\)\s+)?(ENV|ARG)\s+(.*)$", re.DOTALL)
_SECRET_FLAG = re.compile(
    r"(?:^|\s)(?:--password|--passwd|-p|--token|--api-key|--secret)(?:=|\s+)(?!\$)(\S+)"
)


def _build_args(created_by: str) -> list[tuple[str, str]]:
    match = _ARGS_PREFIX.match(created_by.strip())
    if not match:
        return []
    try:
        words = shlex.split(match.group(2))
    except ValueError:
        words = match.group(2).split()
    pairs = []
    for word in words[: int(match.group(1))]:
        name, sep, value = word.partition("=")
        if sep:
            pairs.append((name, value))
    return pairs


def _instruction_pairs(created_by: str) -> list[tuple[str, str, str]]:
    match = _ENV_OR_ARG.match(created_by.strip().removesuffix("# buildkit").strip())
    if not match:
        return []
    try:
        words = shlex.split(match.group(2))
    except ValueError:
        words = match.group(2).split()
    pairs = []
    for word in words:
        name, sep, value = word.partition("=")
        if sep:
            pairs.append((match.group(1), name, value))
    return pairs


class SecretInHistory(Rule[Image]):
    """## What it does
    Reports image history entries (`/history/N/created_by`) that reveal credentials: build
    arguments with credential-like names (`|1 NPM_TOKEN=... /bin/sh -c ...`), `ARG`/`ENV`
    instructions with literal secret values, password/token command-line flags, and well-known
    token formats anywhere in the command. Values are never printed.

    ## Why is this bad?
    History ships with the image: `docker history --no-trunc` shows every build argument and
    command to anyone who can pull it, even when the secret never reached a file.

    ## Example
    ```dockerfile
    FROM node:22
    ARG NPM_TOKEN
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    ```

    Use instead:
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM node:22
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```

    ## Fix safety
    No automatic fix: rotate the credential and rebuild using build secrets.
    """

    meta = RuleMeta(
        id="IMG004",
        name="secret-in-image-history",
        title="A credential is recorded in the image history",
        severity=Severity.CRITICAL,
        targets=IMAGE,
        remediation="Rotate the credential; pass secrets with `RUN --mount=type=secret`, not ARG.",
        references=(
            CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
            NIST_800_190.control("4.1.4", "Embedded clear text secrets"),
            CWE.control("CWE-798", "Use of Hard-coded Credentials"),
        ),
        aliases=("CIS-DI-0010",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        config_env = image.runtime.get("Env") or []
        for entry in image.history:
            text = entry.created_by
            if not text:
                continue
            pointer = f"/history/{entry.index}/created_by"
            reasons: list[str] = []
            for name, value in _build_args(text):
                if secret_like_name(name) and not placeholder(value):
                    reasons.append(f"build argument {name}")
            for kind, name, value in _instruction_pairs(text):
                # ENV values still in the config are IMG003's; report only those since removed.
                if kind == "ENV" and f"{name}={value}" in config_env:
                    continue
                if secret_like_name(name) and not placeholder(value):
                    reasons.append(f"{kind} {name}")
            if _SECRET_FLAG.search(text):
                reasons.append("a password/token command-line flag")
            reasons.extend(find_tokens(text))
            if reasons:
                unique = ", ".join(dict.fromkeys(reasons))
                yield ctx.finding(
                    self, f"History entry {entry.index} reveals {unique}", pointer=pointer
                )


_ADD_URL = re.compile(r"(?:^|#\(nop\)\s+|\s)ADD\s+(?:--\S+\s+)*(https?|ftp)://", re.IGNORECASE)


class AddUrlInHistory(Rule[Image]):
    """## What it does
    Reports history entries created by `ADD <url>`.

    ## Why is this bad?
    `ADD` downloads without verifying a checksum or signature unless `--checksum` is given, so the
    image contains whatever the server (or anyone in between) returned at build time, and the build
    is not reproducible.

    ## Example
    ```dockerfile
    FROM debian:12
    ADD https://example.com/tool.tar.gz /opt/
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    ADD --checksum=sha256:4f1e... https://example.com/tool.tar.gz /opt/
    ```

    ## Fix safety
    No automatic fix: the image must be rebuilt.
    """

    meta = RuleMeta(
        id="IMG005",
        name="image-add-from-url",
        title="A layer was added from a URL with ADD",
        severity=Severity.MEDIUM,
        targets=IMAGE,
        remediation="Download with a verified checksum (`ADD --checksum=` or curl + sha256sum).",
        references=(
            CIS_DOCKER.control("4.9", "Ensure that COPY is used instead of ADD in Dockerfiles"),
            NIST_800_190.control("4.1.3", "Embedded malware"),
            CWE.control("CWE-494", "Download of Code Without Integrity Check"),
        ),
        aliases=("CIS-DI-0009",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        for entry in image.history:
            if _ADD_URL.search(entry.created_by) and "--checksum" not in entry.created_by:
                yield ctx.finding(
                    self,
                    f"History entry {entry.index} adds content from a URL without a checksum",
                    pointer=f"/history/{entry.index}/created_by",
                )
