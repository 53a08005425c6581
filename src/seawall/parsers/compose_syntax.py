"""Short and long syntax of Compose service attributes, normalised to located values.

Ports (``[IP:][HOST:]CONTAINER[/PROTO]`` or a mapping), volumes (``SRC:DST[:MODE]`` or a mapping),
secrets/configs references, service networks, environment and other "list or mapping" keys.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from seawall.errors import ParseError
from seawall.model.source import SourceFile, Span
from seawall.parsers.yamldoc import Origin, YEntry, YMap, YNode, YScalar, YSeq, describe

PROPAGATIONS = frozenset({"shared", "rshared", "slave", "rslave", "private", "rprivate"})
_VOLUME_MODES = frozenset(
    {"ro", "rw", "z", "Z", "nocopy", "cached", "delegated", "consistent", *PROPAGATIONS}
)


class SyntaxProblem(Exception):
    """A value with the wrong shape; carries the node where it was written."""

    def __init__(self, node: YNode | Origin, message: str) -> None:
        super().__init__(message)
        self.origin = node if isinstance(node, Origin) else node.origin
        self.message = message


def problem_to_error(exc: SyntaxProblem, sources: dict[str, SourceFile]) -> ParseError:
    """A ParseError with line and column for a SyntaxProblem."""
    source = sources.get(exc.origin.path)
    if source is None:
        return ParseError(exc.origin.path, exc.message)
    pos = source.position(exc.origin.span.start)
    return ParseError(exc.origin.path, exc.message, pos.line, pos.column)


@dataclass(frozen=True, slots=True)
class PortSpec:
    """A published (or only exposed) port. ``published`` None: not published to the host."""

    target: str
    published: str | None
    host_ip: str | None
    protocol: str
    origin: Origin

    @property
    def unique_key(self) -> tuple[str | None, str, str | None, str]:
        """The spec's uniqueness key for merging."""
        return (self.host_ip, self.target, self.published, self.protocol)


@dataclass(frozen=True, slots=True)
class VolumeSpec:
    """A service mount: bind, named volume, tmpfs, npipe..."""

    type: str
    source: str | None
    target: str
    read_only: bool
    propagation: str | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class FileRef:
    """A ``secrets:`` or ``configs:`` reference of a service."""

    source: str
    target: str
    origin: Origin


def scalar_text(node: YNode | None) -> str | None:
    """The text of a scalar node (numbers and booleans rendered as YAML writes them)."""
    if not isinstance(node, YScalar) or node.value is None:
        return None
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and not node.raw.lower().startswith("."):
        return node.raw if node.raw else str(value)
    return str(value)


def as_bool(node: YNode | None) -> bool | None:
    """A boolean from a scalar (also the strings interpolation leaves behind)."""
    if not isinstance(node, YScalar) or node.value is None:
        return None
    if isinstance(node.value, bool):
        return node.value
    text = str(node.value).strip().lower()
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off", ""}:
        return False
    raise SyntaxProblem(node, f"expected a boolean, got {str(node.value)[:40]!r}")


def _split_ports_short(text: str) -> tuple[str | None, str | None, str]:
    """(host_ip, published, target) of a short port string without the protocol."""
    if text.startswith("["):
        close = text.find("]")
        if close == -1:
            raise ValueError("unbalanced '[' in port")
        ip = text[1:close]
        rest = text[close + 1 :].lstrip(":")
        parts = rest.split(":")
        if len(parts) == 1:
            return ip, None, parts[0]
        return ip, parts[0] or None, parts[1]
    parts = text.split(":")
    if len(parts) == 1:
        return None, None, parts[0]
    if len(parts) == 2:
        return None, parts[0] or None, parts[1]
    if len(parts) == 3:
        return parts[0] or None, parts[1] or None, parts[2]
    # Unbracketed IPv6 address: everything before the last two fields.
    return ":".join(parts[:-2]), parts[-2] or None, parts[-1]


