"""Rules about how RUN steps reach out: elevated build privileges, plain-HTTP downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile, Instruction
from seawall.rules._base import CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import (
    commands_named,
    commands_where,
    run_instructions,
)
from seawall.rules.dockerfile._util import ShellCommand

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})


class ElevatedBuildPrivileges(Rule[Dockerfile]):
    """## What it does
    Reports `RUN --security=insecure` (the step runs with all capabilities and no seccomp or
    AppArmor confinement, like `docker run --privileged`) and `RUN --network=host` (the step sees
    the build host's network, including services bound to its localhost). Every stage is checked.

    ## Why is this bad?
    Build steps run code from package registries and install scripts. With `--security=insecure`
    that code can reach the build host's kernel and devices; with `--network=host` it can talk to
    the host's local services (metadata endpoints, Docker API, databases). Both need an explicit
    entitlement on the builder, and CI builders often grant it globally.

    ## Example
    ```dockerfile
    # syntax=docker/dockerfile:1-labs
    FROM debian:bookworm-slim
    RUN --security=insecure mount -t tmpfs none /mnt
    ```

    Use instead:
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM debian:bookworm-slim
    RUN --mount=type=tmpfs,target=/mnt true
    ```

    ## Fix safety
    No automatic fix: the step may depend on the privilege.
    """

    meta = RuleMeta(
        id="DF025",
        name="elevated-build-privileges",
        title="A RUN step asks for privileged security mode or the host network",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Drop `--security=insecure`/`--network=host`; use cache, tmpfs, secret mounts.",
        references=(
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for _, instr in run_instructions(df):
            yield from self._flags(instr, ctx)

    def _flags(self, instr: Instruction, ctx: Context) -> Iterator[Finding]:
        for flag in instr.flags:
            value = (flag.value or "").lower()
            if flag.name == "security" and value == "insecure":
                yield ctx.finding(
                    self, "RUN --security=insecure runs the step unconfined", span=flag.span
                )
            elif flag.name == "network" and value == "host":
                yield ctx.finding(
                    self,
                    "RUN --network=host gives the step the build host's network",
                    span=flag.span,
                    severity=Severity.LOW,
                )


_LOCAL_HOSTS = lazy_pattern(
    r"^(?:http|ftp)://(?:[^/@]*@)?(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)(?:[:/]|$)",
    re.I,
)
_VERIFIERS = frozenset(
    {
        "sha256sum",
        "sha512sum",
        "sha1sum",
        "shasum",
        "sha384sum",
        "gpg",
        "gpgv",
        "cosign",
        "minisign",
    }
)
_FETCHERS = frozenset({"curl", "wget", "aria2c", "fetch", "git"})


def _plain_urls(cmd: ShellCommand) -> list[tuple[str, ShellCommand, int]]:
    """Words of a command that are plain http:// or ftp:// URLs (local hosts excepted)."""
    found = []
    for index, word in enumerate(cmd.program.words[1:], start=1):
        text = word.text
        lower = text.lower()
        value = lower.split("=", 1)[1] if lower.startswith("--") and "=" in lower else lower
        if value.startswith(("http://", "ftp://")) and not _LOCAL_HOSTS.match(value):
            found.append((text, cmd, index))
    return found


def _is_installer(name: str) -> bool:
    return name in ("npm", "yarn", "pnpm") or name.startswith("pip") or name == "uv"


class PlainHttpDownload(Rule[Dockerfile]):
    """## What it does
    Reports downloads over unencrypted `http://` or `ftp://` in `RUN`: `curl`/`wget`/`git clone`
    of such URLs, and `pip --index-url http://…` or `npm --registry http://…`. A `RUN` that
    verifies what it downloaded (`sha256sum -c`, `gpg --verify`, `cosign verify`) is not reported,
    nor are local hosts (`localhost`, `127.0.0.1`). OS package managers (`apt`, `apk`, `dnf`) check
    signatures and are not reported here. Every stage is checked.

    ## Why is this bad?
    Anyone on the network path can read and replace an unencrypted download: the build then runs
    or ships whatever they served.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSLo /usr/local/bin/jq http://stedolan.github.io/jq/download/linux64/jq
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSLo /usr/local/bin/jq https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux64
    ```

    ## Fix safety
    No automatic fix: not every server offers HTTPS at the same address.
    """

    meta = RuleMeta(
        id="DF026",
        name="plain-http-download",
        title="A RUN step downloads over unencrypted HTTP without verifying it",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Use https:// URLs, or verify the download with a checksum or signature.",
        references=(
            NIST_800_190.control("4.1.3"),
            CWE.control("CWE-319", "Cleartext Transmission of Sensitive Information"),
            CWE.control("CWE-494", "Download of Code Without Integrity Check"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        verified = {id(cmd.instruction) for _, cmd in commands_named(df, *_VERIFIERS)}
        candidates = [*commands_named(df, *_FETCHERS), *commands_where(df, _is_installer)]
        for _, cmd in candidates:
            if id(cmd.instruction) in verified:
                continue
            sub = cmd.program.subcommand() if cmd.name == "git" else None
            if sub is not None and sub.text not in ("clone", "fetch", "pull", "submodule"):
                continue
            for url, owner, index in _plain_urls(cmd):
                yield ctx.finding(
                    self,
                    f"{cmd.name} fetches {url.split('//', 1)[0]}// unencrypted and unverified",
                    span=owner.word_span(owner.program.words[index]),
                )
