"""COPY/ADD destinations: several sources into a non-directory, relative paths without WORKDIR."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Instruction, split_words
from seawall.rules._base import CWE, Context, FixAvailability, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._util import stage_is_posix

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})


class CopyArgs(NamedTuple):
    """Sources and destination of a COPY/ADD (heredoc markers count as sources)."""

    sources: tuple[str, ...]
    dest: str
    dest_span: Span | None  # None for exec form (no exact span)


def copy_args(instr: Instruction) -> CopyArgs | None:
    """The sources and destination of a COPY or ADD, or None if there are no arguments."""
    if instr.exec_form is not None:
        if len(instr.exec_form) < 2:
            return None
        return CopyArgs(tuple(instr.exec_form[:-1]), instr.exec_form[-1], None)
    words = split_words(instr.args)
    if len(words) < 2:
        return None
    text, start, end = words[-1]
    return CopyArgs(tuple(w for w, _, _ in words[:-1]), text, instr.args_span(start, end))


class CopyDestinationNotDirectory(Rule[Dockerfile]):
    """## What it does
    Reports `COPY`/`ADD` with more than one source whose destination does not end with `/`.
    A destination with a variable (`$APP_DIR`) is not reported.

    ## Why is this bad?
    With several sources the destination must be a directory written with a trailing slash;
    otherwise the build fails ("When using COPY with more than one source file, the destination
    must be a directory and end with a /").

    ## Example
    ```dockerfile
    FROM node:20-slim
    COPY package.json package-lock.json /app
    ```

    Use instead:
    ```dockerfile
    FROM node:20-slim
    COPY package.json package-lock.json /app/
    ```

    ## Fix safety
    Appending `/` to the destination is safe: the instruction could not build without it.
    """

    meta = RuleMeta(
        id="DF074",
        name="copy-destination-not-directory",
        title="COPY with several sources into a destination without a trailing slash",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="End the destination with `/` when copying several sources.",
        references=(CWE.control("CWE-628", "Function Call with Incorrectly Specified Arguments"),),
        aliases=(
            "DL3021",
            "DS-0011",
            "AVD-DS-0011",
            "DS011",
            "copy_with_more_than_two_arguments_not_ending_with_slash",
        ),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        posix = {s.index: stage_is_posix(df, s) for s in df.stages}
        for instr in df.of("COPY", "ADD"):
            if not posix.get(instr.stage_index, True):
                continue  # Windows paths: a backslash ends a directory too
            args = copy_args(instr)
            if args is None or len(args.sources) < 2:
                continue
            dest = args.dest
            if dest.endswith(("/", "\\")) or "$" in dest or dest in (".", ".."):
                continue
            fix = None
            if args.dest_span is not None and df.source.slice(args.dest_span) == dest:
                fix = Fix.safe("Add a trailing slash", Edit.insert(args.dest_span.end, "/"))
            yield ctx.finding(
                self,
                f"{instr.keyword} of {len(args.sources)} sources into {dest!r}: the destination "
                "must end with /",
                span=args.dest_span or instr.span,
                fix=fix,
            )


class CopyRelativeDestinationWithoutWorkdir(Rule[Dockerfile]):
    """## What it does
    Reports `COPY`/`ADD` to a relative destination (`COPY . .`, `COPY app.py app/`) in a stage where
    no `WORKDIR` was set, neither in the stage nor in the stages it is built FROM.

    ## Why is this bad?
    The destination is then relative to whatever WORKDIR the base image happens to have — often
    `/`. Files land in the root of the filesystem, and a base image update moves them.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . .
    CMD ["python", "app.py"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    CMD ["python", "app.py"]
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF075",
        name="copy-relative-destination-without-workdir",
        title="COPY to a relative destination with no WORKDIR set",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Set WORKDIR before copying to a relative path, or copy to an absolute path.",
        references=(CWE.control("CWE-665", "Improper Initialization"),),
        aliases=("DL3045",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for stage in df.stages:
            if not stage_is_posix(df, stage):
                continue
            has_workdir = any(any(True for _ in s.of("WORKDIR")) for s in df.lineage(stage)[:-1])
            for instr in stage.instructions:
                if instr.keyword == "WORKDIR":
                    has_workdir = True
                if has_workdir or instr.keyword not in ("COPY", "ADD"):
                    continue
                args = copy_args(instr)
                if args is None:
                    continue
                dest = args.dest
                if dest.startswith(("/", "$", "~")) or (len(dest) > 1 and dest[1] == ":"):
                    continue
                yield ctx.finding(
                    self,
                    f"{instr.keyword} to relative {dest!r} with no WORKDIR: it lands in the base "
                    "image's working directory",
                    span=args.dest_span or instr.span,
                )
