"""One streamed layer, decompressed and hashed in background threads while the caller walks it.

A *fetching* thread reads the blob (socket reads release the GIL in small pieces, and each
return waits for it: alone in a thread those waits delay nobody); an *inflating* thread turns it
into chunks; a *hashing* thread computes the sha256 and size of those chunks (the layer's
diff_id); the calling thread walks the same chunks as a stream. Inflation, reads and hashing
release the GIL on big buffers, so on two cores they overlap with the tar walk instead of running
one after the other. Queues are bounded (:data:`DEPTH` items of at most ``inflate.CHUNK`` bytes;
uncompressed chunks are shared by the hashing and walking queues), so memory does not grow with
the layer.
"""

from __future__ import annotations

import hashlib
import io
import queue
import threading
from typing import BinaryIO, cast

from seawall.image.inflate import plain_chunks
from seawall.image.streams import Budget, HashingReader

DEPTH = 8  # items in flight per queue
FETCH = 1 << 19  # compressed bytes per read
_POLL = 0.1  # seconds between checks of the stop flag while a queue is full or empty
_END = None  # marks the end of the chunks (the reader's error, if any, is in ``error``)


class LayerPipeline:
    """Decompress ``raw`` in a thread, hash the result in another, and expose it as :attr:`stream`.

    ``hash_blob``: also hash the compressed bytes (when no diff_id proves the content, the blob
    digest must). Call :meth:`walk_done` when the walk no longer wants chunks (the threads still
    read and hash to the end), then :meth:`finish` for the digests; :meth:`stop` abandons it, and
    so does setting ``cancel`` (shared by the layers of one image): the walker then sees the data
    end early.
    """

    def __init__(
        self,
        raw: BinaryIO,
        what: str,
        budget: Budget,
        hash_blob: bool = False,
        cancel: threading.Event | None = None,
    ) -> None:
        self._raw: BinaryIO = HashingReader(raw) if hash_blob else raw  # type: ignore[assignment]
        self._what = what
        self._budget = budget
        self._stop = threading.Event()
        self._cancel = cancel or self._stop  # set when the whole image read is abandoned
        self._walking = True
        self.error: BaseException | None = None
        self._fetched: queue.Queue[bytes | None] = queue.Queue(DEPTH)
        self._to_hash: queue.Queue[bytes | None] = queue.Queue(DEPTH)
        self._to_walk: queue.Queue[bytes | None] = queue.Queue(DEPTH)
        self._sha = hashlib.sha256()
        self._count = 0
        self.stream: BinaryIO = cast(BinaryIO, _ChunkStream(self))
        self._fetcher = threading.Thread(target=self._fetch, name="seawall-fetch", daemon=True)
        self._reader = threading.Thread(target=self._read, name="seawall-inflate", daemon=True)
        self._hasher = threading.Thread(target=self._hash, name="seawall-hash", daemon=True)
        self._threads = (self._fetcher, self._reader, self._hasher)
        for thread in self._threads:
            thread.start()

    def _halted(self) -> bool:
        return self._stop.is_set() or self._cancel.is_set()

    def _put(self, channel: queue.Queue[bytes | None], item: bytes | None) -> bool:
        while not self._halted():
            try:
                channel.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _fetch(self) -> None:
        try:
            while chunk := self._raw.read(FETCH):
                if not self._put(self._fetched, chunk):
                    return
        except BaseException as exc:  # handed on by the inflating thread
            self.error = exc
        self._put(self._fetched, _END)

    def _read(self) -> None:
        fetched = _QueueReader(self)
        try:
            for chunk in plain_chunks(fetched, self._what):  # type: ignore[arg-type]
                self._budget.spend(len(chunk))
                if not self._put(self._to_hash, chunk):
                    return
                if self._walking and not self._put(self._to_walk, chunk):
                    return
        except BaseException as exc:  # handed to the walker and to finish()
            self.error = self.error or exc
        self._put(self._to_hash, _END)
        self._put(self._to_walk, _END)

    def _hash(self) -> None:
        update = self._sha.update
        while (chunk := self._get(self._to_hash, self._reader)) is not None:
            update(chunk)
            self._count += len(chunk)

    def _get(self, channel: queue.Queue[bytes | None], source: threading.Thread) -> bytes | None:
        """The next chunk, or None at the end (also when stopped or the source died)."""
        while not self._halted():
            try:
                return channel.get(timeout=_POLL)
            except queue.Empty:
                if not source.is_alive() and channel.empty():
                    return _END
        return _END

    def fetched(self) -> bytes | None:
        """The next compressed piece for the inflating thread; None at the end."""
        return self._get(self._fetched, self._fetcher)

    def next_chunk(self) -> bytes | None:
        """The next uncompressed chunk for the walker; None at the end; the reader's error."""
        chunk = self._get(self._to_walk, self._reader)
        if chunk is None and self.error is not None:
            raise self.error
        return chunk

    def walk_done(self) -> None:
        """The walker needs no more chunks: drop the queued ones so the reader never waits."""
        self._walking = False
        while True:
            try:
                self._to_walk.get_nowait()
            except queue.Empty:
                return

    def finish(self) -> tuple[str, int, str | None]:
        """Wait for the end: (sha256 of the content, its size, sha256 of the blob when hashed).

        Re-raises the reader's error (a corrupt stream, an exhausted budget).
        """
        self.walk_done()
        for thread in self._threads:
            thread.join()
        if self.error is not None:
            raise self.error
        blob = self._raw.digest if isinstance(self._raw, HashingReader) else None
        return "sha256:" + self._sha.hexdigest(), self._count, blob

    def stop(self) -> None:
        """Make both threads give up and wait for them (after an error in the walk)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)


class _QueueReader:
    """The fetched blob as the inflating thread reads it: ``read`` returns up to ``size`` bytes."""

    def __init__(self, pipeline: LayerPipeline) -> None:
        self._pipeline = pipeline
        self._pending = b""
        self._ended = False

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer at a fetch boundary); b"" at the end or when stopped."""
        while not self._pending and not self._ended:
            chunk = self._pipeline.fetched()
            if chunk is None:
                self._ended = True
            else:
                self._pending = chunk
        if len(self._pending) <= size:
            data, self._pending = self._pending, b""
        else:
            data, self._pending = self._pending[:size], self._pending[size:]
        return data


class _ChunkStream(io.RawIOBase):
    """The walker's view of a pipeline: a raw stream that also seeks forward.

    Seeking drops whole chunks without copying them: bodies the walk skips cost nothing here.
    """

    def __init__(self, pipeline: LayerPipeline) -> None:
        self._pipeline = pipeline
        self._pending = memoryview(b"")
        self._position = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def _fill(self) -> bool:
        """Make ``_pending`` non-empty; False at the end of the data."""
        while not self._pending:
            if self._ended:
                return False
            chunk = self._pipeline.next_chunk()
            if chunk is None:
                self._ended = True
                return False
            self._pending = memoryview(chunk)
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._fill():
            return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self._position += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move forward by dropping bytes (stops at the end of the data); backward is OSError."""
        target = offset if whence == io.SEEK_SET else self._position + offset
        if whence not in (io.SEEK_SET, io.SEEK_CUR) or target < self._position:
            raise OSError("backward seek in a layer stream")
        while self._position < target and self._fill():
            n = min(target - self._position, len(self._pending))
            self._pending = self._pending[n:]
            self._position += n
        return self._position

    def close(self) -> None:
        """Keep the stream usable: a BufferedReader closes its raw stream when collected."""
