"""Dockerfile / Containerfile parser with BuildKit semantics and exact source positions.

Covers parser directives (``# syntax``, ``# escape``), line continuations with the active escape
character, comment and blank lines inside continuations, heredocs (``<<EOF``, ``<<-EOF``, quoted
delimiters), exec and shell forms, ``--flags``, any keyword case, ``ARG`` before ``FROM`` with
``${VAR:-default}`` substitution in ``FROM``, stages and their ancestry, ``ONBUILD`` and ``SHELL``.

The logical text of an instruction's arguments (continuations joined, comment lines dropped) is kept
with a segment map back to source offsets, so rules and fixes can point at exact characters.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from seawall.errors import ParseError
from seawall.lazy_re import lazy_pattern
from seawall.model.source import Immutable, SourceFile, Span

KNOWN_INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_FORM_INSTRUCTIONS = frozenset(
    {"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME", "HEALTHCHECK"}
)
DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})

# Compiled on first use: most files have no directive, no heredoc and no variable in FROM.
_DIRECTIVE = lazy_pattern(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = lazy_pattern(r"(?<![<\\])<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.\-]*)\2")
_VAR = lazy_pattern(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


class Flag(NamedTuple):
    """An instruction flag such as ``--from=builder`` (``value`` None for a bare ``--link``)."""

    name: str
    value: str | None
    span: Span


class Heredoc(NamedTuple):
    """A heredoc body attached to a RUN/COPY/ADD instruction."""

    name: str
    body: str
    body_span: Span
    strip_tabs: bool
    quoted: bool
    raw: str = ""

    def source_offset(self, offset: int) -> int:
        """The source offset of ``body[offset]``, allowing for tabs that ``<<-`` stripped."""
        if not self.strip_tabs or not self.raw:
            return self.body_span.start + offset
        raw_pos = 0
        body_pos = 0
        for raw_line in self.raw.split("\n"):
            line = raw_line.lstrip("\t")
            tabs = len(raw_line) - len(line)
            if offset <= body_pos + len(line):
                return self.body_span.start + raw_pos + tabs + (offset - body_pos)
            raw_pos += len(raw_line) + 1
            body_pos += len(line) + 1
        return self.body_span.start + raw_pos


class Segment(NamedTuple):
    """Logical text ``[logical, logical+length)`` comes from source offset ``source``.

    A named tuple: there is one per continuation line of every instruction (cheap to build).
    """

    logical: int
    source: int
    length: int


class Instruction(NamedTuple):
    """One Dockerfile instruction.

    ``args`` is the logical argument text after the flags (continuations joined, comment lines in
    continuations removed); ``to_source`` maps an offset in ``args`` back into the file.
    """

    keyword: str
    keyword_span: Span
    span: Span
    flags: tuple[Flag, ...]
    args: str
    segments: tuple[Segment, ...]
    exec_form: tuple[str, ...] | None
    heredocs: tuple[Heredoc, ...]
    stage_index: int
    line: int
    end_line: int
    inner: Instruction | None = None  # the triggered instruction of an ONBUILD

    def to_source(self, offset: int) -> int:
        """Source offset of a character offset in ``args`` (end offsets map to just after)."""
        segs = self.segments
        if not segs:
            return self.span.end
        # Segments are (logical, source, length) tuples: the last one starting at or before
        # ``offset`` is found by comparing tuples, without building a key list per call.
        i = max(bisect.bisect_right(segs, (offset, _AFTER_ANY)) - 1, 0)
        seg = segs[i]
        return seg.source + min(offset - seg.logical, seg.length)

    def args_span(self, start: int = 0, end: int | None = None) -> Span:
        """Source span of ``args[start:end]``."""
        if end is None:
            end = len(self.args)
        first = self.to_source(start)
        if end <= start:
            return Span(first, first)
        return Span(first, max(first, self.to_source(end - 1) + 1))

    def flag(self, name: str) -> Flag | None:
        """The last flag with this name (BuildKit keeps the last), if present."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def flags_named(self, name: str) -> list[Flag]:
        """Every flag with this name (``--mount`` may repeat)."""
        return [f for f in self.flags if f.name == name]

    @property
    def is_exec_form(self) -> bool:
        """Whether the arguments are a JSON array."""
        return self.exec_form is not None

    def words(self) -> list[tuple[str, Span]]:
        """Whitespace-separated argument words with their source spans (quotes kept)."""
        out: list[tuple[str, Span]] = []
        for m in re.finditer(r"\S+", self.args):
            out.append((m.group(0), self.args_span(m.start(), m.end())))
        return out


