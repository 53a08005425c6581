"""Byte streams for layers: sniffed decompression (gzip, zstd, plain), byte budgets and digests."""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

from seawall.errors import SourceError

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_CHUNK = 1 << 20


class Budget:
    """A shared allowance of decompressed bytes for one image (decompression-bomb guard)."""

    def __init__(self, what: str, limit: int) -> None:
        self.what = what
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        """Count ``n`` more bytes; raise SourceError past the limit."""
        self.used += n
        if self.used > self.limit:
            raise SourceError(
                self.what,
                f"more than {self.limit} decompressed bytes (possible decompression bomb)",
            )


class _Prefixed(io.RawIOBase):
    """A raw stream that first returns ``prefix`` then reads from ``inner``."""

    def __init__(self, prefix: bytes, inner: BinaryIO) -> None:
        self._prefix = prefix
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._inner.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        return len(data)


class HashingReader(io.RawIOBase):
    """Passes bytes through while hashing them (sha256) and optionally spending a Budget."""

    def __init__(self, inner: BinaryIO, budget: Budget | None = None) -> None:
        self._inner = inner
        self._budget = budget
        self._hash = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        if not data:
            return 0
        n = len(data)
        buffer[:n] = data
        self._hash.update(data)
        self.count += n
        if self._budget is not None:
            self._budget.spend(n)
        return n

    def drain(self) -> None:
        """Read to the end so that the digest covers the whole stream."""
        while self._inner_read_chunk():
            pass

    def _inner_read_chunk(self) -> bool:
        data = self.read(_CHUNK)
        return bool(data)

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of everything read so far."""
        return "sha256:" + self._hash.hexdigest()


def decompressed(raw: BinaryIO, what: str) -> BinaryIO:
    """A stream of ``raw``'s content, gunzipped or un-zstd'ed when its magic bytes say so."""
    head = raw.read(4)
    joined = io.BufferedReader(_Prefixed(head, raw), _CHUNK)
    if head.startswith(_GZIP_MAGIC):
        import gzip

        return gzip.GzipFile(fileobj=joined, mode="rb")  # type: ignore[return-value]
    if head.startswith(_ZSTD_MAGIC):
        try:
            import zstandard
        except ImportError:  # pragma: no cover - zstandard is a declared dependency
            raise SourceError(what, "zstd layer but the 'zstandard' package is missing") from None
        # The window cap bounds memory even when a frame header asks for more.
        decomp = zstandard.ZstdDecompressor(max_window_size=1 << 27)
        return decomp.stream_reader(joined, read_across_frames=True)
    return joined


def one_line(value: object) -> str:
    """An exception or message on one line (library messages may span several)."""
    return " ".join(str(value).split())


def is_stream_error(exc: BaseException) -> bool:
    """Whether ``exc`` is how a corrupt compressed stream or tar archive shows itself."""
    import tarfile
    import zlib

    if isinstance(exc, tarfile.TarError | EOFError | zlib.error | OSError | ValueError):
        return True
    return type(exc).__name__ == "ZstdError"  # zstandard's own error type


def read_capped(stream: BinaryIO, cap: int, what: str) -> bytes:
    """Read a whole small stream, refusing more than ``cap`` bytes."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise SourceError(what, f"larger than {cap} bytes")
    return data
