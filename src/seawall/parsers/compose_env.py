"""Compose variables: ``.env`` / ``env_file`` parsing and ``${VAR}`` interpolation.

Interpolation follows the Compose Specification: ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``, ``${VAR:+alt}``, ``${VAR+alt}`` and ``$$``
for a literal dollar; defaults may themselves contain variables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from seawall.errors import ParseError
from seawall.model.source import SourceFile, Span
from seawall.parsers.yamldoc import Origin, YEntry, YMap, YNode, YScalar, YSeq

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINE_KEY = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(=|$)")


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One variable of a dotenv file: name, value and where the value was written."""

    name: str
    value: str | None
    origin: Origin
    line_span: Span


class InterpolationError(Exception):
    """A required variable is unset, or the ``${`` syntax is invalid."""


def _unescape_double(text: str) -> str:
    table = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "\\$"}
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in table:
            out.append(table[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_dotenv(
    source: SourceFile, lookup: Callable[[str], str | None] | None = None
) -> list[EnvEntry]:
    """Parse a dotenv file (``KEY=VALUE``, ``export``, quotes, comments).

    Unquoted and double-quoted values are interpolated with earlier entries, then ``lookup``.
    A bare ``KEY`` (no ``=``) has value None: the caller takes it from the environment.
    """
    entries: list[EnvEntry] = []
    known: dict[str, str] = {}

    def resolve(name: str) -> str | None:
        if name in known:
            return known[name]
        return lookup(name) if lookup else None

    text = source.text
    pos = 0
    line_no = 0
    length = len(text)
    while pos < length:
        line_no += 1
        end = text.find("\n", pos)
        if end == -1:
            end = length
        line = text[pos:end].rstrip("\r")
        start = pos
        pos = end + 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _LINE_KEY.match(line)
        if m is None:
            raise ParseError(source.path, f"invalid line {stripped[:40]!r}", line_no, 1)
        name = m.group(1)
        if not m.group(2):
            entries.append(
                EnvEntry(
                    name,
                    None,
                    Origin(source.path, Span(start, start + len(line))),
                    Span(start, start + len(line)),
                )
            )
            continue
        raw_start = m.end()
        rest = line[raw_start:]
        lead = len(rest) - len(rest.lstrip())
        rest = rest.lstrip()
        value_start = start + raw_start + lead
        value: str
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            close = rest.find(quote, 1)
            while quote == '"' and close > 0 and rest[close - 1] == "\\":
                close = rest.find(quote, close + 1)
            if close == -1:
                # A quoted value may span lines.
                whole = text[value_start + 1 :]
                close_abs = whole.find(quote)
                if close_abs == -1:
                    raise ParseError(source.path, "unterminated quoted value", line_no, 1)
                body = whole[:close_abs]
                value_span = Span(value_start + 1, value_start + 1 + close_abs)
                nl_end = text.find("\n", value_start + 1 + close_abs)
                consumed_to = length if nl_end == -1 else nl_end + 1
                line_no += text.count("\n", pos, consumed_to)
                pos = consumed_to
            else:
                body = rest[1:close]
                value_span = Span(value_start + 1, value_start + 1 + len(body))
            value = body if quote == "'" else _interpolate_text(_unescape_double(body), resolve)
        else:
            hash_at = re.search(r"\s#", rest)
            body = rest[: hash_at.start()] if hash_at else rest
            body = body.rstrip()
            value_span = Span(value_start, value_start + len(body))
            value = _interpolate_text(body, resolve)
        known[name] = value
        entries.append(
            EnvEntry(name, value, Origin(source.path, value_span), Span(start, start + len(line)))
        )
    return entries


def _interpolate_text(text: str, lookup: Callable[[str], str | None]) -> str:
    try:
        return interpolate(text, lookup)
    except InterpolationError:
        return text


def interpolate(text: str, lookup: Callable[[str], str | None]) -> str:
    """Expand Compose variables in ``text``; raises InterpolationError for ``${X:?msg}``."""
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch != "$":
            j = text.find("$", i)
            if j == -1:
                out.append(text[i:])
                break
            out.append(text[i:j])
            i = j
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            close = _matching_brace(text, i + 1)
            if close == -1:
                raise InterpolationError(f"invalid interpolation format {text[i:]!r}")
            out.append(_expand_braced(text[i + 2 : close], lookup))
            i = close + 1
        else:
            m = _NAME.match(text, i + 1)
            if m is None:
                out.append("$")
                i += 1
            else:
                out.append(lookup(m.group(0)) or "")
                i = m.end()
    return "".join(out)


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _expand_braced(body: str, lookup: Callable[[str], str | None]) -> str:
    m = _NAME.match(body)
    if m is None:
        raise InterpolationError(f"invalid interpolation format '${{{body}}}'")
    name = m.group(0)
    rest = body[m.end() :]
    value = lookup(name)
    if not rest:
        return value or ""
    for op in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(op):
            arg = rest[len(op) :]
            colon = op.startswith(":")
            missing = value is None or (colon and value == "")
            kind = op[-1]
            if kind == "-":
                return interpolate(arg, lookup) if missing else (value or "")
            if kind == "+":
                return "" if missing else interpolate(arg, lookup)
            if missing:
                message = interpolate(arg, lookup) if arg else "is not set"
                raise InterpolationError(f"required variable {name} is missing a value: {message}")
            return value or ""
    raise InterpolationError(f"invalid interpolation format '${{{body}}}'")


def interpolate_tree(node: YNode, lookup: Callable[[str], str | None], source: SourceFile) -> YNode:
    """A copy of ``node`` with every string scalar interpolated; origins are kept.

    Mapping keys and values under ``x-`` extension keys are not interpolated only when they hold
    no ``$``; interpolation errors become ParseError at the scalar's line.
    """
    if isinstance(node, YScalar):
        if not isinstance(node.value, str) or "$" not in node.value:
            return node
        try:
            value = interpolate(node.value, lookup)
        except InterpolationError as exc:
            pos = source.position(node.origin.span.start)
            raise ParseError(node.origin.path, str(exc), pos.line, pos.column) from None
        return YScalar(value, node.origin, node.raw, node.tag, node.quoted)
    if isinstance(node, YSeq):
        items = tuple(interpolate_tree(item, lookup, source) for item in node.items)
        if all(a is b for a, b in zip(items, node.items, strict=True)):
            return node
        return YSeq(items, node.origin, node.indent, node.flow, node.tag)
    changed = False
    entries: dict[str, YEntry] = {}
    for key, entry in node.entries.items():
        new_value = interpolate_tree(entry.value, lookup, source)
        if new_value is not entry.value:
            changed = True
            entries[key] = YEntry(entry.key, entry.key_origin, new_value)
        else:
            entries[key] = entry
    if not changed:
        return node
    return YMap(entries, node.origin, node.indent, node.flow, node.tag)


def chain_lookup(*layers: Mapping[str, str]) -> Callable[[str], str | None]:
    """A lookup that tries each mapping in order."""

    def lookup(name: str) -> str | None:
        for layer in layers:
            if name in layer:
                return layer[name]
        return None

    return lookup
