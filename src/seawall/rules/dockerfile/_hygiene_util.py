"""Helpers for the hygiene and reliability rules (DF050-DF099).

The shell commands of every RUN are tokenized once per Dockerfile and shared by all rules through a
one-entry cache (rules run one after another on the same parsed model), together with what the
rules keep asking: the stage, whether the stage ships, its cache mounts, and where an edit may go.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from seawall.model.fix import Edit, Fix
from seawall.parsers.dockerfile import Dockerfile, Instruction, Stage, parse_arg, parse_key_values
from seawall.parsers.shell import Word
from seawall.rules._base import Context, Option, Rule
from seawall.rules.dockerfile._package_managers import (
    PIP_PREFIXES,
    SYSTEM_MANAGERS,
    ManagerCall,
    manager_call,
)
from seawall.rules.dockerfile._util import (
    POSIX_SHELLS,
    ShellCommand,
    json_fragment,
    per_file,
    run_instructions,
    shell_commands,
    shipped_stage_indices,
)


class CacheMount(NamedTuple):
    """A ``RUN --mount=type=cache`` (or any mount type) and where it is mounted."""

    type: str
    target: str


class Run(NamedTuple):
    """One RUN instruction with its stage, its simple commands and its mounts."""

    stage: Stage
    instruction: Instruction
    commands: tuple[ShellCommand, ...]
    mounts: tuple[CacheMount, ...]
    ships: bool  # the stage is in the lineage of the shipped stage
    calls: tuple[ManagerCall, ...]  # the package-manager calls among the commands

    def has_cache_mount(self, *prefixes: str) -> bool:
        """Whether a cache mount covers (or sits inside) one of the directories."""
        for mount in self.mounts:
            if mount.type != "cache":
                continue
            target = mount.target.rstrip("/") or "/"
            for prefix in prefixes:
                if (
                    target == prefix
                    or target.startswith(prefix + "/")
                    or prefix.startswith(target + "/")
                ):
                    return True
        return False

    def runs_script(self) -> bool:
        """Whether the RUN executes a script file, which may do anything (install, clean up)."""
        for cmd in self.commands:
            name = cmd.name
            if name.endswith(".sh"):
                return True
            if name in POSIX_SHELLS and len(cmd.program.words) > 1:
                return True  # `bash script.sh` or `bash -c "…"`: a nested script
        return False

    def named(self, *names: str) -> Iterator[ShellCommand]:
        """Commands whose program (wrappers removed) is one of ``names``."""
        for cmd in self.commands:
            if cmd.program.words and cmd.name in names:
                yield cmd


class DockerfileRuns(NamedTuple):
    """Every RUN of a Dockerfile, analysed once."""

    runs: tuple[Run, ...]
    shipped: frozenset[int]  # indices of the stages whose files reach the shipped image
    # Program names of every command: a rule about one program returns early when it is absent.
    names: frozenset[str]


_cache: list[tuple[Dockerfile, DockerfileRuns]] = []


def runs_of(df: Dockerfile) -> DockerfileRuns:
    """The RUN instructions of ``df`` with their commands (computed once per parsed Dockerfile)."""
    if _cache and _cache[0][0] is df:
        return _cache[0][1]
    shipped = shipped_stage_indices(df)
    located = [
        (stage, instr, tuple(shell_commands(df, stage, instr)))
        for stage, instr in run_instructions(df)
    ]
    names = frozenset(cmd.name for _, _, commands in located for cmd in commands)
    # manager_call rejects every other name (most commands): test names once per file.
    managers = frozenset(
        name for name in names if name in SYSTEM_MANAGERS or name.startswith(PIP_PREFIXES)
    )
    runs = []
    for stage, instr, commands in located:
        calls = (
            tuple(
                call
                for cmd in commands
                if cmd.name in managers and (call := manager_call(cmd)) is not None
            )
            if managers
            else ()
        )
        runs.append(Run(stage, instr, commands, mounts_of(instr), stage.index in shipped, calls))
    value = DockerfileRuns(tuple(runs), shipped, names)
    _cache[:] = [(df, value)]
    return value


def lowered_text(df: Dockerfile) -> str:
    """The whole Dockerfile in lower case (for build-wide settings), once per file."""
    return per_file(df, "lowered_text", _lowered)


def _lowered(df: Dockerfile) -> str:
    return df.source.text.lower()


def mounts_of(instr: Instruction) -> tuple[CacheMount, ...]:
    """The ``--mount`` flags of a RUN as (type, target)."""
    out = []
    for flag in instr.flags_named("mount"):
        fields: dict[str, str] = {}
        for part in (flag.value or "").split(","):
            key, _, value = part.partition("=")
            fields[key.strip().lower()] = value.strip().strip("\"'")
        target = fields.get("target") or fields.get("dst") or fields.get("destination") or ""
        out.append(CacheMount((fields.get("type") or "bind").lower(), target))
    return tuple(out)


def can_edit(cmd: ShellCommand) -> bool:
    """Whether word spans of this command map exactly onto the source (so a fix may insert text)."""
    instr = cmd.instruction
    if any(h.strip_tabs for h in instr.heredocs):
        return False
    if instr.exec_form is None:
        return True
    argv = instr.exec_form
    return (
        len(argv) >= 3
        and posixpath.basename(argv[0]) in POSIX_SHELLS
        and json_fragment(argv[-1]) == argv[-1]
    )


def insert_after(df: Dockerfile, cmd: ShellCommand, word: Word, text: str) -> Edit | None:
    """An edit inserting `` text`` right after a word, or None when its position is not exact.

    The word's mapped span must hold exactly the word's text, so an offset error anywhere
    upstream can never produce a corrupting edit.
    """
    if not can_edit(cmd) or word.quoted:
        return None
    span = cmd.word_span(word)
    if df.source.slice(span) != word.text:
        return None
    return Edit.insert(span.end, " " + text)


def insert_fix(
    df: Dockerfile, cmd: ShellCommand, word: Word, text: str, *, safe: bool = True
) -> Fix | None:
    """A fix inserting `` text`` after ``word`` (safe or unsafe), or None when not exact."""
    edit = insert_after(df, cmd, word, text)
    if edit is None:
        return None
    title = f"Add {text}"
    return Fix.safe(title, edit) if safe else Fix.unsafe(title, edit)


def mentions_path(cmds: Iterable[ShellCommand], programs: Iterable[str], *paths: str) -> bool:
    """Whether one of ``programs`` gets an argument at or under one of ``paths``."""
    progs = frozenset(programs)
    for cmd in cmds:
        if cmd.name not in progs:
            continue
        for word in cmd.program.words[1:]:
            text = word.text.rstrip("*").rstrip("/")
            for path in paths:
                if text == path or text.startswith(path + "/"):
                    return True
    return False


def variables_before(df: Dockerfile, instr: Instruction) -> dict[str, str | None]:
    """ENV and ARG values in effect just before ``instr``, through its stage lineage."""
    values: dict[str, str | None] = {}
    if not 0 <= instr.stage_index < len(df.stages):
        return values
    for stage in df.lineage(df.stages[instr.stage_index]):
        for other in stage.instructions:
            if other is instr:
                return values
            if other.keyword == "ENV":
                values.update((k, v) for k, v, _, _ in parse_key_values(other.args))
            elif other.keyword == "ARG":
                values.update(parse_arg(other.args))
            elif other.keyword == "ONBUILD" and other.inner is instr:
                return values
    return values


def delete_instruction(df: Dockerfile, instr: Instruction) -> Edit:
    """An edit removing an instruction with its line break."""
    text = df.source.text
    start = instr.span.start
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip() == "":
        start = line_start
    end = instr.span.end
    if end < len(text) and text[end] == "\n":
        end += 1
    return Edit.delete(type(instr.span)(start, end))


ALL_STAGES = Option(
    "all-stages",
    False,
    "Also report stages that do not ship: their layers never reach the image.",
)


def reports_run(rule: Rule[Any], run: Run, ctx: Context) -> bool:
    """Whether a size/cache rule reports this RUN: it ships, or the `all-stages` option is on."""
    return run.ships or bool(ctx.option(rule, "all-stages"))
