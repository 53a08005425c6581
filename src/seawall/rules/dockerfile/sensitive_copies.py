"""Rules about files copied into an image that should never be there."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import glob_set, lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile, Instruction
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import copy_sources
from seawall.rules.dockerfile._util import shipped_stage_indices

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})

# (glob on one path component, what it is). Matched case-insensitively on every component.
SENSITIVE_NAMES: tuple[tuple[str, str], ...] = (
    (".env", "an environment file"),
    (".env.*", "an environment file"),
    ("id_rsa", "an SSH private key"),
    ("id_dsa", "an SSH private key"),
    ("id_ecdsa", "an SSH private key"),
    ("id_ed25519", "an SSH private key"),
    ("*.pem", "a PEM key file"),
    ("*.key", "a private key file"),
    ("*.p12", "a PKCS#12 key store"),
    ("*.pfx", "a PKCS#12 key store"),
    ("*.jks", "a Java key store"),
    ("*.keystore", "a key store"),
    (".npmrc", "npm credentials (.npmrc)"),
    (".pypirc", "PyPI credentials (.pypirc)"),
    (".netrc", "netrc credentials"),
    (".git-credentials", "git credentials"),
    (".htpasswd", "an htpasswd file"),
    (".aws", "AWS credentials (.aws)"),
    (".azure", "Azure credentials (.azure)"),
    (".gcp", "Google Cloud credentials (.gcp)"),
    (".ssh", "an SSH directory"),
    (".kube", "Kubernetes credentials (.kube)"),
    (".gnupg", "a GnuPG key ring"),
    (".git", "a git repository (.git)"),
    ("*.tfstate", "Terraform state"),
    ("*.tfstate.backup", "Terraform state"),
    ("*.tfvars", "Terraform variables"),
    ("credentials", "a credentials file"),
    ("credentials.*", "a credentials file"),
    ("*credentials*.json", "a credentials file"),
    ("*.ovpn", "a VPN profile"),
)
# Names that match the globs above but are public material or templates.
_HARMLESS = lazy_pattern(
    r"^(?:\.env\.(?:example|sample|template|dist|defaults?)|.*(?:cert|chain|bundle|public|pub|ca)[^/]*\.pem|"
    r"ca\.key\.pub|.*\.pub)$",
    re.I,
)


_SENSITIVE_GLOBS = glob_set([pattern for pattern, _ in SENSITIVE_NAMES])


def _sensitive_kind(path: str) -> str | None:
    """What sensitive thing a COPY/ADD source path names, if any."""
    if "://" in path:
        return None
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    if parts and parts[-1] == "config.json" and len(parts) >= 2 and parts[-2] == ".docker":
        return "Docker registry credentials (.docker/config.json)"
    for part in parts:
        lower = part.lower()
        if _HARMLESS.match(lower):
            continue
        found = _SENSITIVE_GLOBS.match(lower)
        if found is not None and found.lastindex is not None:
            return SENSITIVE_NAMES[found.lastindex - 1][1]
    return None


class SensitiveFileCopied(Rule[Dockerfile]):
    """## What it does
    Reports `COPY` and `ADD` of files that hold credentials or history: `.env`, SSH keys
    (`id_rsa`, `.ssh/`), `*.pem`/`*.key` key files, `.npmrc`, `.pypirc`, `.netrc`, `.aws/`,
    `.docker/config.json`, `.git/`, Terraform state and `credentials*` files. Public material and
    templates (`*.pub`, `ca.pem`, `cert.pem`, `.env.example`) are not reported. A copy into a stage
    that does not ship is reported at a lower severity: the file stays in the build cache.

    ## Why is this bad?
    Anything copied into a layer stays in the image even if a later instruction deletes it, and
    every person or system that can pull the image can extract it.

    ## Example
    ```dockerfile
    FROM node:22-slim
    COPY .npmrc package.json package-lock.json ./
    RUN npm ci
    ```

    Use instead:
    ```dockerfile
    FROM node:22-slim
    COPY package.json package-lock.json ./
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```

    ## Fix safety
    No automatic fix: the build needs another way to receive the credential (a secret mount).
    """

    meta = RuleMeta(
        id="DF007",
        name="sensitive-file-copied",
        title="A credential or key file is copied into the image",
        severity=Severity.HIGH,
        targets=DOCKERFILE,
        remediation="Copy no credentials: use a secret mount; list them in .dockerignore.",
        references=(
            CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
            NIST_800_190.control("4.1.4"),
            CWE.control(
                "CWE-538",
                "Insertion of Sensitive Information into Externally-Accessible File or Directory",
            ),
        ),
        aliases=("DS-0031", "AVD-DS-0031", "DS031", "CIS-DI-0010"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        shipped = shipped_stage_indices(df)
        for instr in _copies(df):
            for path, span in copy_sources(instr):
                kind = _sensitive_kind(path)
                if kind is None:
                    continue
                ships = instr.stage_index in shipped
                yield ctx.finding(
                    self,
                    f"{instr.keyword} copies {kind} into the image"
                    + ("" if ships else " (a build stage: it stays in the build cache)"),
                    span=span,
                    severity=None if ships else Severity.MEDIUM,
                )


def _copies(df: Dockerfile) -> Iterator[Instruction]:
    for instr in df.instructions:
        target = instr.inner if instr.keyword == "ONBUILD" and instr.inner is not None else instr
        if target.keyword in ("COPY", "ADD"):
            yield target


WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/", ".*"})
# What a .dockerignore must exclude: label -> sample paths (one excluded path is enough).
MUST_EXCLUDE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (".git", (".git",)),
    (".env", (".env",)),
    ("private keys", ("id_rsa", "server.key", "key.pem", ".ssh")),
)


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex over slash-separated relative paths."""
    p = pattern.strip().lstrip("/").rstrip("/")
    if p.startswith("./"):
        p = p[2:]
    out = []
    i = 0
    while i < len(p):
        ch = p[i]
        if p.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if p.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = p.find("]", i)
            if end < 0:
                out.append(re.escape(ch))
            else:
                out.append(p[i : end + 1].replace("\\", "\\\\"))
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    # A pattern that names a directory also excludes everything under it.
    return re.compile("^" + "".join(out) + "(?:/.*)?$")


