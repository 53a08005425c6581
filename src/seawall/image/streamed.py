"""The streamed layers of an image (compressed or remote), read two at a time, used in order.

Each layer is fetched, inflated, hashed and walked by its own :class:`LayerPipeline`. Two layers
in flight keep both cores busy on a multi-layer pull (one layer's inflation beside the other's
hashing and walk) where one would leave a core idle whenever its own inflation is the bottleneck,
as ``docker pull`` also fetches layers in parallel. Results are taken in layer order, so the first
error reported is that of the lowest layer; on any error the layers still running are cancelled.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from seawall.errors import SourceError
from seawall.image.filesystem import LayerDelta
from seawall.image.layers import EntryCounter, read_layer
from seawall.image.limits import Limits
from seawall.image.pipeline import LayerPipeline
from seawall.image.sources.base import LayerBlob
from seawall.image.streams import Budget, is_stream_error, one_line

LAYERS_IN_FLIGHT = 2


class StreamedLayers:
    """Start reading ``blobs`` in the background; :meth:`result` returns one layer's reading."""

    def __init__(
        self,
        blobs: Iterable[LayerBlob],
        limits: Limits,
        counter: EntryCounter,
        budget: Budget,
        what: str,
    ) -> None:
        self._cancel = threading.Event()
        self._pool = ThreadPoolExecutor(LAYERS_IN_FLIGHT, thread_name_prefix="seawall-layer")
        self._futures: dict[int, Future[tuple[LayerDelta, str, int]]] = {
            blob.index: self._pool.submit(
                read_streamed, blob, limits, counter, budget, what, self._cancel
            )
            for blob in blobs
        }

    def result(self, index: int) -> tuple[LayerDelta, str, int]:
        """(delta, digest of the content, its size) of layer ``index``, waiting for it."""
        return self._futures.pop(index).result()

    def close(self) -> None:
        """Cancel what is still running or queued and wait for the workers."""
        self._cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


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
            # Unread bodies are dropped by forward seeks: the hashing thread sees every byte.
            delta = read_layer(blob.index, pipe.stream, limits, counter, what, skip_by_seek=True)
            digest, count, blob_digest = pipe.finish()
        except SourceError:
            raise
        except Exception as exc:
            if not is_stream_error(exc):
                raise
            raise SourceError(
                what, f"layer {blob.index}: corrupt stream ({one_line(exc)})"
            ) from None
        finally:
            pipe.stop()
    if check_blob and blob_digest != blob.digest:
        raise SourceError(what, f"layer {blob.index}: blob digest mismatch ({blob_digest})")
    return delta, digest, count
