"""YAML with positions: PyYAML's node graph turned into light, located value nodes.

Every node remembers the file and the character span where it was written (``Origin``), so a
value that travels through merges, ``extends`` or anchors still points at its own line. Scalars are
resolved with the YAML 1.2 core schema (what Docker Compose uses): ``80:80`` stays a string and
``yes`` is not a boolean. Merge keys (``<<``) are applied here; duplicate keys, recursive aliases,
alias bombs and oversized input are refused with a one-line error.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seawall.errors import ParseError, SourceError
from seawall.model.source import SourceFile, Span
from seawall.targets.read import read_bounded

MAX_BYTES = 10 * 1024 * 1024
# Alias expansion bound: a document may expand to this many nodes, or to ten times its own
# size when that is larger (anchors reused by thousands of services are legitimate).
MAX_EXPANDED_NODES = 1_000_000
MAX_EXPANSION_RATIO = 10

# libyaml's scanner is quadratic in flow nesting ("[[[[..."): refuse deep nesting before parsing.
MAX_FLOW_DEPTH = 256

_PLAIN_TAG = "tag:seawall:plain"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_KEY = "<<"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was written: a display path and a character span in that file."""

    path: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class YScalar:
    """A scalar: its resolved value (str, int, float, bool or None) and the text as written."""

    value: Any
    origin: Origin
    raw: str = ""
    tag: str = ""
    quoted: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class YEntry:
    """One ``key: value`` pair of a mapping, with where its key was written."""

    key: str
    key_origin: Origin
    value: YNode


@dataclass(frozen=True, slots=True, eq=False)
class YMap:
    """A mapping with ordered entries. ``indent`` is the 0-based column of its keys."""

    entries: dict[str, YEntry]
    origin: Origin
    indent: int = 0
    flow: bool = False
    tag: str = ""

    def get(self, key: str) -> YNode | None:
        """The value node of ``key``, or None."""
        entry = self.entries.get(key)
        return entry.value if entry is not None else None

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def keys(self) -> list[str]:
        """Keys in written order."""
        return list(self.entries)


@dataclass(frozen=True, slots=True, eq=False)
class YSeq:
    """A sequence. ``indent`` is the 0-based column of its items."""

    items: tuple[YNode, ...]
    origin: Origin
    indent: int = 0
    flow: bool = False
    tag: str = ""


YNode = YScalar | YMap | YSeq


def to_python(node: YNode | None) -> Any:
    """Plain Python data (dict/list/scalars) for a node tree, without positions."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSeq):
        return [to_python(item) for item in node.items]
    return {key: to_python(entry.value) for key, entry in node.entries.items()}


def read_source(path: Path, display: str | None = None) -> SourceFile:
    """Read a text file for parsing: refuses missing, unreadable, oversized or non-UTF-8 files."""
    shown = display or path.as_posix()
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        # A FIFO or device (an env file pointing at /dev/zero) would block or never end.
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(shown, "not a regular file")
        if info.st_size > MAX_BYTES:
            raise SourceError(shown, f"file too large ({info.st_size} bytes, limit {MAX_BYTES})")
        with path.open("rb") as stream:
            data = read_bounded(stream, info.st_size, MAX_BYTES)
        if len(data) > MAX_BYTES:
            raise SourceError(shown, f"file too large (more than {MAX_BYTES} bytes)")
    except FileNotFoundError:
        raise SourceError(shown, "no such file") from None
    except IsADirectoryError:
        raise SourceError(shown, "is a directory") from None
    except OSError as exc:
        raise SourceError(shown, f"cannot read: {exc.strerror or exc}") from None
    if b"\0" in data:
        raise SourceError(shown, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(shown, f"not UTF-8 text (byte {exc.start})") from None
    return SourceFile(shown, text)


# YAML 1.2 core schema, as Compose (go-yaml v3) resolves plain scalars.
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


def resolve_plain(text: str) -> Any:
    """Resolve a plain (unquoted) scalar with the YAML 1.2 core schema."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT10.fullmatch(text):
        return int(text, 10)
    if _INT8.fullmatch(text):
        return int(text[2:], 8)
    if _INT16.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def _explicit_scalar(tag: str, text: str) -> Any:
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(text)
        except ValueError:
            return text
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in {"true", "yes", "on"}
    if tag == "tag:yaml.org,2002:null":
        return None
    return text


def _loader_class() -> type:
    """A safe loader (C when available) whose resolver tags every plain scalar as 'plain'."""
    import yaml

    base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class _Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode and implicit[0]:
                return _PLAIN_TAG
            return str(super().resolve(kind, value, implicit))

    return _Loader


_LOADER: type | None = None