def is_excluded(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore patterns exclude a context path (last match wins, `!` re-includes)."""
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        if not pattern.strip():
            continue
        try:
            regex = _pattern_regex(pattern)
        except re.error:
            continue
        if regex.match(path):
            excluded = not negate
    return excluded


class WholeContextCopiedUnfiltered(Rule[Dockerfile]):
    """## What it does
    Reports `COPY . …` / `ADD . …` (the whole build context) when the build context has no
    `.dockerignore` (or `<Dockerfile>.dockerignore`), or has one that does not exclude `.git`,
    `.env` and private keys. Copies from another stage (`COPY --from=…`) are not reported.

    ## Why is this bad?
    Copying the whole context copies whatever happens to be in the working directory: the git
    history (with every secret ever committed), local `.env` files, keys and credentials. A
    `.dockerignore` that excludes them, or copying named paths only, keeps them out.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY pyproject.toml ./
    COPY src/ ./src/
    ```

    ## Fix safety
    No automatic fix: `seawall` does not create a `.dockerignore` for you in `check`.
    """

    meta = RuleMeta(
        id="DF008",
        name="whole-context-copied-unfiltered",
        title="The whole build context is copied without a .dockerignore excluding secrets",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Add a .dockerignore excluding .git, .env and keys, or copy named paths only.",
        references=(
            CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
            NIST_800_190.control("4.1.4"),
            CWE.control(
                "CWE-538",
                "Insertion of Sensitive Information into Externally-Accessible File or Directory",
            ),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        patterns = ctx.extra.get("dockerignore")
        missing: list[str] = []
        if patterns is not None:
            missing = [
                label
                for label, samples in MUST_EXCLUDE
                if not any(is_excluded(sample, list(patterns)) for sample in samples)
            ]
            if not missing:
                return
        for instr in _copies(df):
            if instr.flag("from") is not None:
                continue
            for path, span in copy_sources(instr):
                if path.strip() not in WHOLE_CONTEXT:
                    continue
                if patterns is None:
                    yield ctx.finding(
                        self,
                        f"{instr.keyword} copies the whole build context; no .dockerignore",
                        span=span,
                    )
                else:
                    yield ctx.finding(
                        self,
                        f"{instr.keyword} copies the whole build context; .dockerignore misses "
                        + ", ".join(missing),
                        span=span,
                        severity=Severity.LOW,
                    )
                break
