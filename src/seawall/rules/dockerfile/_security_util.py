"""Helpers shared by the Dockerfile security rules (DF002-DF049).

Looking up the same commands, scripts and ENV/ARG pairs in every rule would dominate the run
time, so they are computed once per parsed Dockerfile and kept in its ``cache`` (a ``_Memo``):
commands indexed by program name, RUN scripts with offset mappers, key/value pairs, declared
variables per stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from seawall.lazy_re import lazy_pattern
from seawall.model.fix import Edit
from seawall.model.source import Span
from seawall.parsers.dockerfile import (
    Dockerfile,
    Flag,
    Instruction,
    Stage,
    expand_vars,
    parse_key_values,
    split_words,
)
from seawall.parsers.shell import SimpleCommand, Word
from seawall.rules.dockerfile._util import (
    ShellCommand,
    per_file,
    per_stage,
    scripts_of,
    shell_commands,
    stage_is_posix,
)


class _Memo:
    """What the rules compute repeatedly for one Dockerfile: commands, scripts, key/values."""

    def __init__(self, df: Dockerfile) -> None:
        self.df = df
        self.runs = list(_run_instructions(df))
        self.commands = [
            (stage, cmd) for stage, instr in self.runs for cmd in shell_commands(df, stage, instr)
        ]
        by_name: dict[str, list[tuple[Stage, ShellCommand]]] = {}
        for item in self.commands:
            group = by_name.get(item[1].name)
            if group is None:
                by_name[item[1].name] = [item]
            else:
                group.append(item)
        self.by_name = by_name
        self.scripts: list[tuple[Stage, Instruction, str, Callable[[int], int]]] | None = None
        self.pairs: dict[int, list[KeyValue]] = {}  # ENV/ARG/LABEL pairs by instruction id
        self.declared: dict[int, dict[str, str | None]] = {}
        self.names: dict[int, dict[str, str]] = {}
        self.named: dict[tuple[str, ...], list[tuple[Stage, ShellCommand]]] = {}
        # Built on first use: most files never need them.
        self._position: dict[int, int] | None = None
        self._wrapped: list[tuple[Stage, ShellCommand]] | None = None
        self._assigning: list[tuple[Stage, ShellCommand]] | None = None
        self._assignments: list[tuple[Stage | None, KeyValue]] | None = None
        self.packages: list[tuple[Stage, ShellCommand, list[tuple[Word, str]]]] | None = None

    @property
    def position(self) -> dict[int, int]:
        """Index in ``commands`` by ``id`` of each command."""
        if self._position is None:
            self._position = {id(cmd): index for index, (_, cmd) in enumerate(self.commands)}
        return self._position

    @property
    def wrapped(self) -> list[tuple[Stage, ShellCommand]]:
        """The commands run through a wrapper (``sudo``, ``env``…)."""
        if self._wrapped is None:
            self._wrapped = [
                item for item in self.commands if item[1].command is not item[1].program
            ]
        return self._wrapped

    @property
    def assigning(self) -> list[tuple[Stage, ShellCommand]]:
        """Commands that may set variables (prefix assignments, wrappers, ``export``)."""
        if self._assigning is None:
            self._assigning = [
                (stage, cmd)
                for stage, cmd in self.commands
                if cmd.command.assignments
                or cmd.command is not cmd.program
                or cmd.program.name == "export"
            ]
        return self._assigning

    @property
    def assignments(self) -> list[tuple[Stage | None, KeyValue]]:
        """Every ENV/ARG/LABEL pair in file order with its stage (ONBUILD triggers included)."""
        if self._assignments is None:
            self._assignments = list(_assignments(self.df))
        return self._assignments


def _run_instructions(df: Dockerfile) -> Iterator[tuple[Stage, Instruction]]:
    """RUN instructions (ONBUILD RUN triggers included) with their stage.

    Works around the parser keeping an ``ONBUILD RUN <<EOF`` heredoc on the ONBUILD instruction
    and not on its inner RUN: the body is moved onto the inner instruction.
    """
    for stage in df.stages:
        for instr in stage.instructions:
            if instr.keyword == "RUN":
                yield stage, instr
            elif instr.keyword == "ONBUILD" and instr.inner and instr.inner.keyword == "RUN":
                inner = instr.inner
                if instr.heredocs and not inner.heredocs:
                    inner = inner._replace(heredocs=instr.heredocs)
                yield stage, inner


def _memo_of(df: Dockerfile) -> _Memo:
    return per_file(df, _MEMO_KEY, _Memo)


_MEMO_KEY = "security_rules"


def run_instructions(df: Dockerfile) -> list[tuple[Stage, Instruction]]:
    """Every RUN instruction (ONBUILD RUN triggers included, with their heredocs) and its stage."""
    return _memo_of(df).runs


def commands(df: Dockerfile) -> list[tuple[Stage, ShellCommand]]:
    """Every simple command of every RUN (ONBUILD RUN included) with its stage, tokenized once."""
    return _memo_of(df).commands


def commands_named(df: Dockerfile, *names: str) -> list[tuple[Stage, ShellCommand]]:
    """The commands whose program (after sudo/env wrappers) is one of ``names``, in file order."""
    memo = _memo_of(df)
    by_name = memo.by_name
    if len(names) == 1:
        return by_name.get(names[0], [])
    cached = memo.named.get(names)
    if cached is None:
        groups = [group for name in names if (group := by_name.get(name))]
        if len(groups) <= 1:
            cached = list(groups[0]) if groups else []  # one program: already in file order
        else:
            cached = [item for group in groups for item in group]
            position = memo.position
            cached.sort(key=lambda item: position[id(item[1])])
        memo.named[names] = cached
    return cached


def commands_where(
    df: Dockerfile, accept: Callable[[str], bool]
) -> list[tuple[Stage, ShellCommand]]:
    """The commands whose program name passes ``accept`` (e.g. ``pip3.12``), in file order."""
    by_name = _memo_of(df).by_name
    return commands_named(df, *[name for name in by_name if accept(name)])


def assigning_commands(df: Dockerfile) -> list[tuple[Stage, ShellCommand]]:
    """Commands that may set variables: ``VAR=x cmd``, ``export VAR=x``, ``env VAR=x cmd``."""
    return _memo_of(df).assigning


def wrapped_commands(df: Dockerfile) -> list[tuple[Stage, ShellCommand]]:
    """The commands run through a wrapper such as ``sudo`` or ``env``."""
    return _memo_of(df).wrapped


def pipeline_after(df: Dockerfile, cmd: ShellCommand) -> list[ShellCommand]:
    """The commands that read ``cmd``'s output through a pipe (``a | b | c`` → ``[b, c]``)."""
    memo = _memo_of(df)
    index = memo.position.get(id(cmd))
    out: list[ShellCommand] = []
    if index is None:
        return out
    current = cmd
    for _, nxt in memo.commands[index + 1 :]:
        if nxt.instruction is not cmd.instruction or current.command.separator != "|":
            break
        if not nxt.command.pipe_from:
            break
        out.append(nxt)
        current = nxt
    return out


