"""Rules about secrets written into a Dockerfile or passed through build arguments.

Messages name the key, the variable or the kind of token, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Stage
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
from seawall.rules.dockerfile._secret_mount_fix import covers, secret_mount_fix
from seawall.rules.dockerfile._security_util import (
    VAR_REF,
    declared_names,
    iter_assignments,
    key_values,
    mapped_span,
    run_scripts,
    var_refs,
)
from seawall.secrets import TokenKind, find_tokens, is_literal_secret_value, is_secret_name

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
SECRET_REFERENCES = (
    CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
    NIST_800_190.control("4.1.4"),
)
# Keys whose names contain a secret word but whose values are locations or settings, not secrets.
_NOT_A_SECRET_KEY = lazy_pattern(
    r"(?:_URL|_URI|_ENDPOINT|_HOST|_NAME|_VERSION|_MODE|_METHOD|_ENV|_VAR|_SERVER|_PORT)$", re.I
)
_PUBLIC_VALUE = lazy_pattern(r"^(?:https?://[^:@/\s]+(?:[/:?#][^@\s]*)?|/[^\s]*|\.{0,2}/[^\s]*)$")


def _is_literal_secret(key: str, value: str | None) -> bool:
    if not is_secret_name(key) or _NOT_A_SECRET_KEY.search(key):
        return False
    if not is_literal_secret_value(value):
        return False
    v = (value or "").strip().strip("\"'")
    return not _PUBLIC_VALUE.match(v) and "$" not in v


class SecretInEnvArgLabel(Rule[Dockerfile]):
    """## What it does
    Reports `ENV`, `ARG` and `LABEL` keys whose names say they hold a secret (`*_PASSWORD`,
    `*_TOKEN`, `API_KEY`, `*_SECRET`…) and whose value is a literal: not empty, not a `${VAR}`
    reference, not a placeholder such as `changeme`, not a path like `/run/secrets/db`. Every stage
    is checked: values of `ENV` and `ARG` are recorded in the image configuration and history.
    Known token formats are reported by DF006 instead.

    ## Why is this bad?
    Anyone who can pull the image reads its `ENV` and `LABEL` values with `docker inspect`, and
    `ARG` values used by a `RUN` with `docker history`. The secret also sits in source control.

    ## Example
    ```dockerfile
    FROM postgres:16
    ENV POSTGRES_PASSWORD=s3cr3t-pw
    ```

    Use instead:
    ```dockerfile
    FROM postgres:16
    ENV POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password
    ```

    ## Fix safety
    No automatic fix: the secret must be rotated and provided at run time (secrets, mounted files
    or the orchestrator's environment).
    """

    meta = RuleMeta(
        id="DF005",
        name="secret-in-env-arg-label",
        title="A secret-named ENV, ARG or LABEL has a literal value",
        severity=Severity.HIGH,
        targets=DOCKERFILE,
        remediation="Remove the value, rotate it, pass it at run time or with a secret mount.",
        references=(*SECRET_REFERENCES, CWE.control("CWE-798", "Use of Hard-coded Credentials")),
        aliases=(
            "DL3064",
            "DS-0031",
            "AVD-DS-0031",
            "DS031",
            "CIS-DI-0010",
            "passwords_and_secrets",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for _, kv in iter_assignments(df, ("ENV", "ARG", "LABEL")):
            if not _is_literal_secret(kv.key, kv.value) or find_tokens(kv.value or ""):
                continue
            keyword = kv.instruction.keyword
            where = "the image configuration" if keyword != "ARG" else "the build history"
            yield ctx.finding(
                self,
                f"{keyword} {kv.key} has a literal secret value; it is visible in {where}",
                span=kv.span,
                anchor=f"{keyword}:{kv.key}",
            )


class HardcodedCredentialToken(Rule[Dockerfile]):
    """## What it does
    Reports credentials in a recognisable format anywhere in the Dockerfile: AWS access keys,
    GitHub/GitLab/npm/PyPI/Slack/Stripe/OpenAI tokens, private-key blocks and passwords embedded in
    URLs (`https://user:password@host`), whether in `ENV`, `ARG`, a `RUN` command, a heredoc or a
    comment. References such as `https://user:${TOKEN}@host` are not reported (see DF009).

    ## Why is this bad?
    The credential is in source control, in every build log and, for `ENV`/`ARG`/`RUN`, in the
    image history of every copy of the image. It must be considered leaked.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN wget https://deploy:hunter2pass@repo.example.com/app.tar.gz
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    RUN --mount=type=secret,id=netrc,target=/root/.netrc wget https://repo.example.com/app.tar.gz
    ```

    ## Fix safety
    No automatic fix: the credential must be revoked and replaced by a build secret.
    """

    meta = RuleMeta(
        id="DF006",
        name="hardcoded-credential-token",
        title="A credential in a known token format is written in the Dockerfile",
        severity=Severity.CRITICAL,
        targets=DOCKERFILE,
        remediation="Revoke the credential; pass it with `RUN --mount=type=secret` or at run time.",
        references=(*SECRET_REFERENCES, CWE.control("CWE-798", "Use of Hard-coded Credentials")),
        aliases=(
            "DS-0031",
            "AVD-DS-0031",
            "DS031",
            "CIS-DI-0010",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for kind, start, end in _tokens_in(df.source.text):
            severity = Severity.HIGH if kind.name == "password in URL" else None
            yield ctx.finding(
                self,
                f"{kind.name} written in the Dockerfile",
                span=Span(start, end),
                severity=severity,
            )


# Cheap literal hints of the formats secrets.find_tokens knows; lines without one are skipped.
_TOKEN_HINT = lazy_pattern(
    r"AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|k_live_|AIza|npm_|pypi-|sk-|"
    r"SG\.|PRIVATE KEY|://[^\s/@'\"]+:[^\s@/'\"]+@"
)
# The same hints split into patterns that each start with a literal, so that a search jumps from
# one occurrence of it to the next instead of trying every hint at most characters (an
# alternation of literals loses that). Hints ending in "_" are matched there and recognised
# looking behind. Nearly every file holds none of them: these searches then replace the scan.
_TOKEN_HINT_GROUPS = tuple(
    lazy_pattern(hint)
    for hint in (
        r"_(?:(?<=gh[pousr]_)|(?<=github_pat_)|(?<=k_live_)|(?<=npm_))",
        r"glpat-",
        r"xox[abposr]-",
        r"pypi-",
        r"sk-",
        r"A(?:KIA|SIA|BIA|CCA|Iza)",
        r"SG\.",
        r"PRIVATE KEY",
        r"://[^\s/@'\"]+:[^\s@/'\"]+@",
    )
)


def _tokens_in(text: str) -> list[tuple[TokenKind, int, int]]:
    """find_tokens over the lines of ``text`` that may hold a token, with file offsets."""
    found: list[tuple[TokenKind, int, int]] = []
    if not any(group.search(text) for group in _TOKEN_HINT_GROUPS):
        return found  # no hint anywhere: the scan below would find none
    done_until = -1
    for hint in _TOKEN_HINT.finditer(text):
        if hint.start() < done_until:
            continue
        line_start = text.rfind("\n", 0, hint.start()) + 1
        line_end = text.find("\n", hint.end())
        line_end = len(text) if line_end < 0 else line_end
        for kind, start, end in find_tokens(text[line_start:line_end]):
            found.append((kind, line_start + start, line_start + end))
        done_until = line_end
    return found


# Places where a variable is used as a credential whatever its name.
_CREDENTIAL_CONTEXT = lazy_pattern(
    r"(?:_auth(?:Token)?\s*=\s*|Authorization:\s*(?:Bearer|Basic|token)\s+|"
    r"PRIVATE-TOKEN:\s*|--password(?:=|\s+)|--token(?:=|\s+)|x-access-token:)[\"']?$",
    re.I,
)
_CREDENTIAL_WORDS = ("auth", "token", "password")
_CREDENTIAL_HINTS = (*_CREDENTIAL_WORDS, "://")
# What the URL patterns leave right before the variable's "$" (``://user:$X@``, ``://$X@``).
_URL_CREDENTIAL_ENDS = (":$", ":\n$", "://$", "://\n$")
_URL_USER = lazy_pattern(r"://$")
_URL_PASSWORD = lazy_pattern(r"://[^\s/@'\"]*:$")
_URL_AFTER_PASSWORD = lazy_pattern(r"^[^\s/@'\"]*@")


def _has_credential_hint(script: str) -> bool:
    """Whether ``_used_as_credential`` can be true anywhere in ``script``.

    It needs one of ``_CREDENTIAL_HINTS`` in the lowered text before the variable, a slice of the
    script, so in the lowered script too. When "://" is the only one, just the URL patterns can
    match, and they end right before the variable's "$" with ":" (``://user:$X@``) or "://"
    (``://$X@``), or with that and a newline (their ``$`` anchor allows one). The other patterns
    each hold "auth", "token" or "password", which case-insensitive matching finds in the
    lowered text for ASCII only: other scripts are not narrowed down.
    """
    lowered = script.lower()
    if any(word in lowered for word in _CREDENTIAL_WORDS):
        return True
    if "://" not in lowered:
        return False
    return any(end in script for end in _URL_CREDENTIAL_ENDS) or not script.isascii()


def _used_as_credential(script: str, start: int, end: int) -> bool:
    """Whether the variable at ``script[start:end]`` sits where a credential goes."""
    before = script[max(0, start - 60) : start]
    lowered = before.lower()
    if not any(hint in lowered for hint in _CREDENTIAL_HINTS):
        return False  # every pattern below holds one of these words
    if _CREDENTIAL_CONTEXT.search(before):
        return True
    if _URL_PASSWORD.search(before):  # https://user:$X@host
        return bool(_URL_AFTER_PASSWORD.match(script[end : end + 80]))
    return bool(_URL_USER.search(before)) and script[end : end + 1] == "@"  # https://$X@host


def _argument_names(df: Dockerfile, stage: Stage) -> set[str]:
    """Names declared by ARG for a stage (global ARGs and the stage lineage)."""
    names = set(df.global_args)
    for s in df.lineage(stage):
        for instr in s.of("ARG"):
            names.update(kv.key for kv in key_values(df, instr))
    return names


class SecretBuildArgExposed(Rule[Dockerfile]):
    """## What it does
    Reports a secret passed through a build argument or environment variable instead of a BuildKit
    secret mount: a `RUN` that uses `$NPM_TOKEN`, `$GITHUB_TOKEN`, `$PIP_PASSWORD`… (a secret-named
    variable declared by `ARG`/`ENV`, or any variable used as a credential: `_authToken=$X`,
    `https://user:$X@…`, `Authorization: Bearer $X`), and an `ENV` that copies such a variable
    into the image (`ENV NPM_TOKEN=$NPM_TOKEN`). A `RUN` with `--mount=type=secret` is not
    reported.

    ## Why is this bad?
    Build-argument values used by a `RUN` are recorded in the image history (`docker history`
    shows them), and `ENV` values are in the image configuration of every copy of the image. A
    secret mount exists only while the one `RUN` executes and is never stored.

    ## Example
    ```dockerfile
    FROM node:22-slim
    ARG NPM_TOKEN
    RUN npm config set //registry.npmjs.org/:_authToken=$NPM_TOKEN && npm ci
    ```

    Use instead:
    ```dockerfile
    FROM node:22-slim
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```

    ## Fix safety
    Unsafe, when mechanical: for a variable declared once by an `ARG` without default in the same
    stage (never by `ENV`), every `RUN` of the stage that reads it gets
    `--mount=type=secret,id=<name>,env=<NAME>` (the script is unchanged: the mount sets the same
    variable for that one `RUN`), and the `ARG` is removed when nothing else reads it. The build
    command must change from `--build-arg NAME=…` to `--secret id=<name>,env=NAME`, and the `env=`
    option needs Dockerfile syntax 1.10 or later, hence unsafe. Otherwise (ENV, a default value,
    `ONBUILD`, a variable read by an unquoted heredoc) the same mount is suggested, display only.
    """

    meta = RuleMeta(
        id="DF009",
        name="secret-build-arg-exposed",
        title="A secret is passed through ARG/ENV instead of a secret mount",
        severity=Severity.HIGH,
        targets=DOCKERFILE,
        remediation="Use `RUN --mount=type=secret,id=<id>,env=<NAME>` and `--secret id=<id>`.",
        references=(
            *SECRET_REFERENCES,
            CWE.control("CWE-522", "Insufficiently Protected Credentials"),
        ),
        aliases=("DS-0031", "AVD-DS-0031", "DS031", "CIS-DI-0010"),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        yield from self._runs(df, ctx)
        yield from self._persisted(df, ctx)

    def _runs(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        declared_by_stage: dict[int, dict[str, str]] = {}
        secret_declared: dict[int, bool] = {}
        for stage, instr, script, mapper in run_scripts(df):
            if "$" not in script:
                continue
            declared = declared_by_stage.get(stage.index)
            if declared is None:
                declared = declared_by_stage[stage.index] = declared_names(df, stage)
                secret_declared[stage.index] = any(map(is_secret_name, declared))
            if not declared:
                continue  # only declared variables are reported
            if not secret_declared[stage.index] and not _has_credential_hint(script):
                continue  # no declared name is secret, and no credential context anywhere
            seen: set[str] = set()
            for ref in VAR_REF.finditer(script):
                name = ref.group(1) or ref.group(2)
                if name in seen or name not in declared:
                    continue
                start, end = ref.span()
                if not (is_secret_name(name) or _used_as_credential(script, start, end)):
                    continue
                if covers(instr, name):
                    continue
                seen.add(name)
                yield ctx.finding(
                    self,
                    f"RUN uses {declared[name]} {name} as a secret; the value stays in history",
                    span=mapped_span(mapper, start, end),
                    fix=secret_mount_fix(df, stage, instr, name),
                    anchor=f"run:{stage.index}:{name}",
                )

    def _persisted(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        args_by_stage: dict[int, set[str]] = {}
        for stage, kv in iter_assignments(df, ("ENV",)):
            if stage is None or kv.value is None or "$" not in kv.value:
                continue  # a variable reference starts with "$"
            refs = [name for name, _, _ in var_refs(kv.value)]
            if not refs:
                continue
            args = args_by_stage.get(stage.index)
            if args is None:
                args = args_by_stage[stage.index] = _argument_names(df, stage)
            secret_refs = [
                r for r in refs if r in args and (is_secret_name(r) or is_secret_name(kv.key))
            ]
            if not secret_refs:
                continue
            yield ctx.finding(
                self,
                f"ENV {kv.key} copies build argument {secret_refs[0]} into the image configuration",
                span=kv.span,
                anchor=f"env:{stage.index}:{kv.key}",
            )
