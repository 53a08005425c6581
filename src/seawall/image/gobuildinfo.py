"""Go build information read from a binary stream (Go >= 1.18 inline format), never loaded whole.

The ``.go.buildinfo`` blob starts with a 16-byte-aligned 32-byte header: the magic
``\\xff Go buildinf:``, pointer size, flags (bit 2 = inline strings); then two uvarint-prefixed
strings: the Go version and the module info, framed by 16-byte sentinels. Older pointer-format
binaries are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_FLAG_INLINE = 0x2
_CHUNK = 1 << 20
EXECUTABLE_MAGICS = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"MZ",
)


@dataclass(frozen=True)
class GoModule:
    """One module line: path and version (after a ``=>`` replacement when there is one)."""

    path: str
    version: str


@dataclass(frozen=True)
class GoBuildInfo:
    """What a Go binary says about how it was built."""

    go_version: str
    main: GoModule | None
    deps: tuple[GoModule, ...]


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            break
    raise ValueError("bad uvarint")


def parse_blob(blob: bytes) -> GoBuildInfo | None:
    """Parse the bytes that start at the magic; None for pointer-format or malformed blobs."""
    if len(blob) < _HEADER or not blob.startswith(MAGIC):
        return None
    if not blob[15] & _FLAG_INLINE:
        return None
    try:
        n, pos = _uvarint(blob, _HEADER)
        version = blob[pos : pos + n].decode("utf-8", "replace")
        pos += n
        m, pos = _uvarint(blob, pos)
        if pos + m > len(blob) or pos + n > len(blob):
            return None
        modinfo = blob[pos : pos + m].decode("utf-8", "replace")
    except ValueError:
        return None
    if not version.startswith("go"):
        return None
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        modinfo = modinfo[16:-16]
    return parse_modinfo(version, modinfo)


def parse_modinfo(go_version: str, modinfo: str) -> GoBuildInfo:
    """Parse the tab-separated module lines (``path``, ``mod``, ``dep``, ``=>``)."""
    main: GoModule | None = None
    deps: list[GoModule] = []
    last_was_main = False
    for line in modinfo.splitlines():
        fields = line.split("\t")
        if fields[0] == "mod" and len(fields) >= 3:
            main, last_was_main = GoModule(fields[1], fields[2]), True
        elif fields[0] == "dep" and len(fields) >= 3:
            deps.append(GoModule(fields[1], fields[2]))
            last_was_main = False
        elif fields[0] == "=>" and len(fields) >= 3:
            replaced = GoModule(fields[1], fields[2])
            if last_was_main:
                main = replaced
            elif deps:
                deps[-1] = replaced
    return GoBuildInfo(go_version, main, tuple(deps))


def scan(stream: BinaryIO, head: bytes, max_blob: int) -> GoBuildInfo | None:
    """Scan an executable stream (``head`` = bytes already read) for build info.

    Memory stays at one chunk plus ``max_blob``; the rest of the stream is left unread.
    """
    buffer = head
    offset = 0  # file offset of buffer[0]
    while True:
        start = 0
        while True:
            found = buffer.find(MAGIC, start)
            if found == -1:
                break
            if (offset + found) % 16 == 0:
                # Grow the buffer itself so a failed parse loses nothing for the next search.
                while len(buffer) - found < max_blob:
                    more = stream.read(min(_CHUNK, max_blob - (len(buffer) - found)))
                    if not more:
                        break
                    buffer += more
                info = parse_blob(buffer[found : found + max_blob])
                if info is not None:
                    return info
            start = found + 1
        chunk = stream.read(_CHUNK)
        if not chunk:
            return None
        keep = min(len(MAGIC) - 1, len(buffer))
        offset += len(buffer) - keep
        buffer = buffer[len(buffer) - keep :] + chunk