def external_base(df: Dockerfile, stage: Stage) -> bool:
    """Whether a stage is built FROM an image (not an earlier stage, not ``scratch``, known)."""
    base = stage.base.strip()
    if stage.base_is_stage or not base or base.lower() == "scratch":
        return False
    return "$" not in base


def shipped_root(df: Dockerfile) -> Stage | None:
    """The stage at the root of the shipped stage's lineage (whose base image ships)."""
    stage = df.shipped_stage
    if stage is None:
        return None
    return df.lineage(stage)[0]


class KeyValue(NamedTuple):
    """One ``key=value`` of an ENV, ARG or LABEL instruction; offsets are into its ``args``."""

    instruction: Instruction
    key: str
    value: str | None
    start: int
    end: int
    key_end: int

    @property
    def span(self) -> Span:
        """Source span of the whole pair."""
        return self.instruction.args_span(self.start, self.end)

    @property
    def key_span(self) -> Span:
        """Source span of the key."""
        return self.instruction.args_span(self.start, self.key_end)


def key_values(df: Dockerfile, instr: Instruction) -> list[KeyValue]:
    """The pairs of an ENV/LABEL (``k=v`` or legacy ``k v``) or ARG (``NAME[=default]``)."""
    pairs = _memo_of(df).pairs
    found = pairs.get(id(instr))
    if found is None:
        found = pairs[id(instr)] = _key_values(instr)
    return found