def _check_port(node: YNode, value: str, what: str) -> None:
    for piece in value.split("-"):
        if not piece.isdigit() or not 0 <= int(piece) <= 65535:
            raise SyntaxProblem(node, f"invalid {what} port {value!r}")


def _host_ip(node: YNode, text: str | None) -> str | None:
    """The host address as Docker reads it: brackets removed, an IP address required, and any
    spelling of the unspecified address (``0:0::0``, ``[::]``) written ``::`` / ``0.0.0.0``."""
    import ipaddress

    bare = (text or "").strip().removeprefix("[").removesuffix("]")
    if not bare:
        return None
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        raise SyntaxProblem(node, f"invalid host IP address {bare!r} in port") from None
    return str(address)


def parse_port(node: YNode) -> PortSpec:
    """One entry of ``ports:`` in short or long syntax."""
    if isinstance(node, YScalar):
        text = scalar_text(node)
        if text is None:
            raise SyntaxProblem(node, "empty port entry")
        protocol = "tcp"
        if "/" in text:
            text, protocol = text.rsplit("/", 1)
        try:
            ip, published, target = _split_ports_short(text)
        except ValueError as exc:
            raise SyntaxProblem(node, str(exc)) from None
        _check_port(node, target, "container")
        if published is not None:
            _check_port(node, published, "host")
        return PortSpec(target, published, _host_ip(node, ip), protocol.lower(), node.origin)
    if isinstance(node, YMap):
        long_target = scalar_text(node.get("target"))
        if long_target is None:
            raise SyntaxProblem(node, "port mapping needs 'target'")
        long_published = scalar_text(node.get("published"))
        host_ip = _host_ip(node.get("host_ip") or node, scalar_text(node.get("host_ip")))
        long_protocol = scalar_text(node.get("protocol")) or "tcp"
        _check_port(node.get("target") or node, long_target, "container")
        if long_published:
            _check_port(node.get("published") or node, long_published, "host")
        return PortSpec(
            long_target, long_published or None, host_ip, long_protocol.lower(), node.origin
        )
    raise SyntaxProblem(node, f"a port must be a string, number or mapping, not {describe(node)}")


def _is_host_path(source: str) -> bool:
    return (
        source.startswith(("/", ".", "~", "\\"))
        or (len(source) > 1 and source[1] == ":" and source[0].isalpha())
        or "/" in source
    )


def parse_volume(node: YNode) -> VolumeSpec:
    """One entry of a service's ``volumes:`` in short or long syntax."""
    if isinstance(node, YScalar):
        text = scalar_text(node)
        if not text:
            raise SyntaxProblem(node, "empty volume entry")
        parts = _split_volume(text)
        if len(parts) == 1:
            return VolumeSpec("volume", None, _container_path(parts[0]), False, None, node.origin)
        source, target = parts[0], _container_path(parts[1])
        modes = set(parts[2].split(",")) if len(parts) > 2 else set()
        unknown = modes - _VOLUME_MODES
        if unknown:
            raise SyntaxProblem(node, f"unknown volume mode {sorted(unknown)[0]!r}")
        propagation = (
            next((m for m in parts[2].split(",") if m in PROPAGATIONS), None) if modes else None
        )
        kind = "bind" if _is_host_path(source) else "volume"
        return VolumeSpec(kind, source, target, "ro" in modes, propagation, node.origin)
    if isinstance(node, YMap):
        long_kind = scalar_text(node.get("type")) or "volume"
        long_target = scalar_text(node.get("target"))
        if long_target is None:
            raise SyntaxProblem(node, "volume mapping needs 'target'")
        long_source = scalar_text(node.get("source"))
        read_only = as_bool(node.get("read_only")) or False
        long_propagation = None
        bind = node.get("bind")
        if isinstance(bind, YMap):
            long_propagation = scalar_text(bind.get("propagation"))
        return VolumeSpec(
            long_kind,
            long_source,
            _container_path(long_target),
            read_only,
            long_propagation,
            node.origin,
        )
    raise SyntaxProblem(node, f"a volume must be a string or mapping, not {describe(node)}")


