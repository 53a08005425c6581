"""A POSIX-shell tokenizer for RUN instructions that yields simple commands with offsets.

It does not execute or fully parse shell: it splits a script into simple commands at ``&& || ; |
&`` and newlines, removes quoting from words, drops redirections and skips reserved words, so
rules can ask "is this ``apt-get install`` without ``--no-install-recommends``?" and fixes can
insert a flag at an exact offset. (``bashlex`` would do more, but it is GPL.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

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


class _SimpleCommandFields(NamedTuple):
    words: tuple[Word, ...]
    assignments: tuple[Word, ...]
    start: int
    end: int
    separator: str
    pipe_from: bool
    name: str


_new_tuple = tuple.__new__


def program_name(words: Sequence[Word]) -> str:
    """Base name of the program a command runs (``/usr/bin/apt-get`` → ``apt-get``); '' if none."""
    return words[0].text.rpartition("/")[2] if words else ""


class SimpleCommand(_SimpleCommandFields):
    """One simple command; ``separator`` is the operator that ended it ('' at the end).

    ``pipe_from``: whether stdin comes from a pipe. ``name``: the base name of the program
    (``/usr/bin/apt-get`` → ``apt-get``; '' if none), stored because rules read it tens of
    thousands of times per scan. Build commands with ``SimpleCommand(...)`` (not ``_replace``).
    """

    __slots__ = ()

    def __new__(
        cls,
        words: tuple[Word, ...],
        assignments: tuple[Word, ...],
        start: int,
        end: int,
        separator: str,
        pipe_from: bool = False,
    ) -> SimpleCommand:
        name = program_name(words)
        return _new_tuple(cls, (words, assignments, start, end, separator, pipe_from, name))

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)[:6]  # ``name`` is derived

    @property
    def args(self) -> tuple[Word, ...]:
        """Words after the program name."""
        return self.words[1:]

    def arg_texts(self) -> list[str]:
        """Texts of the arguments."""
        return [w.text for w in self.words[1:]]

    def has_flag(self, *flags: str) -> bool:
        """Whether a flag is given: ``--long``, ``--long=x``, ``-y``, or a short flag in a ``-qy`` bundle."""
        # Rules ask this thousands of times per scan: each word is looked at once, not per flag.
        shorts = "".join(f[1] for f in flags if len(f) == 2 and f[0] == "-" and f[1] != "-")
        for w in self.words[1:]:
            t = w.text
            if t == "--":
                break
            if t in flags:
                return True
            if t.startswith("--"):
                name, equals, _ = t.partition("=")
                if equals and name in flags:  # --long=value
                    return True
            elif (
                shorts
                and t.startswith("-")
                and t[1:].isalpha()
                and any(letter in t for letter in shorts)  # a short flag in a -qy bundle
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


_OPERATOR = re.compile(r"(&&|\|\||;;|[;|&\n])[ \t\r]*")
# Runs of characters with no special meaning, consumed in one step (most of a script).
_PLAIN = re.compile(r"[^\s;&|()<>'\"\\$`#]+")
_DQ_PLAIN = re.compile(r'[^"\\$]+')
# A double-quoted string with no escapes, no backquotes and only plain ``$NAME`` or ``${...}``
# (no quotes or braces inside) expansions: most quoted strings in RUN scripts. Its text is its
# body verbatim, so it is taken in one match.
_SIMPLE_DOUBLE_QUOTED = re.compile(
    r'"((?:[^"\\`$]|\$(?=[A-Za-z0-9_@*#?!$-])|\$\{[^"\'\\`{}$]*\})*)"'
)
_BLANKS = re.compile(r"[ \t\r]+")
# A whole unquoted word (no quotes, escapes, ``$(``/``${`` or backticks; not starting a comment)
# that ends at a blank, an operator or the end, with the blanks after it.
_FAST_WORD = re.compile(
    r"((?:[^\s;&|()<>'\"\\$`#]|\$(?![({]))(?:[^\s;&|()<>'\"\\$`]|\$(?![({]))*)"
    r"(?:[ \t\r]+|(?=[\n;&|()<>])|\Z)"
)


# What can change the state of a ``$(...)``/``${...}`` scan, outside quotes and inside them.
_GROUP_SPECIAL = {"(": re.compile(r"[\"'\\()]"), "{": re.compile(r"[\"'\\{}]")}
_IN_DOUBLE_QUOTES = re.compile(r'["\\]')


def _skip_dollar_group(s: str, i: int) -> int:
    """Skip ``$(...)``, ``$((...))`` or ``${...}`` starting at ``i`` (at '$')."""
    n = len(s)
    open_ch = s[i + 1]
    special = _GROUP_SPECIAL[open_ch]
    depth = 0
    j = i + 1
    while j < n:
        # Jump to the next character that matters instead of looking at each one.
        found = special.search(s, j)
        if found is None:
            return n
        j = found.start()
        ch = s[j]
        if ch == '"':
            while True:
                closing = _IN_DOUBLE_QUOTES.search(s, j + 1)
                if closing is None:
                    return n
                j = closing.start()
                if s[j] == '"':
                    break
                j += 1  # a backslash: skip the character it escapes
            j += 1
        elif ch == "'":
            closing_at = s.find("'", j + 1)
            if closing_at == -1:
                return n
            j = closing_at + 1
        elif ch == "\\":
            j += 2
        elif ch == open_ch:
            depth += 1
            j += 1
        else:
            depth -= 1
            if depth == 0:
                return j + 1
            j += 1
    return n


def tokenize(script: str) -> list[SimpleCommand]:
    """Split a shell script into simple commands (offsets relative to ``script``)."""
    s = script
    n = len(s)
    commands: list[SimpleCommand] = []
    words: list[Word] = []
    pipe_from = False
    i = 0
    fast_word = _FAST_WORD.match
    new_tuple = _new_tuple  # the named tuples' own __new__ is Python: slower

    def finish(sep: str, end: int) -> None:
        nonlocal words, pipe_from
        if words:
            count = len(words)
            first = 0
            while (
                first < count and words[first].text in RESERVED_PREFIXES and not words[first].quoted
            ):
                first += 1
            rest = first
            while rest < count and "=" in words[rest].text and _is_assignment(words[rest]):
                rest += 1
            last = count
            while (
                last > rest and words[last - 1].text in RESERVED_ENDS and not words[last - 1].quoted
            ):
                last -= 1
            if last > first:
                # SimpleCommand's fields in order, without its Python-level __new__.
                command_words = tuple(words[rest:last])
                fields = (
                    command_words,
                    tuple(words[first:rest]),
                    words[first].start,
                    end,
                    sep,
                    pipe_from,
                    program_name(command_words),
                )
                commands.append(new_tuple(SimpleCommand, fields))
            words = []
        pipe_from = sep == "|"

    while i < n:
        # Most words are plain (no quoting or expansion) and end at a blank or an operator:
        # one regex match takes the word and the blanks after it.
        plain = fast_word(s, i)
        if plain is not None:
            end = plain.end(1)
            text = plain.group(1)
            if end < n and s[end] in "<>" and text.isdigit():
                i = _skip_redirection(s, end, words)
                continue
            words.append(new_tuple(Word, (text, i, end, False)))
            i = plain.end()
            continue
        ch = s[i]
        if ch in " \t\r":
            m = _BLANKS.match(s, i)
            i = m.end() if m else i + 1
            continue
        if ch == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if ch == "#" and (i == 0 or s[i - 1] in " \t\n;&|()"):
            j = s.find("\n", i)
            i = n if j == -1 else j
            continue
        if ch in ";&|\n":
            op_match = _OPERATOR.match(s, i)
            if op_match is not None and not (ch == "&" and s.startswith("&>", i)):
                op = op_match.group(1)
                finish(op.strip() or "\n", words[-1].end if words else i)
                i = op_match.end()  # the blanks after the operator too
                continue
        if ch in "()":
            finish(";", words[-1].end if words else i)
            i += 1
            continue
        if ch in "<>" or (ch == "&" and s.startswith("&>", i)):
            i = _skip_redirection(s, i, words)
            continue
        i = _quoted_word(s, i, words)
    finish("", words[-1].end if words else n)
    return commands


def _quoted_word(s: str, i: int, words: list[Word]) -> int:
    """Read a word with quoting, escapes or expansions from ``i``; returns where it ends.

    Appends the unquoted word to ``words``, or skips a redirection when the word is a file
    descriptor number (``2>``).
    """
    n = len(s)
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
            simple = _SIMPLE_DOUBLE_QUOTED.match(s, i)
            if simple is not None:  # its text is its body, as _double_quoted would find
                buf.append(simple.group(1))
                i = simple.end()
                continue
            i = _double_quoted(s, i + 1, buf)
            continue
        if ch == "$" and i + 1 < n and s[i + 1] in "({":
            j = _skip_dollar_group(s, i)
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
    text = "".join(buf)
    if i < n and s[i] in "<>" and text and not quoted and text.isdigit():
        return _skip_redirection(s, i, words)
    words.append(_new_tuple(Word, (text, start, i, quoted)))
    return i


def _double_quoted(s: str, i: int, buf: list[str]) -> int:
    """Append the text of a double-quoted string whose body starts at ``i``; returns the end."""
    n = len(s)
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
            j = _skip_dollar_group(s, i)
            buf.append(s[i:j])
            i = j
            continue
        buf.append(s[i])
        i += 1
    return min(i + 1, n)


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
        name = program_name(words)
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