def _key_values(instr: Instruction) -> list[KeyValue]:
    out: list[KeyValue] = []
    if instr.keyword == "ARG":
        for word, start, end in split_words(instr.args):
            name, sep, value = word.partition("=")
            out.append(KeyValue(instr, name, value if sep else None, start, end, start + len(name)))
        return out
    for key, value, start, end in parse_key_values(instr.args):
        raw_key = instr.args[start : start + len(key)]
        key_len = len(key) if raw_key == key else len(key) + 2  # quoted key
        out.append(KeyValue(instr, key, value, start, end, start + key_len))
    return out


def iter_assignments(
    df: Dockerfile, keywords: Iterable[str] = ("ENV", "ARG")
) -> Iterator[tuple[Stage | None, KeyValue]]:
    """Every ENV/ARG/LABEL pair in the file with its stage (None for ARG before the first FROM)."""
    wanted = frozenset(keywords)
    for stage, kv in _memo_of(df).assignments:
        if kv.instruction.keyword in wanted:
            yield stage, kv


_ASSIGNING_KEYWORDS = frozenset({"ENV", "ARG", "LABEL"})


def _assignments(df: Dockerfile) -> Iterator[tuple[Stage | None, KeyValue]]:
    by_index = {s.index: s for s in df.stages}
    for instr in df.instructions:
        target = instr.inner if instr.keyword == "ONBUILD" and instr.inner is not None else instr
        if target.keyword in _ASSIGNING_KEYWORDS:
            for kv in key_values(df, target):
                yield by_index.get(instr.stage_index), kv


def copy_sources(instr: Instruction) -> list[tuple[str, Span]]:
    """Source operands of COPY/ADD (destination excluded), with their source spans."""
    if instr.heredocs:
        return []
    if instr.exec_form is not None:
        items = list(instr.exec_form[:-1])
        out = []
        for item in items:
            where = instr.args.find(item)
            out.append((item, instr.args_span(max(where, 0), max(where, 0) + len(item))))
        return out
    words = split_words(instr.args)
    return [(w, instr.args_span(s, e)) for w, s, e in words[:-1]]


def word_after(cmd: SimpleCommand, word: Word) -> Word | None:
    """The word following ``word`` in the command, if any."""
    words = cmd.words
    for i, w in enumerate(words):
        if w is word and i + 1 < len(words):
            return words[i + 1]
    return None


def option_values(cmd: SimpleCommand, *names: str) -> Iterator[tuple[Word, str]]:
    """Values of options ``--name value``, ``--name=value`` or ``-o value``/``-ovalue``."""
    words = cmd.words
    for i, w in enumerate(words[1:], start=1):
        t = w.text
        for name in names:
            if t == name and i + 1 < len(words):
                yield w, words[i + 1].text
            elif name.startswith("--") and t.startswith(name + "="):
                yield w, t[len(name) + 1 :]
            elif len(name) == 2 and t.startswith(name) and len(t) > 2 and not t.startswith("--"):
                yield w, t[2:]


