"""Helpers shared by Dockerfile rules: shell commands of RUN with source spans, users, shells."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar, cast

from seawall.lazy_re import lazy_pattern
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, ImageRef, Instruction, Stage, parse_image_ref
from seawall.parsers.shell import SimpleCommand, Word, tokenize, unwrap

POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "ksh", "zsh", "busybox"})
_WINDOWS_BASE = lazy_pattern(
    r"(mcr\.microsoft\.com/(windows|dotnet/framework|powershell)|servercore|nanoserver)", re.I
)


class ShellCommand(NamedTuple):
    """A simple command from a RUN instruction, with a way back to source offsets.

    A named tuple with the program's name stored: rules read ``name`` ~190,000 times per corpus
    scan, and there are as many commands as RUN scripts have.
    """

    command: SimpleCommand  # as written (sudo/env wrappers included)
    program: SimpleCommand  # wrappers removed: what actually runs
    instruction: Instruction
    to_source: Callable[[int], int]
    name: str  # program name after unwrapping (``program.name``)

    def span(self) -> Span:
        """Source span of the whole command."""
        start = self.to_source(self.command.start)
        end = self.to_source(max(self.command.end - 1, self.command.start)) + 1
        return Span(start, max(start, end))

    def word_span(self, word: Word) -> Span:
        """Source span of one word."""
        start = self.to_source(word.start)
        return Span(start, max(start, self.to_source(max(word.end - 1, word.start)) + 1))


@functools.lru_cache(maxsize=512)
def image_ref(text: str) -> ImageRef:
    """``parse_image_ref`` memoised by text: the same base images come up file after file."""
    return parse_image_ref(text)


_T = TypeVar("_T")


def per_file(df: Dockerfile, key: str, compute: Callable[[Dockerfile], _T]) -> _T:
    """``compute(df)``, computed once per parsed file and shared by every rule (``df.cache``)."""
    cache = df.cache
    if key in cache:
        return cast(_T, cache[key])
    value = cache[key] = compute(df)
    return value


def per_stage(
    df: Dockerfile, stage: Stage, key: str, compute: Callable[[Dockerfile, Stage], _T]
) -> _T:
    """``compute(df, stage)``, computed once per stage of a parsed file (``df.cache``)."""
    values: dict[int, _T] = per_file(df, key, _no_values)
    if stage.index in values:
        return values[stage.index]
    value = values[stage.index] = compute(df, stage)
    return value


def _no_values(df: Dockerfile) -> dict[Any, Any]:
    return {}


def shipped_stage_indices(df: Dockerfile) -> frozenset[int]:
    """Indices of the shipped stage and the stages it is built FROM: whose files ship."""
    return per_file(df, "shipped_stage_indices", _shipped_stage_indices)


def _shipped_stage_indices(df: Dockerfile) -> frozenset[int]:
    stage = df.shipped_stage
    return frozenset() if stage is None else frozenset(s.index for s in df.lineage(stage))


def stage_is_posix(df: Dockerfile, stage: Stage) -> bool:
    """Whether RUN in this stage goes to a POSIX shell (not PowerShell/cmd)."""
    return per_stage(df, stage, "stage_is_posix", _stage_is_posix)


def _stage_is_posix(df: Dockerfile, stage: Stage, before: int | None = None) -> bool:
    """The shell of ``stage`` after its last SHELL (or after the last one before ``before``)."""
    if df.escape == "`" or _WINDOWS_BASE.search(stage.base):
        return False
    posix = True
    for s in df.lineage(stage):
        for instr in s.of("SHELL"):
            if before is not None and s is stage and instr.span.start >= before:
                break  # a SHELL applies only to the instructions after it
            if instr.exec_form:
                prog = instr.exec_form[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
                posix = prog.removesuffix(".exe") in POSIX_SHELLS  # the last SHELL wins
    return posix


def shell_is_posix_at(df: Dockerfile, stage: Stage, instr: Instruction) -> bool:
    """Whether ``instr`` (a RUN) runs in a POSIX shell, given the SHELLs before it."""
    if not _lineage_has_shell(df, stage):
        return stage_is_posix(df, stage)  # no SHELL to be before or after: the stage's shell
    return _stage_is_posix(df, stage, before=instr.span.start)


def _lineage_has_shell(df: Dockerfile, stage: Stage) -> bool:
    """Whether a SHELL instruction appears in the stage's lineage (once per stage and file)."""
    return per_stage(df, stage, "lineage_has_shell", _any_shell_in_lineage)


def _any_shell_in_lineage(df: Dockerfile, stage: Stage) -> bool:
    return any(instr.keyword == "SHELL" for s in df.lineage(stage) for instr in s.instructions)


