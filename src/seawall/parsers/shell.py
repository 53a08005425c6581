"""A POSIX-shell tokenizer for RUN instructions that yields simple commands with offsets.

It does not execute or fully parse shell: it splits a script into simple commands at ``&& || ; |
&`` and newlines, removes quoting from words, drops redirections and skips reserved words, so
rules can ask "is this ``apt-get install`` without ``--no-install-recommends``?" and fixes can
insert a flag at an exact offset. (``bashlex`` would do more, but it is GPL.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

RESERVED_PREFIXES = frozenset(
    {"if", "then", "else", "elif", "while", "until", "do", "!", "{", "(", "time", "exec"}
)
RESERVED_ENDS = frozenset({"fi", "done", "esac", "}", ")"})


class Word(NamedTuple):
    """A shell word: its unquoted text and its ``[start, end)`` offsets in the script.

    A named tuple rather than a frozen dataclass: scripts have hundreds of thousands of words
    and tuples are built several times faster.
    """

    text: str
    start: int
    end: int
    quoted: bool = False


@dataclass(frozen=True)
class SimpleCommand:
    """One simple command; ``separator`` is the operator that ended it ('' at the end)."""

    words: tuple[Word, ...]
    assignments: tuple[Word, ...]
    start: int
    end: int
    separator: str
    pipe_from: bool = False  # whether stdin comes from a pipe

    @cached_property
    def name(self) -> str:
        """Base name of the program (``/usr/bin/apt-get`` → ``apt-get``); '' if none."""
        # Rules ask for the name of every command many times: compute it once.
        return self.words[0].text.rpartition("/")[2] if self.words else ""

    @property
    def args(self) -> tuple[Word, ...]:
        """Words after the program name."""
        return self.words[1:]

    def arg_texts(self) -> list[str]:
        """Texts of the arguments."""
        return [w.text for w in self.words[1:]]

    def has_flag(self, *flags: str) -> bool:
        """Whether a flag is given: ``--long``, ``--long=x``, ``-y``, or a short flag in a ``-qy`` bundle."""
        for w in self.words[1:]:
            t = w.text
            if t == "--":
                break
            for flag in flags:
                if t == flag:
                    return True
                if flag.startswith("--") and t.startswith(flag + "="):
                    return True
                if (
                    len(flag) == 2
                    and flag[0] == "-"
                    and t.startswith("-")
                    and not t.startswith("--")
                    and flag[1] in t[1:]
                    and t[1:].isalpha()
                ):
                    return True
        return False

    def subcommand(self, skip_options: bool = True) -> Word | None:
        """The first non-option argument (``install`` in ``apt-get -y install x``)."""
        for w in self.words[1:]:
            if skip_options and w.text.startswith("-"):
                continue
            return w
        return None

    def positional(self) -> list[Word]:
        """Arguments that are not options."""
        return [w for w in self.words[1:] if not w.text.startswith("-")]


_OPERATOR = re.compile(r"&&|\|\||;;|[;|&\n]")
# Runs of characters with no special meaning, consumed in one step (most of a script).
_PLAIN = re.compile(r"[^\s;&|()<>'\"\\$`#]+")
_DQ_PLAIN = re.compile(r'[^"\\$]+')
_BLANKS = re.compile(r"[ \t\r]+")


class _Scanner:
    def __init__(self, script: str) -> None:
        self.s = script
        self.n = len(script)

    def skip_dollar_group(self, i: int) -> int:
        """Skip ``$(...)``, ``$((...))`` or ``${...}`` starting at ``i`` (at '$')."""
        s = self.s
        open_ch = s[i + 1]
        close_ch = ")" if open_ch == "(" else "}"
        depth = 0
        j = i + 1
        quote = ""
        while j < self.n:
            ch = s[j]
            if quote:
                if ch == "\\" and quote == '"':
                    j += 2
                    continue
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == "\\":
                j = min(j + 2, self.n)
                continue
            elif ch == open_ch:
                depth += 1
            elif ch == close_ch:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return self.n


def tokenize(script: str) -> list[SimpleCommand]:
    """Split a shell script into simple commands (offsets relative to ``script``)."""
    sc = _Scanner(script)
    s = script
    n = len(s)
    commands: list[SimpleCommand] = []
    words: list[Word] = []
    cmd_start = -1
    pipe_from = False
    i = 0

    def finish(sep: str, end: int) -> None:
        nonlocal words, cmd_start, pipe_from
        assignments: list[Word] = []
        rest = list(words)
        while rest and rest[0].text in RESERVED_PREFIXES and not rest[0].quoted:
            rest.pop(0)
        while rest and _is_assignment(rest[0]):
            assignments.append(rest.pop(0))
        while rest and rest[-1].text in RESERVED_ENDS and not rest[-1].quoted:
            rest.pop()
        if rest or assignments:
            start = (assignments or rest)[0].start
            commands.append(
                SimpleCommand(tuple(rest), tuple(assignments), start, end, sep, pipe_from)
            )
        pipe_from = sep == "|"
        words = []
        cmd_start = -1

    while i < n:
        ch = s[i]
        if ch in " \t\r":
            m = _BLANKS.match(s, i)
            i = m.end() if m else i + 1
            continue
        if ch == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if ch == "#" and (i == 0 or s[i - 1] in " \t\n;&|()"):
            while i < n and s[i] != "\n":
                i += 1
            continue
        if ch in ";&|\n":
            op_match = _OPERATOR.match(s, i)
            if op_match is not None and not (ch == "&" and s.startswith("&>", i)):
                op = op_match.group()
                end = words[-1].end if words else i
                finish(op.strip() or "\n", end)
                i += len(op)
                continue
        if ch in "()":
            end = words[-1].end if words else i
            finish(";", end)
            i += 1
            continue
        if ch in "<>" or (ch == "&" and s.startswith("&>", i)):
            i = _skip_redirection(s, i, words)
            continue
        # A word.
        start = i
        buf: list[str] = []
        quoted = False
        while i < n:
            plain = _PLAIN.match(s, i)
            if plain is not None:
                buf.append(plain.group())
                i = plain.end()
                continue
            ch = s[i]
            if ch in " \t\r\n;&|()<>":
                if ch in "<>" and buf and all(c.isdigit() for c in buf) and not quoted:
                    break
                if ch in "<>" or ch in " \t\r\n;&|()":
                    break
            if ch == "\\":
                if i + 1 < n and s[i + 1] == "\n":
                    i += 2
                    continue
                if i + 1 < n:
                    buf.append(s[i + 1])
                i = min(i + 2, n)
                continue
            if ch == "'":
                quoted = True
                j = s.find("'", i + 1)
                j = n if j == -1 else j
                buf.append(s[i + 1 : j])
                i = min(j + 1, n)
                continue
            if ch == '"':
                quoted = True
                i += 1
                while i < n and s[i] != '"':
                    chunk = _DQ_PLAIN.match(s, i)
                    if chunk is not None:
                        buf.append(chunk.group())
                        i = chunk.end()
                        continue
                    if s[i] == "\\" and i + 1 < n and s[i + 1] in '"\\$`\n':
                        if s[i + 1] != "\n":
                            buf.append(s[i + 1])
                        i = min(i + 2, n)
                        continue
                    if s[i] == "$" and i + 1 < n and s[i + 1] in "({":
                        j = sc.skip_dollar_group(i)
                        buf.append(s[i:j])
                        i = j
                        continue
                    buf.append(s[i])
                    i += 1
                i = min(i + 1, n)
                continue
            if ch == "$" and i + 1 < n and s[i + 1] in "({":
                j = sc.skip_dollar_group(i)
                buf.append(s[i:j])
                i = j
                continue
            if ch == "`":
                j = s.find("`", i + 1)
                j = n if j == -1 else j + 1
                buf.append(s[i:j])
                i = j
                continue
            buf.append(ch)
            i += 1
        if i < n and s[i] in "<>" and buf and all(c.isdigit() for c in buf) and not quoted:
            i = _skip_redirection(s, i, words)
            continue
        if cmd_start < 0:
            cmd_start = start
        words.append(Word("".join(buf), start, i, quoted))
    finish("", words[-1].end if words else n)
    return commands


def _skip_redirection(s: str, i: int, words: list[Word]) -> int:
    """Skip a redirection operator and its target word."""
    n = len(s)
    if s.startswith("&>>", i):
        i += 3
    elif s.startswith("&>", i):
        i += 2
    else:
        while i < n and s[i] in "<>&|-":
            if s[i] == "-" and s[i - 1] not in "<>&":
                break
            i += 1
    while i < n and s[i] in " \t":
        i += 1
    quote = ""
    while i < n and (quote or s[i] not in " \t\r\n;&|()<>"):
        if quote:
            if s[i] == quote:
                quote = ""
        elif s[i] in "\"'":
            quote = s[i]
        i += 1
    return i


def _is_assignment(word: Word) -> bool:
    name, sep, _ = word.text.partition("=")
    return bool(sep) and name.isidentifier() and not word.text.startswith("=")


def commands_named(commands: Iterable[SimpleCommand], *names: str) -> list[SimpleCommand]:
    """Commands whose program is one of ``names`` (looking through ``sudo``/``env`` wrappers)."""
    out: list[SimpleCommand] = []
    for cmd in commands:
        program = unwrap(cmd)
        if program.name in names:
            out.append(program)
    return out


_WRAPPERS = frozenset(
    {"sudo", "env", "nice", "nohup", "command", "xargs", "gosu", "su-exec", "doas"}
)


def unwrap(cmd: SimpleCommand) -> SimpleCommand:
    """The command run through ``sudo``/``env``/``nice``… wrappers (options of the wrapper skipped)."""
    words = list(cmd.words)
    assignments = list(cmd.assignments)
    changed = True
    while changed and words:
        changed = False
        name = words[0].text.rpartition("/")[2]
        if name in _WRAPPERS and len(words) > 1:
            words.pop(0)
            while words and (words[0].text.startswith("-") or _is_assignment(words[0])):
                w = words.pop(0)
                if name == "sudo" and w.text in ("-u", "-g") and words:
                    words.pop(0)
            if name in ("gosu", "su-exec") and words:
                words.pop(0)  # the user argument
            changed = True
    if len(words) == len(cmd.words):
        return cmd
    return SimpleCommand(
        tuple(words), tuple(assignments), cmd.start, cmd.end, cmd.separator, cmd.pipe_from
    )
