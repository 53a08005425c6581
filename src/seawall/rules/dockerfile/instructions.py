"""Instruction-level reliability: ports, overridden and deprecated instructions, CMD form, ENV."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.parsers.dockerfile import (
    Dockerfile,
    Instruction,
    parse_key_values,
    split_words,
)
from seawall.rules._base import (
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._hygiene_util import delete_instruction, variables_before
from seawall.rules.dockerfile._util import stage_is_posix

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_PORT = lazy_pattern(r"^(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?$")
_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})


def port_problem(text: str) -> str | None:
    """Why an EXPOSE word is not a valid port spec, or None when it is valid."""
    m = _PORT.match(text)
    if m is None:
        if ":" in text:
            return "publishing a host port is not possible in a Dockerfile (use `docker run -p`)"
        return "not a port number"
    low, high, proto = int(m.group(1)), m.group(2), m.group(3)
    if proto is not None and proto.lower() not in _PROTOCOLS:
        return f"unknown protocol {proto!r} (tcp, udp or sctp)"
    if low > 65535 or (high is not None and int(high) > 65535):
        return "outside the port range 0-65535"
    if high is not None and int(high) < low:
        return "range ends before it starts"
    return None


class InvalidExposePort(Rule[Dockerfile]):
    """## What it does
    Reports `EXPOSE` arguments that are not valid ports: numbers above 65535, ranges that end before
    they start, protocols other than tcp/udp/sctp, `host:container` mappings and other text.
    Arguments with variables (`EXPOSE ${PORT}`) are not checked.

    ## Why is this bad?
    An invalid port either fails the build or publishes something other than intended, and
    `host:container` in EXPOSE shows a misunderstanding: an image cannot choose host ports.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 80800
    ```

    Use instead:
    ```dockerfile
    FROM nginx:1.27
    EXPOSE 8080
    ```

    ## Fix safety
    No automatic fix: the intended port is unknown.
    """

    meta = RuleMeta(
        id="DF065",
        name="invalid-expose-port",
        title="EXPOSE with an invalid port",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Expose a port number 0-65535, optionally with /tcp, /udp or /sctp.",
        references=(CWE.control("CWE-20", "Improper Input Validation"),),
        aliases=("DL3011", "DS-0008", "AVD-DS-0008", "DS008", "unix_ports_out_of_range"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in df.of("EXPOSE"):
            for text, start, end in split_words(instr.args):
                if "$" in text:
                    continue
                problem = port_problem(text)
                if problem:
                    yield ctx.finding(
                        self,
                        f"EXPOSE {text}: {problem}",
                        span=instr.args_span(start, end),
                    )


_SINGLE = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


class OverriddenInstruction(Rule[Dockerfile]):
    """## What it does
    Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one of the same kind in the same
    stage overrides. Only the last of each takes effect; the earlier ones are dead code.

    ## Why is this bad?
    A reader (or a reviewer) sees a command that never runs. Usually one of the two was meant to be
    removed, or the author expected both to run.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD ["python", "manage.py", "migrate"]
    CMD ["gunicorn", "app:app"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    CMD ["gunicorn", "app:app"]
    ```

    ## Fix safety
    Deleting the overridden instruction is safe: the built image is the same.
    """

    meta = RuleMeta(
        id="DF066",
        name="overridden-instruction",
        title="CMD, ENTRYPOINT or HEALTHCHECK overridden later in the stage",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Keep only the last CMD, ENTRYPOINT and HEALTHCHECK of each stage.",
        references=(CWE.control("CWE-561", "Dead Code"),),
        aliases=(
            "DL4003",
            "DS-0016",
            "AVD-DS-0016",
            "DS016",
            "multiple_cmd_instructions_listed",
            "DL4004",
            "DS-0007",
            "AVD-DS-0007",
            "DS007",
            "multiple_entrypoint_instructions_listed",
            "DL3012",
            "DS-0023",
            "AVD-DS-0023",
            "DS023",
        ),
        fix=FixAvailability.ALWAYS,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for stage in df.stages:
            for keyword in _SINGLE:
                found = list(stage.of(keyword))
                for instr in found[:-1]:
                    yield ctx.finding(
                        self,
                        f"{keyword} on line {instr.line} is overridden by the {keyword} on line "
                        f"{found[-1].line}",
                        span=instr.span,
                        fix=Fix.safe(
                            f"Remove the overridden {keyword}", delete_instruction(df, instr)
                        ),
                    )


def _label_value(text: str) -> str:
    """A double-quoted LABEL value (escapes for quotes, backslashes and `$`)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