VAR_REF = lazy_pattern(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")


def var_refs(text: str) -> Iterator[tuple[str, int, int]]:
    """``$NAME``/``${NAME…}`` references in text: (name, start, end)."""
    for m in VAR_REF.finditer(text):
        yield m.group(1) or m.group(2), m.start(), m.end()


def declared_names(df: Dockerfile, stage: Stage) -> dict[str, str]:
    """Names declared by ARG/ENV in a stage's lineage (and global ARGs), mapped to the keyword."""
    memo = _memo_of(df)
    if stage.index in memo.names:
        return memo.names[stage.index]
    names: dict[str, str] = {name: "ARG" for name in df.global_args}
    for s in df.lineage(stage):
        for instr in s.of("ARG", "ENV"):
            for kv in key_values(df, instr):
                names[kv.key] = instr.keyword
    memo.names[stage.index] = names
    return names


def has_secret_mount(instr: Instruction) -> bool:
    """Whether a RUN mounts a BuildKit secret (``--mount=type=secret``)."""
    return any("type=secret" in (f.value or "") for f in instr.flags_named("mount"))


def resolved_base(df: Dockerfile, stage: Stage) -> str | None:
    """The stage's base image with build arguments substituted, or None when a variable is unset."""
    # Asked by several rules (DF001-DF004) for the same stage.
    return per_stage(df, stage, "resolved_base", _resolved_base)


def _resolved_base(df: Dockerfile, stage: Stage) -> str | None:
    words = stage.from_instruction.args.split()
    raw = words[0] if words else ""
    for name, _, _ in var_refs(raw):
        if df.global_args.get(name) is None and not _has_default(raw, name):
            return None
    base = stage.base.strip()
    if not _REFERENCE.match(base):
        return None  # a template placeholder ("{{ .from }}", "REPLACE-ME"), not an image reference
    return base


# registry[:port]/path[:tag][@digest] per the distribution reference grammar (repository lowercase).
_REFERENCE = lazy_pattern(
    r"^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+:[0-9a-fA-F]{32,})?$"
)


def _has_default(raw: str, name: str) -> bool:
    return re.search(r"\$\{" + re.escape(name) + r":?-[^}]+\}", raw) is not None


_DEVCONTAINER_BASE = lazy_pattern(r"^mcr\.microsoft\.com/(?:vscode/)?devcontainers/", re.I)


def is_dev_container(df: Dockerfile, target: str) -> bool:
    """Whether the file defines a development container (``.devcontainer/``, devcontainers base).

    Development containers are workstations, not shipped images: rules about what ships (minimal
    base, build tools, health checks) do not apply to them.
    """
    if ".devcontainer" in target.replace("\\", "/").split("/"):
        return True
    root = shipped_root(df)
    return root is not None and bool(_DEVCONTAINER_BASE.match(root.base))


_INSTALL_VERBS: dict[str, frozenset[str]] = {
    "apt-get": frozenset({"install"}),
    "apt": frozenset({"install"}),
    "aptitude": frozenset({"install"}),
    "apk": frozenset({"add"}),
    "yum": frozenset({"install", "groupinstall"}),
    "dnf": frozenset({"install", "groupinstall"}),
    "microdnf": frozenset({"install"}),
    "tdnf": frozenset({"install"}),
    "zypper": frozenset({"install", "in"}),
    "pacman": frozenset({"-S", "-Sy", "-Syu"}),
}
_REMOVE_VERBS: dict[str, frozenset[str]] = {
    "apt-get": frozenset({"purge", "remove", "autoremove"}),
    "apt": frozenset({"purge", "remove", "autoremove"}),
    "apk": frozenset({"del"}),
    "yum": frozenset({"remove", "erase", "autoremove"}),
    "dnf": frozenset({"remove", "erase", "autoremove"}),
    "microdnf": frozenset({"remove"}),
    "tdnf": frozenset({"remove", "erase"}),
    "zypper": frozenset({"remove", "rm"}),
}
# Options of package managers that take a value (so the value is not a package name).
_VALUED_OPTIONS = frozenset(
    {
        "-t",
        "--target-release",
        "-o",
        "--option",
        "-c",
        "--config-file",
        "--virtual",
        "--repository",
        "-X",
        "--root",
        "-p",
        "--setopt",
        "--enablerepo",
        "--disablerepo",
        "--installroot",
        "--releasever",
        "--repo",
        "--from",
    }
)


_INSTALLERS = tuple(_INSTALL_VERBS)


def install_commands(df: Dockerfile) -> list[tuple[Stage, ShellCommand]]:
    """Commands of package managers that may install packages."""
    return commands_named(df, *_INSTALLERS)


def installed_packages(cmd: ShellCommand) -> list[Word]:
    """Package words of a package-manager install command (empty for anything else)."""
    prog = cmd.program
    verbs = _INSTALL_VERBS.get(prog.name)
    if verbs is None:
        return []
    words = prog.words[1:]
    verb_index = next((i for i, w in enumerate(words) if w.text in verbs), None)
    if verb_index is None:
        return []
    out: list[Word] = []
    skip = False
    for w in words[verb_index + 1 :]:
        if skip:
            skip = False
            continue
        if w.text.startswith("-"):
            skip = w.text in _VALUED_OPTIONS
            continue
        out.append(w)
    # "apk add --virtual .name pkg…": the virtual name is an option value, skipped above.
    return out


def removes_packages(cmd: ShellCommand) -> bool:
    """Whether a command removes packages (``apt-get purge``, ``apk del``, ``dnf remove``…)."""
    prog = cmd.program
    verbs = _REMOVE_VERBS.get(prog.name)
    if verbs is None:
        return False
    return any(w.text in verbs for w in prog.words[1:])


def instructions_removing_packages(df: Dockerfile) -> set[int]:
    """Ids of the RUN instructions that remove packages again (clean-up after a build)."""
    return {
        id(cmd.instruction)
        for _, cmd in commands_named(df, *_REMOVE_VERBS)
        if removes_packages(cmd)
    }


_PIN = lazy_pattern(r"[=<>~:]")


def package_name(word: str) -> str:
    """A package word without version, architecture or release pins (``gcc=4:12.2`` → ``gcc``)."""
    return _PIN.split(word, maxsplit=1)[0].lower()


def install_packages(df: Dockerfile) -> list[tuple[Stage, ShellCommand, list[tuple[Word, str]]]]:
    """``install_commands`` with their package words and names (``package_name``), once per file.

    Several rules look for packages they dislike (sudo, SSH servers, build tools) in the same
    install commands.
    """
    memo = _memo_of(df)
    if memo.packages is None:
        memo.packages = [
            (stage, cmd, [(word, package_name(word.text)) for word in installed_packages(cmd)])
            for stage, cmd in install_commands(df)
        ]
    return memo.packages


def run_scripts(df: Dockerfile) -> Iterator[tuple[Stage, Instruction, str, Callable[[int], int]]]:
    """The shell text of every RUN (heredoc bodies included) with a text→source offset mapper."""
    memo = _memo_of(df)
    if memo.scripts is None:
        memo.scripts = [
            (stage, instr, script, mapper)
            for stage, instr in memo.runs
            if stage_is_posix(df, stage)
            for script, mapper in scripts_of(instr)
        ]
    return iter(memo.scripts)


def mapped_span(mapper: Callable[[int], int], start: int, end: int) -> Span:
    """Source span of ``[start, end)`` of a script through its offset mapper."""
    first = mapper(start)
    return Span(first, max(first, mapper(max(end - 1, start)) + 1))


def declared_values(df: Dockerfile, stage: Stage) -> dict[str, str | None]:
    """Known values of ARG defaults and ENV in a stage's lineage (global ARGs included)."""
    memo = _memo_of(df)
    if stage.index in memo.declared:
        return memo.declared[stage.index]
    values: dict[str, str | None] = dict(df.global_args)
    for s in df.lineage(stage):
        for instr in s.of("ARG", "ENV"):
            for kv in key_values(df, instr):
                if instr.keyword == "ARG" and kv.value is None:
                    values.setdefault(kv.key, None)
                else:
                    values[kv.key] = kv.value
    memo.declared[stage.index] = values
    return values


def copy_from_images(df: Dockerfile) -> Iterator[tuple[Stage, Flag, str]]:
    """``COPY --from=<image>`` of external images (not stages), ARGs substituted, and the flag."""
    for stage in df.stages:
        for instr in stage.instructions:
            target = (
                instr.inner if instr.keyword == "ONBUILD" and instr.inner is not None else instr
            )
            if target.keyword != "COPY":
                continue
            flag = target.flag("from")
            if flag is None or not flag.value or df.stage_by_name(flag.value) is not None:
                continue
            image = flag.value
            if "$" in image:
                image = expand_vars(image, declared_values(df, stage))
                if "$" in image or not image or df.stage_by_name(image) is not None:
                    continue
            # A bare name may be a named build context (--build-context name=…): not judged.
            if any(c in image for c in ":/@") and _REFERENCE.match(image):
                yield stage, flag, image


def word_removal(df: Dockerfile, cmd: ShellCommand, words: list[Word]) -> list[Edit] | None:
    """Edits deleting ``words`` (and the blanks before each) from a RUN, or None when unsafe to
    locate (exec form, or source text that differs from the word, e.g. quoted)."""
    if cmd.instruction.exec_form is not None:
        return None
    text = df.source.text
    edits: list[Edit] = []
    for word in words:
        span = cmd.word_span(word)
        if text[span.start : span.end] != word.text:
            return None
        start = span.start
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        edits.append(Edit.delete(Span(start, span.end)))
    return edits


def letter_removal(df: Dockerfile, cmd: ShellCommand, word: Word, letter: str) -> list[Edit] | None:
    """An edit deleting one option letter from a bundle (``-fsSLk`` → ``-fsSL``), or None."""
    if cmd.instruction.exec_form is not None:
        return None
    span = cmd.word_span(word)
    if df.source.text[span.start : span.end] != word.text or word.text.count(letter) != 1:
        return None
    at = span.start + word.text.index(letter)
    return [Edit.delete(Span(at, at + 1))]