class ImageRef(NamedTuple):
    """A parsed image reference ``[registry/]repository[:tag][@digest]``."""

    raw: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """Repository without registry, e.g. ``library/python`` → ``python``."""
        repo = self.repository
        return repo[len("library/") :] if repo.startswith("library/") else repo

    @property
    def short_name(self) -> str:
        """The last path component of the repository, e.g. ``node`` for ``docker.io/library/node``."""
        return self.repository.rsplit("/", 1)[-1]


def parse_image_ref(text: str) -> ImageRef:
    """Split an image reference into registry, repository, tag and digest (no validation)."""
    raw = text
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
    registry = None
    first, sep, rest = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, text = first, rest
    tag = None
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        text, tag = text[:colon], text[colon + 1 :]
    return ImageRef(raw, registry, text.lower() if text else text, tag, digest)


class Stage(NamedTuple):
    """A build stage: its FROM instruction and the instructions that follow it."""

    index: int  # type: ignore[assignment]  # the stage number, shadowing tuple.index on purpose
    name: str | None
    base: str
    base_span: Span
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]
    parent: int | None  # index of the stage this one builds FROM, if any

    @property
    def base_is_stage(self) -> bool:
        """Whether the base is an earlier stage rather than an image."""
        return self.parent is not None

    @property
    def base_ref(self) -> ImageRef:
        """The base image reference (meaningful only when not a stage)."""
        return parse_image_ref(self.base)

    def of(self, *keywords: str) -> Iterator[Instruction]:
        """This stage's instructions with one of the keywords, in order."""
        for instr in self.instructions:
            if instr.keyword in keywords:
                yield instr