class MaintainerDeprecated(Rule[Dockerfile]):
    """## What it does
    Reports the deprecated `MAINTAINER` instruction.

    ## Why is this bad?
    `MAINTAINER` has been deprecated since Docker 1.13; it fills the legacy `Author` field that
    tools no longer read. The `org.opencontainers.image.authors` or `maintainer` label is what
    registries and scanners show.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    MAINTAINER Jane Doe <jane@example.com>
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    LABEL maintainer="Jane Doe <jane@example.com>"
    ```

    ## Fix safety
    Replacing it with `LABEL maintainer="…"` is safe; only the deprecated `Author` field of the
    image configuration is no longer set.
    """

    meta = RuleMeta(
        id="DF076",
        name="maintainer-deprecated",
        title="Deprecated MAINTAINER instruction",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation='Use `LABEL maintainer="name <email>"` instead of MAINTAINER.',
        references=(CWE.control("CWE-477", "Use of Obsolete Function"),),
        aliases=(
            "DL4000",
            "DS-0022",
            "AVD-DS-0022",
            "DS022",
            "CKV_DOCKER_6",
            "maintainer_instruction_being_used",
        ),
        fix=FixAvailability.ALWAYS,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in df.of("MAINTAINER"):
            fix = None
            if instr.args and "\n" not in df.source.slice(instr.span):
                fix = Fix.safe(
                    "Use LABEL maintainer",
                    Edit(instr.span, f"LABEL maintainer={_label_value(instr.args)}"),
                )
            yield ctx.finding(
                self, "MAINTAINER is deprecated: use a LABEL", span=instr.span, fix=fix
            )


_SIMPLE_WORD = lazy_pattern(r"^[A-Za-z0-9_./:=@%+,-]+$")


def _exec_form_fix(instr: Instruction) -> Fix | None:
    words = instr.args.split()
    if not words or not all(_SIMPLE_WORD.match(w) for w in words):
        return None
    import json

    text = f"{instr.keyword} {json.dumps(words)}"
    start = instr.keyword_span.start
    return Fix.unsafe(
        "Use the exec (JSON) form", Edit(type(instr.span)(start, instr.span.end), text)
    )


class ShellFormCmd(Rule[Dockerfile]):
    """## What it does
    Reports the `CMD` and `ENTRYPOINT` that take effect in the shipped image when they use the
    shell form (`CMD gunicorn app:app`) instead of the exec (JSON) form. A shell-form command that
    starts with `exec` is not reported: the shell replaces itself with the program.

    ## Why is this bad?
    The shell form runs `/bin/sh -c "…"`: the shell is PID 1 and does not forward `SIGTERM`, so
    `docker stop` waits its timeout and then kills the application without a clean shutdown. A
    shell-form ENTRYPOINT also ignores every `CMD` and `docker run` argument.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD gunicorn --bind 0.0.0.0:8000 app:app
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    ```

    ## Fix safety
    For commands without shell syntax (no variables, quotes, pipes or globs) an unsafe fix
    rewrites the instruction in exec form: the program becomes PID 1 and no longer runs under a
    shell, which is the point but may change behaviour.
    """

    meta = RuleMeta(
        id="DF077",
        name="shell-form-cmd",
        title="Shell-form CMD or ENTRYPOINT: signals do not reach the application",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation='Use the exec form: `CMD ["program", "arg"]`.',
        references=(
            NIST_800_190.control("4.5.1"),
            CWE.control("CWE-705", "Incorrect Control Flow Scoping"),
        ),
        aliases=("DL3025", "not_using_json_in_cmd_and_entrypoint_arguments"),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        stage = df.shipped_stage
        if stage is None or not stage_is_posix(df, stage):
            return
        last: dict[str, Instruction] = {}
        for s in df.lineage(stage):
            for instr in s.of("ENTRYPOINT", "CMD"):
                last[instr.keyword] = instr
        cmd, entrypoint = last.get("CMD"), last.get("ENTRYPOINT")
        if cmd and entrypoint and entrypoint.stage_index > cmd.stage_index:
            del last["CMD"]  # an ENTRYPOINT in a later stage resets the inherited CMD
        for keyword in ("ENTRYPOINT", "CMD"):
            effective = last.get(keyword)
            if effective is None or effective.is_exec_form or not effective.args.strip():
                continue
            if effective.args.lstrip().startswith("["):
                continue  # malformed JSON: BuildKit treats it as shell form, but intent is clear
            if effective.args.split()[0] == "exec":
                continue
            what = (
                "ignores CMD and signals do not reach the application"
                if keyword == "ENTRYPOINT"
                else "runs under /bin/sh: signals do not reach the application"
            )
            yield ctx.finding(
                self,
                f"shell-form {keyword} {what}",
                span=effective.span,
                fix=_exec_form_fix(effective),
            )


_FORBIDDEN_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})


