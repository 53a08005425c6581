"""Text edits on block-style YAML that keep comments, key order, quoting and indentation.

Every function returns an ``Edit`` on the original text computed from located nodes
(``parsers.yamldoc``); nothing is re-serialised. Nodes that cannot be edited without changing
other parts of the document (flow style, anchors shared through aliases, explicit tags, keys
that came from a merge key or another file) raise ``NotEditable`` with the reason, which the
caller turns into a DISPLAY_ONLY fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from seawall.model.fix import Edit
from seawall.model.source import Span
from seawall.parsers.yamldoc import YEntry, YMap, YNode, YScalar, YSeq

# A value to render: a YAML scalar already written as text, a list, a mapping, or None (empty).
Value: TypeAlias = "str | list[Value] | dict[str, Value] | None"


class NotEditable(Exception):
    """The node cannot be edited as text without side effects; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Style:
    """Indentation habits of one file: spaces per level, and whether ``-`` items are indented
    below their key (``seq_offset`` 2) or written at the key's column (0)."""

    step: int = 2
    seq_offset: int = 2


# ---------------------------------------------------------------- text positions


def line_start(text: str, offset: int) -> int:
    """Offset of the first character of the line holding ``offset``."""
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """Offset of the line break (``\n`` or ``\r\n``) ending the line holding ``offset``, or
    the end of the text."""
    end = text.find("\n", offset)
    if end < 0:
        return len(text)
    return end - 1 if end > offset and text[end - 1] == "\r" else end


def _after_break(text: str, offset: int) -> int:
    """``offset`` (a line end) moved past its line break."""
    return offset + (2 if text.startswith("\r\n", offset) else 1 if offset < len(text) else 0)


def content_end(text: str, node: YNode) -> int:
    """Where the node's own characters end (block nodes' end marks run into the next line)."""
    if isinstance(node, YMap) and not node.flow and node.entries:
        return content_end(text, _last_written(node.entries.values(), node).value)
    if isinstance(node, YSeq) and not node.flow and node.items:
        return content_end(text, node.items[-1])
    end = node.origin.span.end
    while end > node.origin.span.start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _last_written(entries: object, holder: YMap) -> YEntry:
    own = [
        e
        for e in entries  # type: ignore[attr-defined]
        if e.key_origin.path == holder.origin.path and _inside(e.key_origin.span, holder)
    ]
    if not own:
        raise NotEditable("the mapping has no key written in this file")
    return max(own, key=lambda e: e.key_origin.span.start)


def _inside(span: Span, node: YNode) -> bool:
    return node.origin.span.start <= span.start and span.end <= node.origin.span.end


# ---------------------------------------------------------------- editability


def check_block(text: str, node: YNode, what: str) -> None:
    """Raise NotEditable unless ``node`` is plain block YAML (no flow, anchor or tag)."""
    start = node.origin.span.start
    head = text[start : start + 1]
    if head == "&":
        raise NotEditable(f"{what} is a YAML anchor that aliases may share")
    if head == "!" or node.tag:
        raise NotEditable(f"{what} has an explicit YAML tag")
    if isinstance(node, (YMap, YSeq)) and node.flow:
        raise NotEditable(f"{what} is written in flow style ({{...}} / [...])")


def check_scalar(text: str, node: YNode, what: str) -> YScalar:
    """``node`` as an editable scalar: not anchored, tagged, interpolated or multi-line."""
    if not isinstance(node, YScalar):
        raise NotEditable(f"{what} is not a single value")
    raw = text[node.origin.span.start : node.origin.span.end]
    if raw[:1] in ("&", "*", "!") or node.tag:
        raise NotEditable(f"{what} is a YAML anchor, alias or tagged value")
    if raw[:1] in ("|", ">") or "\n" in raw:
        raise NotEditable(f"{what} spans several lines")
    if "$" in raw:
        raise NotEditable(f"{what} is set through variable interpolation")
    return node


# ---------------------------------------------------------------- scalars

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:@+=,\-]*")
_RESERVED = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null|~)|[-+]?[0-9.][0-9._:eExXoO+-]*")


def quote(value: str, style: str = "") -> str:
    """``value`` as a YAML scalar: in ``style`` (``"``, ``'``) or plain when that reads back the
    same string, double-quoted otherwise."""
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style == '"' or not _PLAIN_SAFE.fullmatch(value) or _RESERVED.fullmatch(value):
        return json.dumps(value, ensure_ascii=False)
    return value


def replace_scalar(text: str, node: YNode, value: str, path: str, what: str) -> Edit:
    """Replace a scalar's text by ``value`` (a string), keeping its quote style."""
    scalar = check_scalar(text, node, what)
    span = scalar.origin.span
    style = text[span.start] if text[span.start] in "'\"" else ""
    return Edit(span, quote(value, style), path)


def replace_scalar_text(text: str, node: YNode, yaml_text: str, path: str, what: str) -> Edit:
    """Replace a scalar by already-written YAML (``true``, ``512m``); a quoted original keeps
    its quotes."""
    scalar = check_scalar(text, node, what)
    style = text[scalar.origin.span.start]
    if style in "'\"" and yaml_text[:1] not in ("'", '"'):
        yaml_text = quote(yaml_text, style)
    return Edit(scalar.origin.span, yaml_text, path)


# ---------------------------------------------------------------- rendering


