"""Byte streams for layers: byte budgets, digests, and helpers shared by the layer readers."""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

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


def prefixed(head: bytes, inner: BinaryIO) -> BinaryIO:
    """A buffered stream of ``head`` followed by the rest of ``inner`` (after sniffing magic)."""
    return io.BufferedReader(_Prefixed(head, inner), _CHUNK)


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


@contextlib.contextmanager
def stream_errors_reported(what: str, reason: str, *, with_type: bool = False) -> Iterator[None]:
    """Turn what a corrupt stream or archive raises (``is_stream_error``) into one SourceError
    ``<reason> (<error>)`` about ``what``; SourceErrors and other exceptions pass unchanged."""
    try:
        yield
    except SourceError:
        raise
    except Exception as exc:
        if not is_stream_error(exc):
            raise
        detail = f"{type(exc).__name__}: {one_line(exc)}" if with_type else one_line(exc)
        raise SourceError(what, f"{reason} ({detail})") from None


def read_capped(stream: BinaryIO, cap: int, what: str) -> bytes:
    """Read a whole small stream, refusing more than ``cap`` bytes."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise SourceError(what, f"larger than {cap} bytes")
    return data