class OnbuildForbiddenTrigger(Rule[Dockerfile]):
    """## What it does
    Reports `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.

    ## Why is this bad?
    Docker refuses these triggers: chaining ONBUILD is not allowed, and FROM and MAINTAINER make no
    sense as triggers. The image builds, but every image built FROM it fails.

    ## Example
    ```dockerfile
    FROM node:20-slim
    ONBUILD FROM node:20-slim
    ```

    Use instead:
    ```dockerfile
    FROM node:20-slim
    ONBUILD COPY . /app
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF078",
        name="onbuild-forbidden-trigger",
        title="ONBUILD with a trigger Docker refuses",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Remove the ONBUILD; only ordinary build instructions may be triggers.",
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=("DL3043",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in df.of("ONBUILD"):
            inner = instr.inner
            if inner is not None and inner.keyword in _FORBIDDEN_TRIGGERS:
                yield ctx.finding(
                    self,
                    f"ONBUILD {inner.keyword} is not allowed: images built FROM this one fail",
                    span=instr.span,
                )


_REF = lazy_pattern(r"(?<!\\)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


class EnvSameStatementReference(Rule[Dockerfile]):
    """## What it does
    Reports an `ENV` that uses a variable defined earlier in the same `ENV` instruction
    (`ENV APP=/app BIN=$APP/bin`). Extending a variable with its own old value
    (`ENV PATH=/app/bin:$PATH`), or using one whose earlier definition had the same value, is not
    reported.

    ## Why is this bad?
    Substitution in an ENV instruction uses the values from before the instruction: `BIN` becomes
    `/bin`, not `/app/bin`. The image builds and fails later, far from the cause.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ENV APP_HOME=/app APP_BIN=$APP_HOME/bin
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    ENV APP_HOME=/app
    ENV APP_BIN=$APP_HOME/bin
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF079",
        name="env-same-statement-reference",
        title="ENV uses a variable defined in the same instruction",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Split the ENV so the variable is defined before it is used.",
        references=(CWE.control("CWE-665", "Improper Initialization"),),
        aliases=("DL3044",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in df.of("ENV"):
            pairs = parse_key_values(instr.args)
            if len(pairs) < 2:
                continue
            before: dict[str, str | None] | None = None
            values = {key: value for key, value, _, _ in pairs}
            defined: set[str] = set()
            for key, _value, start, end in pairs:
                raw = instr.args[start:end]
                _, _, raw_value = raw.partition("=")
                if raw_value.startswith("'"):
                    defined.add(key)
                    continue  # single quotes: no substitution
                for m in _REF.finditer(raw_value):
                    name = m.group(1) or m.group(2)
                    if name not in defined or name == key:
                        continue
                    if before is None:
                        before = variables_before(df, instr)
                    if before.get(name) != values[name]:
                        yield ctx.finding(
                            self,
                            f"ENV {key} uses ${name}, which this same ENV defines: it gets the "
                            "old value",
                            span=instr.args_span(start, end),
                        )
                        break
                defined.add(key)
