"""The streamed layers of an image (compressed or remote), read two at a time, used in order.

Each layer is fetched, inflated, hashed and walked by its own :class:`LayerPipeline`. Two layers
in flight keep both cores busy on a multi-layer pull (one layer's inflation beside the other's
hashing and walk) where one would leave a core idle whenever its own inflation is the bottleneck,
as ``docker pull`` also fetches layers in parallel. Results are taken in layer order, so the first
error reported is that of the lowest layer; on any error the layers still running are cancelled.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Iterable

from seawall.errors import SourceError
from seawall.image.filesystem import LayerDelta
from seawall.image.layers import EntryCounter, read_layer
from seawall.image.limits import Limits
from seawall.image.pipeline import LayerPipeline
from seawall.image.sources.base import LayerBlob
from seawall.image.streams import Budget, stream_errors_reported

LAYERS_IN_FLIGHT = 2


class StreamedLayers:
    """Start reading ``blobs`` in the background; :meth:`result` returns one layer's reading.

    Plain threads rather than ``concurrent.futures``, whose import (it pulls in ``logging``) costs
    ~20 ms of start-up.
    """

    def __init__(
        self,
        blobs: Iterable[LayerBlob],
        limits: Limits,
        counter: EntryCounter,
        budget: Budget,
        what: str,
    ) -> None:
        self._todo = collections.deque(blobs)
        self._ready = {blob.index: threading.Event() for blob in self._todo}
        self._outcomes: dict[int, tuple[LayerDelta, str, int] | BaseException] = {}
        self._arguments = (limits, counter, budget, what)
        self._cancel = threading.Event()
        self._workers = [
            threading.Thread(target=self._work, name=f"seawall-layer-{n}", daemon=True)
            for n in range(min(LAYERS_IN_FLIGHT, len(self._todo)))
        ]
        for worker in self._workers:
            worker.start()

    def _work(self) -> None:
        while not self._cancel.is_set():
            try:
                blob = self._todo.popleft()  # atomic: the workers never take the same layer
            except IndexError:
                return
            try:
                outcome: tuple[LayerDelta, str, int] | BaseException = read_streamed(
                    blob, *self._arguments, cancel=self._cancel
                )
            except BaseException as exc:  # handed to result()
                outcome = exc
            self._outcomes[blob.index] = outcome
            self._ready[blob.index].set()

    def result(self, index: int) -> tuple[LayerDelta, str, int]:
        """(delta, digest of the content, its size) of layer ``index``, waiting for it."""
        self._ready[index].wait()
        outcome = self._outcomes.pop(index)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def close(self) -> None:
        """Cancel what is still running or queued and wait for the workers."""
        self._cancel.set()
        for worker in self._workers:
            worker.join()


def read_streamed(
    blob: LayerBlob,
    limits: Limits,
    counter: EntryCounter,
    budget: Budget,
    what: str,
    cancel: threading.Event | None = None,
) -> tuple[LayerDelta, str, int]:
    """A layer from any stream: inflated and hashed in threads while this thread walks it."""
    if cancel is not None and cancel.is_set():
        raise SourceError(what, f"layer {blob.index}: cancelled")
    with contextlib.closing(blob.open()) as stream:
        # The diff_id (digest of the uncompressed tar, from the config whose own digest the
        # manifest pins) proves the content; hash the compressed blob only when it is missing.
        check_blob = blob.digest is not None and not blob.diff_id
        pipe = LayerPipeline(stream, what, budget, hash_blob=check_blob, cancel=cancel)
        try:
            with stream_errors_reported(what, f"layer {blob.index}: corrupt stream"):
                # Unread bodies are dropped by forward seeks: the hashing thread sees every byte.
                delta = read_layer(
                    blob.index, pipe.stream, limits, counter, what, skip_by_seek=True
                )
                digest, count, blob_digest = pipe.finish()
        finally:
            pipe.stop()
    if check_blob and blob_digest != blob.digest:
        raise SourceError(what, f"layer {blob.index}: blob digest mismatch ({blob_digest})")
    return delta, digest, count
