"""Multi-stage build rules: FROM --platform, stage names, and COPY --from references."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Flag, Instruction, Stage, split_words
from seawall.rules._base import (
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._util import shipped_stage_indices

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_TARGET_PLATFORM = frozenset({"$TARGETPLATFORM", "${TARGETPLATFORM}"})
_STAGE_NAME = lazy_pattern(r"^[a-z][a-z0-9\-_.]*$")
_RESERVED = frozenset({"scratch", "context"})


def _stage_name_span(stage: Stage) -> Span:
    instr = stage.from_instruction
    if stage.name is None:
        return instr.span
    words = split_words(instr.args)
    for text, start, end in words[2:3]:
        if text == stage.name:
            return instr.args_span(start, end)
    return instr.span


class FromPlatformLiteral(Rule[Dockerfile]):
    """## What it does
    Reports `FROM --platform=<value>` with a fixed platform such as `linux/amd64`. Values built from
    the BuildKit platform arguments (`$BUILDPLATFORM`, `$TARGETOS`…) are not reported.

    ## Why is this bad?
    A fixed platform makes the image one architecture only: on an arm64 host or in a multi-platform
    build it runs under emulation or not at all. Cross-compiling builders should use
    `--platform=$BUILDPLATFORM`; the shipped stage should follow the target platform.

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 python:3.12-slim
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Fix safety
    No automatic fix: a fixed platform is sometimes intended.
    """

    meta = RuleMeta(
        id="DF067",
        name="from-platform-literal",
        title="FROM with a fixed --platform",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Drop --platform, or use $BUILDPLATFORM / $TARGETPLATFORM.",
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=("DL3029", "using_platform_with_from"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for stage in df.stages:
            flag = stage.from_instruction.flag("platform")
            if flag is not None and flag.value and "$" not in flag.value:
                yield ctx.finding(
                    self,
                    f"FROM --platform={flag.value} fixes the image to one platform",
                    span=flag.span,
                )


def _flag_removal(df: Dockerfile, flag: Flag) -> Edit:
    text = df.source.text
    end = flag.span.end
    while end < len(text) and text[end] in " \t":
        end += 1
    return Edit.delete(Span(flag.span.start, end))


class RedundantTargetPlatform(Rule[Dockerfile]):
    """## What it does
    Reports `FROM --platform=$TARGETPLATFORM`.

    ## Why is this bad?
    Building for the target platform is already the default; the flag adds noise and suggests to
    readers that something special happens.

    ## Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM alpine:3.20
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    ```

    ## Fix safety
    Removing the flag is safe: the default platform is the target platform.
    """

    meta = RuleMeta(
        id="DF068",
        name="redundant-target-platform",
        title="Redundant FROM --platform=$TARGETPLATFORM",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Remove `--platform=$TARGETPLATFORM`.",
        references=(CWE.control("CWE-1164", "Irrelevant Code"),),
        aliases=("DL3065",),
        fix=FixAvailability.ALWAYS,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for stage in df.stages:
            flag = stage.from_instruction.flag("platform")
            if flag is not None and flag.value in _TARGET_PLATFORM:
                yield ctx.finding(
                    self,
                    "--platform=$TARGETPLATFORM is the default",
                    span=flag.span,
                    fix=Fix.safe("Remove the redundant --platform", _flag_removal(df, flag)),
                )


class CopyFrom(NamedTuple):
    """A `COPY --from=<ref>` with what the reference resolves to."""

    instruction: Instruction
    flag: Flag
    ref: str
    stage: Stage | None  # the stage it names, if any
    is_image: bool


def copies_from(df: Dockerfile) -> Iterator[CopyFrom]:
    """Every `COPY --from` with a literal reference, resolved against the stages."""
    for instr in df.of("COPY"):
        flag = instr.flag("from")
        if flag is None or not flag.value or "$" in flag.value:
            continue
        ref = flag.value
        stage = df.stage_by_name(ref)
        is_image = stage is None and any(c in ref for c in ":/@")
        yield CopyFrom(instr, flag, ref, stage, is_image)


class CopyFromUnknownStage(Rule[Dockerfile]):
    """## What it does
    Reports `COPY --from=<name>` where the name is not a stage of this Dockerfile, not a stage
    index, and does not look like an image reference (no `:`, `/` or `@`). References to a stage
    defined later in the file are allowed (BuildKit resolves them).

    ## Why is this bad?
    BuildKit treats an unknown name as an image: `COPY --from=buidler` (a typo) pulls
    `docker.io/library/buidler:latest` instead of failing — at best the build breaks with a
    confusing pull error, at worst it copies files from an unrelated image.

    ## Example
    ```dockerfile
    FROM golang:1.22 AS builder
    RUN go build -o /out/app .
    FROM gcr.io/distroless/static-debian12
    COPY --from=build /out/app /app
    ```

    Use instead:
    ```dockerfile
    FROM golang:1.22 AS builder
    RUN go build -o /out/app .
    FROM gcr.io/distroless/static-debian12
    COPY --from=builder /out/app /app
    ```

    ## Fix safety
    No automatic fix: the intended stage is not known for sure.
    """

    meta = RuleMeta(
        id="DF069",
        name="copy-from-unknown-stage",
        title="COPY --from names no stage",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Name an existing stage (FROM … AS name) or a full image reference with a tag.",
        references=(
            NIST_800_190.control("4.1.5"),
            CWE.control("CWE-706", "Use of Incorrectly-Resolved Name or Reference"),
        ),
        aliases=("DL3022",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for copy in copies_from(df):
            if copy.stage is not None or copy.is_image:
                continue
            if copy.ref.isdigit():
                message = f"COPY --from={copy.ref}: there are only {len(df.stages)} stages"
            else:
                message = (
                    f"COPY --from={copy.ref} names no stage: it would pull the image "
                    f"{copy.ref}:latest"
                )
            yield ctx.finding(self, message, span=copy.flag.span)


class CopyFromOwnStage(Rule[Dockerfile]):
    """## What it does
    Reports `COPY --from=<stage>` inside that same stage.

    ## Why is this bad?
    A stage cannot copy from itself: the build fails with a circular-dependency error, or —
    if the name also exists as an image — copies from that image instead.

    ## Example
    ```dockerfile
    FROM node:20-slim AS app
    COPY --from=app /usr/src/app/dist /srv
    ```

    Use instead:
    ```dockerfile
    FROM node:20-slim AS build
    RUN mkdir -p /usr/src/app/dist
    FROM node:20-slim AS app
    COPY --from=build /usr/src/app/dist /srv
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF070",
        name="copy-from-own-stage",
        title="COPY --from refers to its own stage",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Copy from an earlier stage.",
        references=(CWE.control("CWE-706", "Use of Incorrectly-Resolved Name or Reference"),),
        aliases=(
            "DL3023",
            "DS-0006",
            "AVD-DS-0006",
            "DS006",
            "copy_from_references_current_from_alias",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for copy in copies_from(df):
            if copy.stage is not None and copy.stage.index == copy.instruction.stage_index:
                yield ctx.finding(
                    self, f"COPY --from={copy.ref} copies from its own stage", span=copy.flag.span
                )


class DuplicateStageName(Rule[Dockerfile]):
    """## What it does
    Reports a stage name (`FROM … AS name`) used by an earlier stage too (names are
    case-insensitive).

    ## Why is this bad?
    BuildKit refuses duplicate stage names; older builders silently used the first one, so
    `COPY --from=name` copied from a different stage than the author meant.

    ## Example
    ```dockerfile
    FROM node:20 AS build
    RUN npm ci
    FROM golang:1.22 AS build
    RUN go build ./...
    ```

    Use instead:
    ```dockerfile
    FROM node:20 AS web-build
    RUN npm ci
    FROM golang:1.22 AS api-build
    RUN go build ./...
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF071",
        name="duplicate-stage-name",
        title="Two stages with the same name",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Give every stage a unique name.",
        references=(CWE.control("CWE-694", "Use of Multiple Resources with Duplicate Identifier"),),
        aliases=(
            "DL3024",
            "DS-0012",
            "AVD-DS-0012",
            "DS012",
            "CKV_DOCKER_11",
            "same_alias_in_different_froms",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        first: dict[str, Stage] = {}
        for stage in df.stages:
            if stage.name is None:
                continue
            key = stage.name.lower()
            if key in first:
                yield ctx.finding(
                    self,
                    f"stage name {stage.name!r} is already used on line "
                    f"{first[key].from_instruction.line}",
                    span=_stage_name_span(stage),
                )
            else:
                first[key] = stage


class ReservedStageName(Rule[Dockerfile]):
    """## What it does
    Reports stage names that are reserved (`scratch`, `context`) or that BuildKit does not accept
    as names (they must start with a letter and contain only letters, digits, `-`, `_` and `.`).

    ## Why is this bad?
    `FROM … AS scratch` shadows the empty base image: a later `FROM scratch` silently builds on
    your stage instead. Invalid names fail the build.

    ## Example
    ```dockerfile
    FROM alpine:3.20 AS scratch
    RUN echo hi > /hi
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20 AS base
    RUN echo hi > /hi
    ```

    ## Fix safety
    No automatic fix: the name is referenced elsewhere.
    """

    meta = RuleMeta(
        id="DF072",
        name="reserved-stage-name",
        title="Stage name is reserved or invalid",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Rename the stage (letters, digits, -, _, .; not scratch or context).",
        references=(CWE.control("CWE-694", "Use of Multiple Resources with Duplicate Identifier"),),
        aliases=("DL3063",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for stage in df.stages:
            name = stage.name
            if name is None or "$" in name:
                continue
            if name.lower() in _RESERVED:
                message = f"stage name {name!r} is reserved"
            elif not _STAGE_NAME.match(name.lower()):
                message = f"stage name {name!r} is not a valid name"
            else:
                continue
            yield ctx.finding(self, message, span=_stage_name_span(stage))


_WHOLE_FS = frozenset({"/", "/.", "/*", "."})


class CopyEntireFilesystem(Rule[Dockerfile]):
    """## What it does
    Reports `COPY --from=<stage or image> / <dest>` in a stage that ships: the whole filesystem of
    the other stage is copied. Copying from a stage built `FROM scratch` (an "export" stage that
    holds only artefacts) is not reported.

    ## Why is this bad?
    It brings the complete builder — compilers, package caches, source code, maybe credentials —
    into the shipped image, undoing what a multi-stage build is for.

    ## Example
    ```dockerfile
    FROM golang:1.22 AS build
    RUN go build -o /out/app .
    FROM alpine:3.20
    COPY --from=build / /
    ```

    Use instead:
    ```dockerfile
    FROM golang:1.22 AS build
    RUN go build -o /out/app .
    FROM alpine:3.20
    COPY --from=build /out/app /usr/local/bin/app
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF073",
        name="copy-entire-filesystem",
        title="COPY --from copies a whole filesystem",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Copy only the built artefacts from the other stage.",
        references=(
            NIST_800_190.control("4.1.2"),
            CWE.control("CWE-1164", "Irrelevant Code"),
        ),
        aliases=("DL3067",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        shipped = shipped_stage_indices(df)
        for copy in copies_from(df):
            if copy.instruction.stage_index not in shipped:
                continue
            words = [w for w, _, _ in split_words(copy.instruction.args)]
            if copy.instruction.exec_form is not None:
                words = list(copy.instruction.exec_form)
            sources = words[:-1]
            if not any(s in _WHOLE_FS for s in sources):
                continue
            if copy.stage is not None:
                root = df.lineage(copy.stage)[0]
                if root.base.lower() == "scratch":
                    continue
            elif not copy.is_image:
                continue
            yield ctx.finding(
                self,
                f"COPY --from={copy.ref} / copies its whole filesystem into the shipped image",
                span=copy.instruction.span,
            )