def _offset_mapper(base: Callable[[int], int], shift: int) -> Callable[[int], int]:
    return lambda offset: base(offset + shift)


def scripts_of(instr: Instruction) -> Iterator[tuple[str, Callable[[int], int]]]:
    """Shell scripts a RUN instruction runs, each with a logical→source offset mapper."""
    if instr.exec_form is not None:
        argv = instr.exec_form
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in POSIX_SHELLS and "-c" in argv[1:-1]:
            script = argv[-1]
            where = instr.args.find(json_fragment(script))
            base = instr.to_source
            yield script, _offset_mapper(base, max(where, 0))
        elif argv:
            yield " ".join(argv), _offset_mapper(lambda _offset: instr.to_source(0), 0)
        return
    yield instr.args, instr.to_source
    for heredoc in instr.heredocs:
        first_line = heredoc.body.split("\n", 1)[0]
        if first_line.startswith("#!") and not any(sh in first_line for sh in POSIX_SHELLS):
            continue
        yield heredoc.body, heredoc.source_offset


def json_fragment(text: str) -> str:
    """How a string appears inside a JSON array (for locating it in exec form)."""
    import json

    return json.dumps(text)[1:-1]


def shell_commands(df: Dockerfile, stage: Stage, instr: Instruction) -> list[ShellCommand]:
    """The simple commands of a RUN instruction (empty for non-POSIX shells).

    Tokenized once per instruction and shared by every rule through ``df.cache``.
    """
    if instr.keyword != "RUN":
        return []
    cache: dict[tuple[int, int], list[ShellCommand]] = per_file(df, "shell_commands", _no_values)
    key = (id(instr), stage.index)
    hit = cache.get(key)
    if hit is not None:
        return hit
    out: list[ShellCommand] = []
    if shell_is_posix_at(df, stage, instr):
        new = tuple.__new__  # the named tuple's own __new__ is a Python function: slower
        for script, mapper in scripts_of(instr):
            out += [
                new(ShellCommand, (cmd, program, instr, mapper, program.name))
                for cmd, program in _commands_of_script(script)
            ]
    cache[key] = out
    return out


# Tokenized scripts by text. Repositories that generate their Dockerfiles from templates
# (one per version and variant) repeat the same RUN scripts many times; commands are
# immutable, so one tokenization serves every copy. Bounded by the text it holds.
_SCRIPT_MEMO: dict[str, tuple[tuple[SimpleCommand, SimpleCommand], ...]] = {}
_SCRIPT_MEMO_LIMIT = 4 << 20  # characters of script text
_script_memo_size = 0


def _commands_of_script(script: str) -> tuple[tuple[SimpleCommand, SimpleCommand], ...]:
    """Each simple command of ``script`` with its unwrapped program, tokenized once per text."""
    global _script_memo_size
    hit = _SCRIPT_MEMO.get(script)
    if hit is not None:
        return hit
    result = tuple((cmd, unwrap(cmd)) for cmd in tokenize(script))
    if _script_memo_size + len(script) > _SCRIPT_MEMO_LIMIT:
        _SCRIPT_MEMO.clear()
        _script_memo_size = 0
    _SCRIPT_MEMO[script] = result
    _script_memo_size += len(script)
    return result


def run_instructions(df: Dockerfile) -> Iterator[tuple[Stage, Instruction]]:
    """Every RUN instruction with its stage, including ONBUILD RUN triggers."""
    for stage in df.stages:
        for instr in stage.instructions:
            if instr.keyword == "RUN":
                yield stage, instr
            elif instr.keyword == "ONBUILD" and instr.inner and instr.inner.keyword == "RUN":
                yield stage, instr.inner


def all_shell_commands(df: Dockerfile) -> Iterator[tuple[Stage, ShellCommand]]:
    """Every simple command of every RUN, with its stage."""
    for stage, instr in run_instructions(df):
        for cmd in shell_commands(df, stage, instr):
            yield stage, cmd


ROOT_NAMES = frozenset({"root", "0"})


def is_root_user(value: str) -> bool | None:
    """True for root (``root``, ``0``, ``0:0``, ``root:*``), False for others, None if unknown (``$VAR``)."""
    user = value.strip().split(":", 1)[0].strip()
    if not user or "$" in user:
        return None
    return user in ROOT_NAMES


def last_user(df: Dockerfile, stage: Stage) -> Instruction | None:
    """The USER instruction in effect at the end of ``stage`` (through its stage lineage)."""
    found: Instruction | None = None
    for s in df.lineage(stage):
        for instr in s.of("USER"):
            found = instr
    return found
