"""Rules about BuildKit secret mounts whose content is written into the image anyway."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile, Instruction
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import commands, mapped_span, run_scripts

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_CONFIG_TOOLS = frozenset({"npm", "yarn", "pnpm", "git", "pip", "pip3", "poetry", "composer"})


class SecretMount(NamedTuple):
    """One ``--mount=type=secret`` of a RUN: where the file appears and which variable holds it."""

    path: str
    env: str | None


def secret_mounts(instr: Instruction) -> list[SecretMount]:
    """The secret mounts of a RUN instruction."""
    found = []
    for flag in instr.flags_named("mount"):
        options: dict[str, str] = {}
        for part in (flag.value or "").split(","):
            key, _, value = part.partition("=")
            options[key.strip().lower()] = value.strip()
        if options.get("type") != "secret":
            continue
        ident = options.get("id", "")
        target = options.get("target") or options.get("dst") or options.get("destination")
        if not target and not ident:
            continue
        path = target or f"/run/secrets/{ident}"
        found.append(SecretMount(path, options.get("env") or None))
    return found


class SecretMountPersisted(Rule[Dockerfile]):
    """## What it does
    Reports a `RUN --mount=type=secret` that writes the secret into the image after all: copying
    the mounted file (`cp /run/secrets/npmrc ~/.npmrc`, `cat /run/secrets/key > key.pem`), or
    storing the secret variable in a configuration file (`npm config set …=$NPM_TOKEN`,
    `git config … $TOKEN`, `echo "$TOKEN" > file`). Every stage is checked.

    ## Why is this bad?
    A secret mount only protects the secret while it stays in the mount. Once a command copies it
    into the filesystem it is part of the layer, readable by anyone who pulls the image, exactly
    as if it had been `COPY`ed.

    ## Example
    ```dockerfile
    FROM node:22-slim
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\
        npm config set //registry.npmjs.org/:_authToken=$NPM_TOKEN && npm ci
    ```

    Use instead:
    ```dockerfile
    FROM node:22-slim
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```

    ## Fix safety
    No automatic fix: the tool must be pointed at the mounted file instead.
    """

    meta = RuleMeta(
        id="DF027",
        name="secret-mount-persisted",
        title="A RUN copies its secret mount into the image",
        severity=Severity.HIGH,
        targets=DOCKERFILE,
        remediation="Mount the secret where the tool reads it (`target=`) instead of copying it.",
        references=(
            CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
            NIST_800_190.control("4.1.4"),
            CWE.control("CWE-538", "Insertion of Sensitive Information into Accessible File"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        mounts_of: dict[int, list[SecretMount]] = {}
        for _, instr, _, _ in run_scripts(df):
            if id(instr) not in mounts_of:
                mounts_of[id(instr)] = secret_mounts(instr)
        if not any(mounts_of.values()):
            return
        yield from self._configured(df, ctx, mounts_of)
        for _, instr, script, mapper in run_scripts(df):
            for mount in mounts_of.get(id(instr), []):
                for regex, what in _copy_patterns(mount):
                    for m in regex.finditer(script):
                        yield ctx.finding(
                            self,
                            f"{what} writes the secret mounted at {mount.path} into the image",
                            span=mapped_span(mapper, m.start(), m.end()),
                        )

    def _configured(
        self, df: Dockerfile, ctx: Context, mounts_of: dict[int, list[SecretMount]]
    ) -> Iterator[Finding]:
        for _, cmd in commands(df):
            mounts = mounts_of.get(id(cmd.instruction))
            if not mounts or cmd.name not in _CONFIG_TOOLS:
                continue
            sub = cmd.program.subcommand()
            if sub is None or sub.text != "config":
                continue
            names = {m.env for m in mounts if m.env}
            for word in cmd.program.words[2:]:
                if any(_references(word.text, name) for name in names):
                    yield ctx.finding(
                        self,
                        f"{cmd.name} config stores the secret variable in a configuration file",
                        span=cmd.word_span(word),
                    )
                    break


def _references(text: str, name: str) -> bool:
    return f"${name}" in text or f"${{{name}}}" in text or f"${{{name}:" in text


@lru_cache(maxsize=256)
def _copy_patterns(mount: SecretMount) -> list[tuple[re.Pattern[str], str]]:
    path = re.escape(mount.path)
    quoted = rf"[\"']?{path}[\"']?"
    patterns = [
        (
            re.compile(rf"\b(?:cp|mv|install|rsync)\b[^;&|\n]*?\s{quoted}\s+[\"']?[^\s;&|]"),
            "a copy",
        ),
        (re.compile(rf"\bcat\s+{quoted}\s*(?:>{{1,2}}|\|\s*(?:sudo\s+)?tee\b)"), "cat"),
    ]
    if mount.env:
        var = rf"\$\{{?{re.escape(mount.env)}\b"
        patterns.append(
            (re.compile(rf"\b(?:echo|printf)\b[^;&|\n]*{var}[^;&|\n]*>"), "a redirection")
        )
    return patterns
