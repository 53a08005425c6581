"""A layer blob's uncompressed content as a sequence of bounded chunks (gzip, zstd or plain).

gzip is inflated with direct ``decompressobj`` calls on large buffers (``gzip.GzipFile`` adds a
Python-level loop, small reads and a second CRC pass on top). When the optional ``isal`` package
(``pip install seawall[fast]``) is installed its inflater is used: about twice as fast as zlib on
layer data, with the same API. zlib is the fallback, and ``SEAWALL_GZIP=zlib`` forces it. Every
chunk is at most :data:`CHUNK` bytes whatever the compression ratio, so a decompression bomb
never needs more memory than one chunk.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, cast

from seawall.errors import SourceError

CHUNK = 1 << 20  # most uncompressed bytes in one chunk
_INPUT = 1 << 19  # compressed bytes read per call: layer data expands ~2x at gzip level 1
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_WBITS = 31  # gzip wrapper only: header, CRC-32 and size trailer checked by the inflater


def _zlib_backend() -> tuple[Callable[[int], Any], type[Exception]]:
    return zlib.decompressobj, zlib.error


def _isal_backend() -> tuple[Callable[[int], Any], type[Exception]] | None:
    try:
        from isal import isal_zlib
    except ImportError:
        return None
    # The stub types ``error`` as an instance; it is the exception class.
    return isal_zlib.decompressobj, cast("type[Exception]", isal_zlib.error)


def gzip_backend(prefer_isal: bool = True) -> tuple[Callable[[int], Any], type[Exception]]:
    """(decompressobj factory, its error type): isal's when installed and wanted, else zlib's."""
    wanted = prefer_isal and os.environ.get("SEAWALL_GZIP", "").lower() != "zlib"
    found = _isal_backend() if wanted else None
    return found or _zlib_backend()


def plain_chunks(
    raw: BinaryIO, what: str, read_size: int = _INPUT, prefer_isal: bool = True
) -> Iterator[bytes]:
    """The uncompressed bytes of ``raw``, in chunks of at most :data:`CHUNK` bytes.

    The format is sniffed from the magic bytes. Corrupt or truncated compressed data raises
    ``zlib.error``, ``EOFError`` or the zstd library's error (see ``streams.is_stream_error``).
    """
    head = raw.read(4)
    if head.startswith(_GZIP_MAGIC):
        yield from _gunzip(head, raw, read_size, gzip_backend(prefer_isal))
    elif head.startswith(_ZSTD_MAGIC):
        yield from _unzstd(head, raw, what)
    else:
        if head:
            yield head
        while chunk := raw.read(CHUNK):
            yield chunk


def _gunzip(
    head: bytes,
    raw: BinaryIO,
    read_size: int,
    backend: tuple[Callable[[int], Any], type[Exception]],
) -> Iterator[bytes]:
    """Inflate one or more concatenated gzip members (trailing zero padding is allowed)."""
    new, error = backend
    inflater = new(_GZIP_WBITS)
    pending = head
    try:
        while True:
            if not pending:
                pending = raw.read(read_size)
                if not pending:
                    break
            out = inflater.decompress(pending, CHUNK)
            if out:
                yield out
            pending = inflater.unconsumed_tail
            while len(out) == CHUNK and not pending and not inflater.eof:
                out = inflater.decompress(b"", CHUNK)  # output still held by the inflater
                if out:
                    yield out
            if inflater.eof:
                rest = inflater.unused_data.lstrip(b"\0")
                if not rest:
                    rest = _skip_zero_padding(raw, read_size)
                    if not rest:
                        return
                inflater = new(_GZIP_WBITS)  # the next member
                pending = rest
    except error as exc:
        if isinstance(exc, zlib.error):
            raise
        raise zlib.error(str(exc)) from None  # one error type, whatever the backend
    raise EOFError("compressed data ended before the end-of-stream marker")


def _skip_zero_padding(raw: BinaryIO, read_size: int) -> bytes:
    """Read past zero bytes after a gzip member; what follows them (b"" at the end)."""
    while True:
        data = raw.read(read_size)
        if not data:
            return b""
        rest = data.lstrip(b"\0")
        if rest:
            return rest


def _unzstd(head: bytes, raw: BinaryIO, what: str) -> Iterator[bytes]:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a declared dependency
        raise SourceError(what, "zstd layer but the 'zstandard' package is missing") from None
    from seawall.image.streams import prefixed

    # The window cap bounds memory even when a frame header asks for more.
    decomp = zstandard.ZstdDecompressor(max_window_size=1 << 27)
    reader = decomp.stream_reader(prefixed(head, raw), read_across_frames=True)
    while chunk := reader.read(CHUNK):
        yield chunk