def render(value: Value, column: int, style: Style) -> str:
    """The text after ``key:`` for ``value`` written under a key at ``column``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " " + value
    if isinstance(value, list):
        pad = " " * (column + style.seq_offset)
        return "".join(f"\n{pad}-" + _item(v, column + style.seq_offset, style) for v in value)
    pad = " " * (column + style.step)
    return "".join(f"\n{pad}{k}:" + render(v, column + style.step, style) for k, v in value.items())


def _item(value: Value, dash_column: int, style: Style) -> str:
    if isinstance(value, dict):
        first, *rest = value.items()
        inner = dash_column + 2
        out = f" {first[0]}:" + render(first[1], inner, style)
        for k, v in rest:
            out += f"\n{' ' * inner}{k}:" + render(v, inner, style)
        return out
    if isinstance(value, list):
        raise ValueError("nested lists are not rendered")
    return "" if value is None else " " + value


def detect_style(text: str, root: YNode | None) -> Style:
    """The file's indentation step and list style, from its ``services`` block (default 2/2)."""
    step, seq_offset = 2, None
    if isinstance(root, YMap) and not root.flow:
        services = root.get("services")
        if isinstance(services, YMap) and not services.flow and services.entries:
            step = max(1, services.indent - root.indent) if services.indent > root.indent else 2
            for entry in services.entries.values():
                service = entry.value
                if not isinstance(service, YMap) or service.flow:
                    continue
                for attr in service.entries.values():
                    value = attr.value
                    if isinstance(value, YSeq) and not value.flow and value.items:
                        seq_offset = value.indent - service.indent
                        break
                if seq_offset is not None:
                    break
    if seq_offset is None or seq_offset < 0:
        seq_offset = step
    return Style(step, seq_offset)


# ---------------------------------------------------------------- mappings and sequences


def insert_entry(
    text: str, mapping: YMap, key: str, value: Value, path: str, style: Style, what: str
) -> Edit:
    """Add ``key: value`` after the last key of a block mapping, at its indentation."""
    check_block(text, mapping, what)
    last = _last_written(mapping.entries.values(), mapping)
    column = mapping.indent
    at = _past_nested_comments(text, line_end(text, content_end(text, last.value)), column)
    return Edit.insert(at, "\n" + " " * column + key + ":" + render(value, column, style), path)


def replace_value(
    text: str, mapping: YMap, key: str, value: Value, path: str, style: Style, what: str
) -> Edit:
    """Replace the whole value of ``key`` (which must be written in ``mapping``)."""
    entry = own_entry(mapping, key, what)
    start = entry.key_origin.span.end
    colon = text.find(":", start)
    if colon < 0:
        raise NotEditable(f"{what}: cannot find the ':' after {key!r}")
    end = content_end(text, entry.value)
    column = text_column(text, entry.key_origin.span.start)
    return Edit(Span(colon, end), ":" + render(value, column, style), path)


def _past_nested_comments(text: str, at: int, column: int) -> int:
    """``at`` moved past the comment lines indented deeper than ``column`` that follow it: they
    belong to the block that ends there."""
    while at < len(text):
        start = _after_break(text, at)
        end = line_end(text, start)
        line = text[start:end]
        stripped = line.lstrip(" ")
        if not stripped.startswith("#") or len(line) - len(stripped) <= column:
            break
        at = end
    return at


def append_item(
    text: str, seq: YSeq, items: Sequence[Value], path: str, style: Style, what: str
) -> Edit:
    """Add ``- item`` lines after the last item of a block sequence."""
    check_block(text, seq, what)
    own = [i for i in seq.items if i.origin.path == path and _inside(i.origin.span, seq)]
    if not own:
        raise NotEditable(f"{what} has no item written in this file")
    at = line_end(text, content_end(text, own[-1]))
    pad = "\n" + " " * seq.indent + "-"
    return Edit.insert(at, "".join(pad + _item(item, seq.indent, style) for item in items), path)


def delete_entry(text: str, mapping: YMap, key: str, path: str, what: str) -> Edit:
    """Delete ``key`` with its value, its trailing comment and the comment lines directly above
    it (same column, no blank line between)."""
    entry = own_entry(mapping, key, what)
    start = line_start(text, entry.key_origin.span.start)
    if text[start : entry.key_origin.span.start].strip():
        raise NotEditable(f"{what}: {key!r} does not start its own line")
    end = _after_break(text, line_end(text, content_end(text, entry.value)))
    # A comment directly above a key (same column, no blank line) describes that key.
    start = _comment_block_start(text, start, entry.key_origin.span.start - start)
    return Edit.delete(Span(start, end), path)


def own_entry(mapping: YMap, key: str, what: str) -> YEntry:
    """The entry of ``key`` when it is written inside ``mapping`` itself (not merged in)."""
    entry = mapping.entries.get(key)
    if entry is None:
        raise NotEditable(f"{what}: no {key!r}")
    if entry.key_origin.path != mapping.origin.path or not _inside(entry.key_origin.span, mapping):
        raise NotEditable(f"{what}: {key!r} comes from a YAML merge key, extends or another file")
    return entry


def text_column(text: str, offset: int) -> int:
    """0-based column of ``offset``."""
    return offset - line_start(text, offset)


def _comment_block_start(text: str, start: int, column: int) -> int:
    """Move ``start`` up over comment lines at ``column`` directly above it."""
    while start > 0:
        prev = line_start(text, start - 1)
        line = text[prev : start - 1].removesuffix("\r")
        stripped = line.lstrip(" ")
        if not stripped.startswith("#") or len(line) - len(stripped) != column:
            break
        start = prev
    return start