def _compose(source: SourceFile) -> Any:
    import yaml

    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    try:
        return yaml.compose(source.text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        if mark is not None:
            raise ParseError(source.path, message, mark.line + 1, mark.column + 1) from None
        raise ParseError(source.path, message) from None
    except yaml.YAMLError as exc:
        raise ParseError(source.path, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(source.path, "YAML nesting too deep") from None


class _Builder:
    """Turns a composed node graph into Y-nodes; aliases share the built node."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.built: dict[int, YNode] = {}
        self.building: set[int] = set()

    def origin(self, node: Any) -> Origin:
        return Origin(self.source.path, Span(node.start_mark.index, node.end_mark.index))

    def fail(self, node: Any, message: str) -> ParseError:
        mark = node.start_mark
        return ParseError(self.source.path, message, mark.line + 1, mark.column + 1)

    def build(self, node: Any) -> YNode:
        key = id(node)
        done = self.built.get(key)
        if done is not None:
            return done
        if key in self.building:
            raise self.fail(node, "recursive alias (an anchor refers to itself)")
        self.building.add(key)
        try:
            result = self._build(node)
        finally:
            self.building.discard(key)
        self.built[key] = result
        return result

    def _build(self, node: Any) -> YNode:
        import yaml

        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            items = tuple(self.build(child) for child in node.value)
            return YSeq(
                items,
                self.origin(node),
                node.start_mark.column,
                bool(node.flow_style),
                "" if node.tag == _SEQ_TAG else node.tag,
            )
        return self._mapping(node)

    def _scalar(self, node: Any) -> YScalar:
        text = node.value
        if node.tag == _PLAIN_TAG:
            value: Any = resolve_plain(text)
            tag = ""
        elif node.tag == _STR_TAG:
            value, tag = text, ""
        else:
            value, tag = _explicit_scalar(node.tag, text), node.tag
        return YScalar(value, self.origin(node), text, tag, node.style not in (None, ""))

    def _key(self, node: Any) -> str:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "mapping keys must be scalars")
        if node.tag == _PLAIN_TAG and node.value == _MERGE_KEY:
            return _MERGE_KEY
        return str(node.value)

    def _mapping(self, node: Any) -> YMap:
        import yaml

        entries: dict[str, YEntry] = {}
        merged: dict[str, YEntry] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key == _MERGE_KEY and key_node.tag == _PLAIN_TAG:
                for source_map in self._merge_sources(value_node):
                    for name, entry in source_map.entries.items():
                        merged.setdefault(name, entry)
                continue
            if key in entries:
                first = self.source.position(entries[key].key_origin.span.start).line
                raise self.fail(key_node, f"duplicate key {key!r} (first defined on line {first})")
            entries[key] = YEntry(key, self.origin(key_node), self.build(value_node))
        if merged:
            # Explicit keys win over merged ones; merged keys keep their own origin.
            combined = {k: e for k, e in merged.items() if k not in entries}
            combined.update(entries)
            entries = combined
        return YMap(
            entries,
            self.origin(node),
            node.value[0][0].start_mark.column if node.value else node.start_mark.column,
            bool(node.flow_style),
            ""
            if node.tag in (_MAP_TAG, yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG)
            else node.tag,
        )

    def _merge_sources(self, value_node: Any) -> list[YMap]:
        import yaml

        nodes = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        maps: list[YMap] = []
        for item in nodes:
            built = self.build(item)
            if not isinstance(built, YMap):
                raise self.fail(item, "merge key '<<' needs a mapping or a list of mappings")
            maps.append(built)
        return maps


def _expanded_size(root: Any, source: SourceFile) -> tuple[dict[int, int], list[Any]]:
    """The size of every node after alias expansion (by ``id``) and the distinct nodes in
    post-order (children first), computed without expanding."""
    import yaml

    sizes: dict[int, int] = {}
    order: list[Any] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1
            if isinstance(node, yaml.SequenceNode):
                total += sum(sizes[id(c)] for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                total += sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            sizes[key] = min(total, 1 << 62)
            order.append(node)
            continue
        if key in sizes:
            continue
        if key in on_path:
            mark = node.start_mark
            raise ParseError(
                source.path,
                "recursive alias (an anchor refers to itself)",
                mark.line + 1,
                mark.column + 1,
            )
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((c, False) for c in node.value if id(c) not in sizes)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if id(k) not in sizes:
                    stack.append((k, False))
                if id(v) not in sizes:
                    stack.append((v, False))
    return sizes, order


_FLOW_TOKENS = re.compile(r"[\[\]{}'\"#\n]")


def _check_flow_depth(source: SourceFile) -> None:
    """Refuse ``[``/``{`` nesting deeper than MAX_FLOW_DEPTH (quotes and comments skipped)."""
    text = source.text
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return
    depth = 0
    quote = ""
    for m in _FLOW_TOKENS.finditer(text):
        ch = m.group()
        offset = m.start()
        if quote:
            if ch == quote or (ch == "\n" and quote == "#"):
                quote = ""
        elif ch in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                pos = source.position(offset)
                raise ParseError(
                    source.path,
                    f"YAML nesting deeper than {MAX_FLOW_DEPTH} levels",
                    pos.line,
                    pos.column,
                )
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch != "\n":
            previous = text[offset - 1] if offset else "\n"
            if ch == "#" and previous in " \t\n":
                quote = "#"
            elif ch in "'\"" and previous in " \t\n[{,:-":
                quote = ch


def parse_yaml(source: SourceFile) -> YNode | None:
    """Parse one YAML document into located nodes; None for an empty document.

    Raises ParseError (with line and column) for invalid YAML, duplicate keys, recursive aliases
    and alias expansion past the bound, and SourceError for input over 10 MB.
    """
    if len(source.text) > MAX_BYTES:
        raise SourceError(source.path, f"file too large (limit {MAX_BYTES} bytes)")
    _check_flow_depth(source)
    root = _compose(source)
    if root is None:
        return None
    # Without a '*' there is no alias, hence nothing to expand.
    if "*" in source.text:
        sizes, order = _expanded_size(root, source)
        limit = max(MAX_EXPANDED_NODES, MAX_EXPANSION_RATIO * len(order))
        if sizes[id(root)] > limit:
            # Point at the innermost node whose expansion crosses the bound.
            mark = next(n for n in order if sizes[id(n)] > limit).start_mark
            raise ParseError(
                source.path,
                f"YAML aliases expand to more than {limit} nodes (alias bomb?)",
                mark.line + 1,
                mark.column + 1,
            )
    try:
        return _Builder(source).build(root)
    except RecursionError:
        raise ParseError(source.path, "YAML nesting too deep") from None


def describe(node: YNode | None) -> str:
    """A short name of a node's kind for error messages."""
    if node is None:
        return "nothing"
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
