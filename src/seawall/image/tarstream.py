"""A one-pass, forward-only tar reader for layer streams.

Layers are walked once and most bodies are skipped, so per-entry cost dominates; this reader
parses headers with a few slices instead of tarfile's general machinery, and bounds everything a
hostile archive controls: extended headers are size-capped before they are read, checksums are
verified, sizes must be sane. Formats: ustar (with prefix), GNU (long names/links, base-256
numbers, old sparse), and pax (path, linkpath, size, GNU sparse 1.0 name/realsize).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from zlib import adler32

BLOCK = 512
_ZERO = bytes(BLOCK)
_EXTENDED = frozenset((b"x", b"X", b"g", b"L", b"K"))
TYPES = {
    b"0": "file",
    b"\0": "file",
    b"7": "file",
    b"1": "hardlink",
    b"2": "symlink",
    b"3": "char",
    b"4": "block",
    b"5": "dir",
    b"6": "fifo",
}


class TarFormatError(ValueError):
    """The stream is not a well-formed tar archive."""


@dataclass(slots=True)
class TarEntry:
    """One member. ``size`` is the file's real size (a sparse file's logical size)."""

    name: str
    type: str  # file | dir | symlink | hardlink | char | block | fifo | other:<flag>
    mode: int
    uid: int
    gid: int
    size: int
    linkname: str
    devmajor: int
    devminor: int
    sparse: bool


def _number(field: bytes) -> int:
    try:  # the common case, a NUL- or space-terminated octal number, in one C call
        return int(field.rstrip(b"\0 "), 8)
    except ValueError:
        pass
    if field and field[0] & 0x80:  # GNU base-256; 0xff marks a negative number
        value = int.from_bytes(field[1:], "big")
        return -value if field[0] == 0xFF else value
    text = field.split(b"\0", 1)[0].strip()
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise TarFormatError(f"bad number field {field!r}") from None


_SEEN_NUMBERS: dict[bytes, int] = {}


def _small_number(field: bytes) -> int:
    """A mode, uid or gid field: few distinct values per image, so parsed ones are remembered."""
    value = _SEEN_NUMBERS.get(field)
    if value is None:
        value = _number(field)
        if len(_SEEN_NUMBERS) < 4096:  # bounded: a hostile archive may use a new value each time
            _SEEN_NUMBERS[field] = value
    return value


def _checksum(header: bytes) -> int:
    """The header's byte sum with its checksum field read as eight spaces.

    adler32's low half is 1 + the byte sum modulo 65521; a 256-byte half sums to at most
    65280, so each half's sum is exact, and two C calls replace a Python-level ``sum``.
    """
    total = (adler32(header[:256]) & 0xFFFF) + (adler32(header[256:]) & 0xFFFF) - 2
    return total - sum(header[148:156]) + 256


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _padded(size: int) -> int:
    return (size + BLOCK - 1) // BLOCK * BLOCK


def _pax_records(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space == -1:
            break
        try:
            length = int(data[pos:space])
        except ValueError:
            raise TarFormatError("bad pax record length") from None
        if length <= 0 or pos + length > len(data):
            raise TarFormatError("bad pax record length")
        record = data[space + 1 : pos + length - 1]
        key, _, value = record.partition(b"=")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


# Shorter bodies are read from the buffer: a seek there costs more than it saves.
_SEEK_OVER = 1 << 16


class TarReader:
    """Iterate entries of ``stream``; call :meth:`read` during an entry to read its body."""

    def __init__(
        self, stream: BinaryIO, max_header: int = 1 << 20, skip_by_seek: bool = False
    ) -> None:
        self._stream = stream
        self._max_header = max_header
        self._seekable = skip_by_seek
        self._remaining = 0  # unread body bytes of the current entry (stored size)
        self._padding = 0

    def _read_exact(self, n: int) -> bytes:
        data = self._stream.read(n)
        while len(data) < n:
            more = self._stream.read(n - len(data))
            if not more:
                raise TarFormatError("unexpected end of data")
            data += more
        return data

    def _skip(self, n: int) -> None:
        if n > _SEEK_OVER and self._seekable:
            # A local file whose digest another reader computes: unread bodies are not read.
            expected = self._stream.tell() + n
            if self._stream.seek(n, 1) != expected:  # the file ends inside the body
                raise TarFormatError("unexpected end of data")
            return
        while n > 0:
            chunk = self._stream.read(min(n, 1 << 20))
            if not chunk:
                raise TarFormatError("unexpected end of data")
            n -= len(chunk)

    def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes of the current entry's body (all of it when negative)."""
        if n < 0 or n > self._remaining:
            n = self._remaining
        if n == 0:
            return b""
        data = self._stream.read(n)
        if not data:
            raise TarFormatError("unexpected end of data")
        self._remaining -= len(data)
        return data

    def _extended(self, size: int) -> bytes:
        if size > self._max_header:
            raise TarFormatError(f"extended header of {size} bytes")
        data = self._read_exact(_padded(size))
        return data[:size]

    def __iter__(self) -> Iterator[TarEntry]:
        long_name: str | None = None
        long_link: str | None = None
        pax: dict[str, str] = {}
        read = self._stream.read
        while True:
            if self._remaining or self._padding:
                self._skip(self._remaining + self._padding)
                self._remaining = self._padding = 0
            header = read(BLOCK)
            if len(header) < BLOCK:
                if not header:
                    return  # archive without end-of-archive blocks
                header += self._read_exact(BLOCK - len(header))
            if header == _ZERO:
                return
            if _checksum(header) != _number(header[148:156]):
                raise TarFormatError("header checksum mismatch")
            flag = header[156:157]
            size = _number(header[124:136])
            if size < 0:
                raise TarFormatError("negative size")
            if flag in _EXTENDED:
                if flag == b"x" or flag == b"X":
                    pax.update(_pax_records(self._extended(size)))
                elif flag == b"g":
                    self._extended(size)  # global defaults: nothing we use
                elif flag == b"L":
                    long_name = _text(self._extended(size))
                else:
                    long_link = _text(self._extended(size))
                continue
            name = _text(header[0:100])
            if header[257:263] == b"ustar\0" and header[345] != 0:
                # POSIX ustar: a prefix may hold the path's start
                name = f"{_text(header[345:500])}/{name}"
            linkname = _text(header[157:257]) if header[157] != 0 else ""
            uid = _small_number(header[108:116])
            gid = _small_number(header[116:124])
            real_size = size
            sparse = False
            if flag == b"S":  # old GNU sparse: real size in the header, maps in extension blocks
                sparse = True
                real_size = _number(header[483:495])
                extended = header[482]
                while extended:
                    ext = self._read_exact(BLOCK)
                    extended = ext[504]
            if long_name is not None or long_link is not None:
                name = long_name or name
                linkname = long_link or linkname
                long_name = long_link = None
            if pax:
                name, linkname, size, real_size, sparse, uid, gid = _apply_pax(
                    pax, name, linkname, size, real_size, sparse, uid, gid
                )
                pax = {}
            kind = "file" if flag == b"S" else TYPES.get(flag) or f"other:{flag.decode('latin-1')}"
            self._remaining = size
            self._padding = -size % BLOCK
            device = flag == b"3" or flag == b"4"
            yield TarEntry(
                name,
                kind,
                _small_number(header[100:108]) & 0o7777,
                uid,
                gid,
                real_size if kind == "file" else 0,
                linkname,
                _number(header[329:337]) if device else 0,
                _number(header[337:345]) if device else 0,
                sparse,
            )


def _apply_pax(
    pax: dict[str, str],
    name: str,
    linkname: str,
    size: int,
    real_size: int,
    sparse: bool,
    uid: int,
    gid: int,
) -> tuple[str, str, int, int, bool, int, int]:
    """Override header fields with the pax records that precede the entry."""
    name = pax.get("GNU.sparse.name") or pax.get("path") or name
    linkname = pax.get("linkpath") or linkname
    if "size" in pax:
        try:
            size = real_size = int(pax["size"])
        except ValueError:
            raise TarFormatError("bad pax size") from None
    if "GNU.sparse.realsize" in pax or "GNU.sparse.size" in pax:
        sparse = True
        try:
            real_size = int(pax.get("GNU.sparse.realsize") or pax["GNU.sparse.size"])
        except ValueError:
            raise TarFormatError("bad sparse size") from None
    if "uid" in pax or "gid" in pax:
        try:
            uid = int(pax.get("uid", uid))
            gid = int(pax.get("gid", gid))
        except ValueError:
            raise TarFormatError("bad pax uid/gid") from None
    return name, linkname, size, real_size, sparse, uid, gid
