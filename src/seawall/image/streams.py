"""Byte streams for layers: sniffed decompression (gzip, zstd, plain), byte budgets and digests."""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from seawall.errors import SourceError

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_CHUNK = 1 << 20


class Budget:
    """A shared allowance of decompressed bytes for one image (decompression-bomb guard)."""

    def __init__(self, what: str, limit: int) -> None:
        import threading

        self.what = what
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()  # layers may be hashed by several threads at once

    def spend(self, n: int) -> None:
        """Count ``n`` more bytes; raise SourceError past the limit."""
        with self._lock:
            self.used += n
            used = self.used
        if used > self.limit:
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
        readinto = getattr(self._inner, "readinto", None)
        if readinto is not None:
            n = readinto(buffer) or 0  # no intermediate copy when the inner stream allows it
            if not n:
                return 0
            self._hash.update(memoryview(buffer)[:n])
        else:
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


class ForwardReader:
    """A read-only stream that can ``seek`` forward (by reading and discarding) and ``tell``.

    tarfile's random-access mode then walks a non-seekable layer stream in one pass: it skips
    unread member bodies with large reads and reads 512-byte headers from a buffer, which is much
    faster than its stream mode (whose buffer is re-sliced on every header read).
    """

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = io.BufferedReader(cast(Any, inner), _CHUNK)
        self._pos = 0
        self._scratch = bytearray(_CHUNK)

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Forward seeks only; tarfile never seeks back in a well-formed walk."""
        return True

    def tell(self) -> int:
        """Bytes consumed so far."""
        return self._pos

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all remaining when negative)."""
        data = self._inner.read(size)
        self._pos += len(data)
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:
        """Fill ``buffer``."""
        n = self._inner.readinto(buffer)
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move forward to ``offset`` by discarding bytes; a backward seek is an OSError."""
        target = offset if whence == io.SEEK_SET else self._pos + offset
        if whence not in (io.SEEK_SET, io.SEEK_CUR) or target < self._pos:
            raise OSError("backward seek in a layer stream")
        view = memoryview(self._scratch)
        while self._pos < target:
            n = self._inner.readinto(view[: min(_CHUNK, target - self._pos)])
            if not n:
                break  # end of data: tarfile reports truncation on its next read
            self._pos += n
        return self._pos

    def close(self) -> None:
        """Nothing to release: the caller owns the inner stream."""


class ReadAhead(io.RawIOBase):
    """Reads ``inner`` in a background thread, a few chunks ahead (bounded memory).

    File reads, decompression and hashing release the GIL, so they overlap with header parsing
    in the calling thread. Errors are re-raised in the reader; ``close`` stops the thread.
    """

    _DEPTH = 4  # chunks in flight: memory is bounded by _DEPTH * _CHUNK

    def __init__(self, inner: BinaryIO) -> None:
        import queue
        import threading

        self._inner = inner
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(self._DEPTH)
        self._stop = threading.Event()
        self._pending = memoryview(b"")
        self._done = False
        self._thread = threading.Thread(target=self._pump, name="seawall-readahead", daemon=True)
        self._thread.start()

    def _put(self, item: bytes | BaseException | None) -> bool:
        import queue

        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _pump(self) -> None:
        try:
            while not self._stop.is_set():
                chunk = self._inner.read(_CHUNK)
                if not chunk:
                    break
                if not self._put(chunk):
                    return
        except BaseException as exc:  # handed to the reading thread
            self._put(exc)
            return
        self._put(None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            if self._done:
                return 0
            item = self._next()
            if item is None:
                self._done = True
                return 0
            if isinstance(item, BaseException):
                self._done = True
                raise item
            self._pending = memoryview(item)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _next(self) -> bytes | BaseException | None:
        import queue

        while True:
            try:
                return self._queue.get(timeout=0.5)
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    return OSError("read-ahead thread ended unexpectedly")

    def close(self) -> None:
        """Keep reading possible: wrappers (BufferedReader) close their raw stream when they are
        collected, but the layer must still be drained afterwards. :meth:`stop` ends the thread."""

    def stop(self) -> None:
        """Stop the background reader."""
        self._stop.set()
        self._thread.join(timeout=5)


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


def is_compressed(head: bytes) -> bool:
    """Whether a layer blob starting with ``head`` is gzip or zstd (else a plain tar)."""
    return head.startswith((_GZIP_MAGIC, _ZSTD_MAGIC))


# Hashing threads read this much per GIL round trip: each time a thread wants the GIL back
# while the tar walk holds it, it may wait a whole switch interval.
DIGEST_CHUNK = 4 << 20


class BackgroundDigest:
    """sha256 and size of a stream, computed in a thread (file reads and hashing release the GIL).

    ``result`` waits and re-raises the thread's error (e.g. an exhausted Budget); ``stop`` makes
    the thread give up early when its result is no longer wanted. The stream is opened here, not
    in the thread, so that the source may be closed (a spooled file deleted) while it runs.
    """

    def __init__(self, opener: Any, budget: Budget | None = None, chunk: int = _CHUNK) -> None:
        import threading

        self._stream = opener()
        self._budget = budget
        self._chunk = chunk
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self.digest = ""
        self.count = 0
        self._thread = threading.Thread(target=self._run, name="seawall-digest", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._stream as stream:
                hashed = HashingReader(stream, self._budget)
                buffer = memoryview(bytearray(self._chunk))
                while not self._stop.is_set() and hashed.readinto(buffer):
                    pass
                self.digest, self.count = hashed.digest, hashed.count
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def stop(self) -> None:
        """Ask the thread to end and wait for it."""
        self._stop.set()
        self._thread.join()

    def result(self) -> tuple[str, int]:
        """``(sha256:<hex>, byte count)`` once the whole stream has been read."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.digest, self.count


@contextlib.contextmanager
def prompt_thread_switches(interval: float = 0.0005) -> Iterator[None]:
    """Let helper threads get the GIL back sooner while the main thread runs Python code.

    A thread returning from a GIL-free read or hash waits up to the switch interval (5 ms by
    default) for the busy main thread; over a layer that cost more than the hashing itself.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


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