class Dockerfile(Immutable):
    """A parsed Dockerfile: every instruction in order, the stages, and what ships.

    Immutable, and equal to another parse of the same text. ``cache`` holds derived data computed
    once and shared by every rule (e.g. tokenized RUN commands); it takes no part in equality.
    """

    __slots__ = (
        "cache",
        "comments",
        "directives",
        "escape",
        "global_args",
        "instructions",
        "source",
        "stages",
        "target",
    )

    source: SourceFile
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    escape: str
    directives: Mapping[str, str]
    global_args: Mapping[str, str | None]
    target: str | None
    comments: tuple[tuple[int, str], ...]
    cache: dict[str, object]

    def __init__(
        self,
        source: SourceFile,
        instructions: tuple[Instruction, ...],
        stages: tuple[Stage, ...],
        escape: str,
        directives: Mapping[str, str],
        global_args: Mapping[str, str | None],
        target: str | None = None,
        comments: tuple[tuple[int, str], ...] = (),
    ) -> None:
        _set = object.__setattr__
        _set(self, "source", source)
        _set(self, "instructions", instructions)
        _set(self, "stages", stages)
        _set(self, "escape", escape)
        _set(self, "directives", directives)
        _set(self, "global_args", global_args)
        _set(self, "target", target)
        _set(self, "comments", comments)
        _set(self, "cache", {})

    def _key(self) -> tuple[Any, ...]:
        return (
            self.source,
            self.instructions,
            self.stages,
            self.escape,
            self.directives,
            self.global_args,
            self.target,
            self.comments,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dockerfile):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # holds dicts, as the parse it came from

    def __repr__(self) -> str:
        return (
            f"Dockerfile(source={self.source.path!r}, {len(self.instructions)} instructions,"
            f" {len(self.stages)} stages, target={self.target!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (Dockerfile, self._key())  # the cache is rebuilt on demand

    @property
    def shipped_stage(self) -> Stage | None:
        """The stage that ships: the ``--target`` stage, else the last one."""
        if not self.stages:
            return None
        if self.target is not None:
            for stage in self.stages:
                if stage.name is not None and stage.name.lower() == self.target.lower():
                    return stage
        return self.stages[-1]

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it is built FROM, base first."""
        chain = [stage]
        seen = {stage.index}
        while chain[0].parent is not None and chain[0].parent not in seen:
            parent = self.stages[chain[0].parent]
            seen.add(parent.index)
            chain.insert(0, parent)
        return chain

    def shipped_instructions(self) -> list[Instruction]:
        """Instructions whose effect reaches the shipped image (the shipped stage's lineage)."""
        stage = self.shipped_stage
        if stage is None:
            return []
        out: list[Instruction] = []
        for s in self.lineage(stage):
            out.extend(s.instructions)
        return out

    def of(self, *keywords: str) -> Iterator[Instruction]:
        """Every instruction with one of the keywords, in file order."""
        for instr in self.instructions:
            if instr.keyword in keywords:
                yield instr

    def stage_by_name(self, name: str) -> Stage | None:
        """A stage by its ``AS`` name (case-insensitive) or numeric index."""
        for stage in self.stages:
            if stage.name is not None and stage.name.lower() == name.lower():
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None

    def statement_lines(self, line: int) -> range:
        """Lines covered by the instruction starting at or after ``line`` (for pragmas)."""
        for instr in self.instructions:
            if instr.end_line >= line:
                return range(instr.line, instr.end_line + 1)
        return range(line, line + 1)


def expand_vars(text: str, env: Mapping[str, str | None]) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-d}``, ``${VAR-d}``, ``${VAR:+x}``, ``${VAR+x}``."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        op = m.group(2)
        word = m.group(3) or ""
        value = env.get(name)
        if op is None:
            return value or ""
        if op == ":-":
            return value if value else expand_vars(word, env)
        if op == "-":
            return value if name in env and value is not None else expand_vars(word, env)
        if op == ":+":
            return expand_vars(word, env) if value else ""
        if op == "+":
            return expand_vars(word, env) if name in env else ""
        return value or ""  # :? and ? — error forms; keep what is known

    return _VAR.sub(repl, text) if "$" in text else text


_KEYWORD = re.compile(r"[A-Za-z]+")
_AFTER_ANY = float("inf")  # sorts after every source offset


class _Lines:
    """Physical lines (one trailing CR removed) with their source offsets."""

    def __init__(self, source: SourceFile) -> None:
        text = self.text = source.text
        raw_lines = text.split("\n")
        self.starts: list[int] = source.line_starts()  # shared with the reporters
        if "\r" in text:
            raw_lines = [raw[:-1] if raw.endswith("\r") else raw for raw in raw_lines]
        self.lines: list[str] = raw_lines


def _parse_flags(args: str, instr_offset: int, to_source: _Mapper) -> tuple[list[Flag], int]:
    """Leading ``--name[=value]`` words; returns flags and the offset where arguments start."""
    flags: list[Flag] = []
    pos = 0
    n = len(args)
    while True:
        while pos < n and args[pos] in " \t":
            pos += 1
        if not args.startswith("--", pos):
            break
        end = pos
        quote = ""
        while end < n and (quote or args[end] not in " \t"):
            ch = args[end]
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            end += 1
        word = args[pos + 2 : end]
        if not word:  # a bare "--" ends the flags
            pos = end
            break
        name, sep, value = word.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        span = Span(to_source(pos), to_source(end - 1) + 1)
        flags.append(Flag(name.lower(), value if sep else None, span))
        pos = end
    return flags, pos


class _Mapper:
    """Maps logical offsets to source offsets through segments."""

    def __init__(self, segments: list[Segment], fallback: int) -> None:
        self.segments = segments
        self.keys: list[int] | None = None  # built on first use: most mappers are never called
        self.fallback = fallback

    def __call__(self, offset: int) -> int:
        if not self.segments:
            return self.fallback
        if self.keys is None:
            self.keys = [s.logical for s in self.segments]
        i = max(bisect.bisect_right(self.keys, offset) - 1, 0)
        seg = self.segments[i]
        return seg.source + min(offset - seg.logical, seg.length)


# A JSON array of strings without escapes, in JSON's own whitespace: what nearly every exec form
# is. Exactly what json.loads accepts for such text, so it is read without importing json.
_PLAIN_STRING = r'"[^"\\\x00-\x1f]*"'
_PLAIN_JSON_ARRAY = re.compile(
    rf"\[[ \t\n\r]*(?:{_PLAIN_STRING}[ \t\n\r]*(?:,[ \t\n\r]*{_PLAIN_STRING}[ \t\n\r]*)*)?\]"
)
_PLAIN_STRING_BODY = re.compile(r'"([^"]*)"')


def _exec_form(args: str) -> tuple[str, ...] | None:
    if args[:1] != "[" and not args[:1].isspace():
        return None  # most arguments: no copy made
    stripped = args.strip()
    if not stripped.startswith("["):
        return None
    if _PLAIN_JSON_ARRAY.fullmatch(stripped):
        return tuple(_PLAIN_STRING_BODY.findall(stripped))
    try:
        import json  # only exec-form instructions need it

        value = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def read_dockerfile_text(path: str, data: bytes) -> str:
    """Decode Dockerfile bytes (UTF-8, BOM stripped) or raise a one-line ParseError."""
    if b"\x00" in data[:8192]:
        raise ParseError(path, "binary file (contains NUL bytes), not a Dockerfile")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def parse_dockerfile(
    source: SourceFile,
    *,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
) -> Dockerfile:
    """Parse a Dockerfile. Raises ParseError (with line) on input BuildKit would refuse."""
    lines = _Lines(source)
    line_count = len(lines.lines)
    directives: dict[str, str] = {}
    escape = "\\"
    comments: list[tuple[int, str]] = []

    # Parser directives: only at the very top, before any blank line, other comment or instruction.
    i = 0
    while i < line_count:
        raw = lines.lines[i]
        m = _DIRECTIVE.match(raw.strip()) if raw.strip().startswith("#") else None
        if not m or m.group(1).lower() not in DIRECTIVE_NAMES or m.group(1).lower() in directives:
            break
        directives[m.group(1).lower()] = m.group(2)
        comments.append((i + 1, raw))
        i += 1
    if "escape" in directives:
        esc = directives["escape"]
        if esc not in ("\\", "`"):
            raise ParseError(source.path, f"invalid escape token {esc!r} (must be \\ or `)", 1)
        escape = esc

    instructions: list[Instruction] = []
    stage_index = -1
    while i < line_count:
        raw = lines.lines[i]
        stripped = raw.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("#"):
            comments.append((i + 1, raw))
            i += 1
            continue
        start_line = i
        instr, i = _read_instruction(source, lines, i, escape, stage_index)
        if instr.keyword == "FROM":
            stage_index += 1
            instr = _with_stage(instr, stage_index)
        instructions.append(instr)
        del start_line

    return _assemble(source, instructions, escape, directives, comments, build_args or {}, target)


def _with_stage(instr: Instruction, stage_index: int) -> Instruction:
    return instr._replace(stage_index=stage_index)


# Named tuples built without their Python-level __new__ (several times slower): for values
# valid by construction, fields given in declaration order.
_new_tuple = tuple.__new__


def _read_instruction(
    source: SourceFile, lines: _Lines, i: int, escape: str, stage_index: int
) -> tuple[Instruction, int]:
    """Read one logical instruction starting at physical line ``i``; return it and the next line."""
    first = lines.lines[i]
    indent = len(first) - len(first.lstrip())
    line_start = lines.starts[i] + indent
    m = _KEYWORD.match(first, indent)
    if not m:
        raise ParseError(
            source.path, f"expected an instruction, found {first.strip()[:40]!r}", i + 1, indent + 1
        )
    word = m.group(0)
    keyword = word.upper()
    kw_span = _new_tuple(Span, (line_start, line_start + len(word)))
    after = first[indent + len(word) :]
    if after and after[0] not in " \t" and not (after.startswith(escape) and not after[1:].strip()):
        raise ParseError(
            source.path,
            f"unknown instruction {first.strip().split()[0][:40]!r}",
            i + 1,
            indent + 1,
        )
    if keyword not in KNOWN_INSTRUCTIONS:
        raise ParseError(source.path, f"unknown instruction {m.group(0)!r}", i + 1, indent + 1)

    # Gather the logical line: the rest of the first line plus continuation lines.
    segments: list[Segment] = []
    parts: list[str] = []
    logical_len = 0

    line = after
    # Leading blanks are not part of the arguments; leaving them out of the first segment spares
    # re-basing every segment afterwards.
    blank = len(line) - len(line.lstrip(" \t"))
    line = line[blank:]
    src = kw_span.end + blank
    j = i
    last_line = i
    physical = lines.lines
    count = len(physical)
    starts = lines.starts
    new_tuple = _new_tuple  # a local: looked up once per continuation line
    while True:
        # Most continued lines end with the escape itself: one test instead of two.
        stripped = line if line.endswith(escape) else line.rstrip(" \t\r")
        if not stripped.endswith(escape):
            piece = line.rstrip("\r")
            if piece:
                segments.append(new_tuple(Segment, (logical_len, src, len(piece))))
                parts.append(piece)
                logical_len += len(piece)
            last_line = j
            j += 1
            break
        cont = len(stripped) - 1
        if cont:
            segments.append(new_tuple(Segment, (logical_len, src, cont)))
            parts.append(line[:cont])
            logical_len += cont
        last_line = j
        j += 1
        # Skip comment lines and blank lines inside the continuation.
        while j < count:
            nxt = physical[j].lstrip()
            if not nxt or nxt[0] == "#":
                j += 1
                continue
            break
        if j >= count:
            break
        line = physical[j]
        src = starts[j]
    args_full = "".join(parts)

    # Heredocs: bodies follow the instruction line.
    heredocs: list[Heredoc] = []
    # The substring test first: the pattern starts with a look-behind, which the regex engine
    # tries at every offset, and few instructions hold a heredoc.
    if (keyword in HEREDOC_INSTRUCTIONS or keyword == "ONBUILD") and "<<" in args_full:
        for hm in _HEREDOC.finditer(args_full):
            strip_tabs = hm.group(1) == "-"
            delim = hm.group(3)
            body_start_line = j
            k = j
            found = False
            while k < count:
                candidate = lines.lines[k]
                compare = candidate.lstrip("\t") if strip_tabs else candidate
                if compare == delim:
                    found = True
                    break
                k += 1
            if not found:
                raise ParseError(
                    source.path,
                    f"unterminated heredoc <<{delim} (no closing {delim!r} line)",
                    i + 1,
                )
            body_start = (
                lines.starts[body_start_line] if body_start_line < count else len(source.text)
            )
            body_end = lines.starts[k]
            body = raw_body = source.text[body_start:body_end]
            if strip_tabs:
                body = "\n".join(b.lstrip("\t") for b in body.split("\n"))
            heredocs.append(
                Heredoc(
                    delim,
                    body.replace("\r\n", "\n"),
                    Span(body_start, body_end),
                    strip_tabs,
                    bool(hm.group(2)),
                    raw_body if strip_tabs else "",
                )
            )
            last_line = k
            j = k + 1

    end_offset = lines.starts[last_line] + len(lines.lines[last_line])
    flags_text_offset = 0
    flags: list[Flag] = []
    inner: Instruction | None = None
    args = args_full
    arg_segments = segments
    # Flags start the arguments; arguments that start with neither "--" nor a blank hold none.
    if keyword != "ONBUILD" and (args_full.startswith("--") or args_full[:1] in (" ", "\t")):
        flags, flags_text_offset = _parse_flags(args_full, 0, _Mapper(segments, kw_span.end))
    # Strip leading whitespace of the arguments, keeping the mapping.
    lead = flags_text_offset
    while lead < len(args_full) and args_full[lead] in " \t":
        lead += 1
    trail = len(args_full)
    while trail > lead and args_full[trail - 1] in " \t":
        trail -= 1
    args = args_full[lead:trail]
    arg_segments = _slice_segments(segments, lead, trail)
    if keyword == "ONBUILD":
        inner = _onbuild_inner(source, args, arg_segments, stage_index, i, last_line, escape)
        if inner is not None and heredocs and inner.keyword in HEREDOC_INSTRUCTIONS:
            # The bodies follow the ONBUILD line but belong to the trigger instruction.
            inner = inner._replace(heredocs=tuple(heredocs))
    instr = _new_tuple(
        Instruction,
        (
            keyword,
            kw_span,
            _new_tuple(Span, (line_start, end_offset)),
            tuple(flags),
            args,
            tuple(arg_segments),
            _exec_form(args) if keyword in JSON_FORM_INSTRUCTIONS else None,
            tuple(heredocs),
            stage_index,
            i + 1,
            last_line + 1,
            inner,
        ),
    )
    return instr, j


def _slice_segments(segments: list[Segment], start: int, end: int) -> list[Segment]:
    """Segments for logical ``[start, end)``, re-based to 0."""
    if start == 0 and (not segments or segments[-1].logical + segments[-1].length <= end):
        return segments
    out: list[Segment] = []
    for seg in segments:
        s = max(seg.logical, start)
        e = min(seg.logical + seg.length, end)
        if e <= s:
            continue
        out.append(_new_tuple(Segment, (s - start, seg.source + (s - seg.logical), e - s)))
    return out


def _onbuild_inner(
    source: SourceFile,
    args: str,
    segments: list[Segment],
    stage_index: int,
    line: int,
    end_line: int,
    escape: str,
) -> Instruction | None:
    m = re.match(r"([A-Za-z]+)", args)
    if not m:
        return None
    keyword = m.group(1).upper()
    mapper = _Mapper(segments, 0)
    kw_span = Span(mapper(0), mapper(len(m.group(1)) - 1) + 1)
    rest = args[len(m.group(1)) :]
    rest_segments = _slice_segments(segments, len(m.group(1)), len(args))
    rmapper = _Mapper(rest_segments, kw_span.end)
    flags, pos = _parse_flags(rest, 0, rmapper)
    while pos < len(rest) and rest[pos] in " \t":
        pos += 1
    inner_args = rest[pos:]
    inner_segments = _slice_segments(rest_segments, pos, len(rest))
    return Instruction(
        keyword=keyword,
        keyword_span=kw_span,
        span=Span(kw_span.start, mapper(len(args) - 1) + 1 if args else kw_span.end),
        flags=tuple(flags),
        args=inner_args,
        segments=tuple(inner_segments),
        exec_form=_exec_form(inner_args) if keyword in JSON_FORM_INSTRUCTIONS else None,
        heredocs=(),
        stage_index=stage_index,
        line=line + 1,
        end_line=end_line + 1,
    )


def _assemble(
    source: SourceFile,
    instructions: list[Instruction],
    escape: str,
    directives: dict[str, str],
    comments: list[tuple[int, str]],
    build_args: Mapping[str, str],
    target: str | None,
) -> Dockerfile:
    """Group instructions into stages, resolving FROM with global ARGs."""
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    first_from = next((k for k, ins in enumerate(instructions) if ins.keyword == "FROM"), None)
    if instructions and first_from is None:
        raise ParseError(source.path, "no FROM instruction", instructions[0].line)
    if first_from is not None:
        for ins in instructions[:first_from]:
            if ins.keyword != "ARG":
                raise ParseError(
                    source.path,
                    f"{ins.keyword} before the first FROM (only ARG may precede FROM)",
                    ins.line,
                )
            for name, value in parse_arg(ins.args):
                global_args[name] = build_args.get(name, value)
    names: dict[str, int] = {}
    current: list[Instruction] = []
    from_instr: Instruction | None = None

    def close() -> None:
        if from_instr is None:
            return
        words = from_instr.args.split()
        base_raw = words[0] if words else ""
        name = None
        if len(words) >= 3 and words[1].lower() == "as":
            name = words[2]
        env = {**global_args, **{k: v for k, v in build_args.items() if k in global_args}}
        base = expand_vars(base_raw, env)
        base_start = from_instr.args.find(base_raw) if base_raw else 0
        base_span = from_instr.args_span(base_start, base_start + len(base_raw))
        parent = names.get(base.lower())
        index = len(stages)
        stages.append(
            Stage(
                index=index,
                name=name,
                base=base,
                base_span=base_span,
                from_instruction=from_instr,
                instructions=tuple(current),
                parent=parent,
            )
        )
        if name is not None:
            names.setdefault(name.lower(), index)

    for ins in instructions[first_from or 0 :] if first_from is not None else []:
        if ins.keyword == "FROM":
            close()
            from_instr = ins
            current = []
        else:
            current.append(ins)
    close()
    return Dockerfile(
        source=source,
        instructions=tuple(instructions),
        stages=tuple(stages),
        escape=escape,
        directives=directives,
        global_args=global_args,
        target=target,
        comments=tuple(comments),
    )


_SPLIT_BLANKS = re.compile(r"[ \t\n]*")
# A word with no quotes or backslashes, ending at a blank or the end: most words.
_SPLIT_PLAIN = re.compile(r"[^ \t\n\"'\\]+(?=[ \t\n]|\Z)")


def split_words(text: str) -> list[tuple[str, int, int]]:
    """Split on unquoted whitespace; returns (unquoted word, start, end) with logical offsets."""
    return list(_split_words(text))


# Rules split the same ENV/LABEL/COPY arguments again and again (e.g. the variables in effect
# before each instruction): the split is a pure function of the text, kept for recent texts.
@functools.lru_cache(maxsize=2048)
def _split_words(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple(_split_words_uncached(text))


def _split_words_uncached(text: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    n = len(text)
    skip_blanks = _SPLIT_BLANKS.match
    plain_word = _SPLIT_PLAIN.match
    i = 0
    while True:
        i = skip_blanks(text, i).end()  # type: ignore[union-attr]  # matches the empty string
        if i >= n:
            return out
        plain = plain_word(text, i)
        if plain is not None:
            out.append((plain.group(), i, plain.end()))
            i = plain.end()
            continue
        start = i
        buf: list[str] = []
        quote = ""
        while i < n and (quote or text[i] not in " \t\n"):
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"' and i + 1 < n:
                    i += 1
                    buf.append(text[i])
                else:
                    buf.append(ch)
            elif ch in "\"'":
                quote = ch
            elif ch == "\\" and i + 1 < n:
                i += 1
                buf.append(text[i])
            else:
                buf.append(ch)
            i += 1
        out.append(("".join(buf), start, i))


def parse_key_values(text: str) -> list[tuple[str, str, int, int]]:
    """Parse ``ENV``/``LABEL`` arguments: ``k=v k2="v 2"`` or the legacy ``ENV key value``.

    Returns (key, value, start, end) with logical offsets of the whole pair.
    """
    words = _split_words(text)
    if not words:
        return []
    if "=" not in words[0][0]:
        key, start, end = words[0]
        rest = text[end:].strip()
        return [(key, rest, start, len(text))]
    out = []
    for word, start, end in words:
        key, _, value = word.partition("=")
        out.append((key, value, start, end))
    return out


def parse_arg(text: str) -> list[tuple[str, str | None]]:
    """Parse ``ARG`` arguments: ``NAME`` or ``NAME=default`` (several allowed)."""
    out: list[tuple[str, str | None]] = []
    for word, _, _ in _split_words(text):
        name, sep, value = word.partition("=")
        out.append((name, value if sep else None))
    return out