def _container_path(path: str) -> str:
    """A container path as Docker stores it (``/var/www/`` is ``/var/www``)."""
    return posixpath.normpath(path) if path.startswith("/") and path != "/" else path


def _split_volume(text: str) -> list[str]:
    # A Windows drive letter ("C:\\data:/data") must not split.
    parts: list[str] = []
    current = ""
    for index, ch in enumerate(text):
        if ch == ":" and not (
            len(current) == 1
            and current.isalpha()
            and index + 1 < len(text)
            and text[index + 1] in "\\/"
        ):
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def parse_file_ref(node: YNode, kind: str) -> FileRef:
    """One ``secrets:`` / ``configs:`` reference of a service."""
    default_dir = "/run/secrets/" if kind == "secrets" else "/"
    if isinstance(node, YScalar):
        name = scalar_text(node)
        if not name:
            raise SyntaxProblem(node, f"empty {kind} entry")
        return FileRef(name, default_dir + name, node.origin)
    if isinstance(node, YMap):
        name = scalar_text(node.get("source"))
        if not name:
            raise SyntaxProblem(node, f"{kind} entry needs 'source'")
        target = scalar_text(node.get("target")) or name
        if not target.startswith("/"):
            target = default_dir + target
        return FileRef(name, target, node.origin)
    raise SyntaxProblem(node, f"a {kind} entry must be a string or mapping, not {describe(node)}")


def list_or_map(node: YNode, what: str, separator: str = "=") -> YMap:
    """``[K=V, ...]`` or a mapping, as a mapping; list items keep their positions.

    A list item without the separator maps to a null value (``environment: [KEY]``).
    """
    if isinstance(node, YMap):
        return node
    if isinstance(node, YScalar) and node.value is None:
        return YMap({}, node.origin)
    if not isinstance(node, YSeq):
        raise SyntaxProblem(node, f"'{what}' must be a list or a mapping, not {describe(node)}")
    entries: dict[str, YEntry] = {}
    for item in node.items:
        if not isinstance(item, YScalar):
            raise SyntaxProblem(item, f"'{what}' list items must be strings, not {describe(item)}")
        text = scalar_text(item) or ""
        key, sep, value = text.partition(separator)
        key = key.strip() if separator != "=" else key
        span = item.origin.span
        shift = 1 if item.quoted else 0
        key_span = Span(span.start + shift, min(span.end, span.start + shift + len(key)))
        if sep:
            vstart = min(span.end, key_span.end + len(sep))
            vend = max(vstart, span.end - shift)
            value_node: YNode = YScalar(value, Origin(item.origin.path, Span(vstart, vend)), value)
        else:
            value_node = YScalar(None, Origin(item.origin.path, Span(key_span.end, key_span.end)))
        entries[key] = YEntry(key, Origin(item.origin.path, key_span), value_node)
    return YMap(entries, node.origin, node.indent, node.flow, node.tag)


def list_of(node: YNode | None, what: str) -> tuple[YNode, ...]:
    """A list attribute that may be written as a single scalar (``dns: 8.8.8.8``)."""
    if node is None:
        return ()
    if isinstance(node, YSeq):
        return node.items
    if isinstance(node, YScalar):
        return () if node.value is None else (node,)
    raise SyntaxProblem(node, f"'{what}' must be a list, not {describe(node)}")


def names_list_or_map(node: YNode | None, what: str) -> YMap:
    """``networks:`` / ``depends_on:`` of a service: a list of names or a mapping of names."""
    if node is None:
        return YMap({}, Origin("", Span(0, 0)))
    if isinstance(node, YMap):
        return node
    if isinstance(node, YSeq):
        entries: dict[str, YEntry] = {}
        for item in node.items:
            name = scalar_text(item)
            if name is None:
                raise SyntaxProblem(item, f"'{what}' list items must be names")
            entries[name] = YEntry(name, item.origin, YScalar(None, item.origin))
        return YMap(entries, node.origin, node.indent, node.flow, node.tag)
    raise SyntaxProblem(node, f"'{what}' must be a list or a mapping, not {describe(node)}")
