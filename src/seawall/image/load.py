"""Loading an image from any source into an :class:`~seawall.image.model.Image`.

``TARGET`` forms: a path to a docker-save tar / OCI layout tar / layout directory; explicit
prefixes ``docker-archive:``, ``oci:``, ``docker:`` (daemon) and ``registry:``; otherwise an image
reference, looked up in the local daemon first and then pulled from its registry.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seawall.errors import DaemonError, SourceError
from seawall.image.filesystem import FileSystem, LayerDelta
from seawall.image.inventory import collect_inventory
from seawall.image.layers import EntryCounter, read_layer
from seawall.image.limits import Limits
from seawall.image.model import HistoryEntry, Image, Layer, map_history
from seawall.image.reference import parse_reference
from seawall.image.sources.base import LayerBlob, Platform, RawImage
from seawall.image.streamed import StreamedLayers
from seawall.image.streams import (
    DIGEST_CHUNK,
    BackgroundDigest,
    Budget,
    is_compressed,
    prompt_thread_switches,
    stream_errors_reported,
)

_PREFIXES = ("docker-archive:", "oci-archive:", "oci:", "docker:", "daemon:", "registry:")


@contextlib.contextmanager
def open_image(
    target: str,
    *,
    platform: Platform | None = None,
    insecure: bool = False,
    limits: Limits | None = None,
    daemon: Any | None = None,
) -> Iterator[RawImage]:
    """Locate ``target`` and yield its RawImage (config + layer blobs) while the source is open."""
    from seawall.image.sources.local import open_path

    limits = limits or Limits()
    scheme, rest = "", target
    for prefix in _PREFIXES:
        if target.startswith(prefix):
            scheme, rest = prefix[:-1], target[len(prefix) :]
            break
    looks_like_path = rest.startswith(("/", "./", "../", "~")) or rest.endswith(
        (".tar", ".tar.gz", ".tgz")
    )
    if not scheme and looks_like_path and not Path(rest).exists():
        raise SourceError(rest, "no such file or directory")
    if scheme in ("docker-archive", "oci-archive", "oci") or (not scheme and Path(target).exists()):
        path = Path(rest)
        if not path.exists():
            raise SourceError(rest, "no such file or directory")
        with open_path(path, limits, platform) as raw:
            yield raw
        return
    if scheme in ("docker", "daemon"):
        from seawall.image.sources.daemon import open_daemon

        with open_daemon(rest, limits, daemon) as raw:
            yield raw
        return
    ref = parse_reference(rest)
    if not scheme:
        from seawall.image.sources.daemon import daemon_client, has_image, open_daemon

        client = daemon
        if client is None:
            with contextlib.suppress(DaemonError):
                client = daemon_client()
        if client is not None and has_image(client, rest):
            with open_daemon(rest, limits, client) as raw:
                yield raw
            return
    from seawall.image.sources.registry import open_registry

    yield open_registry(ref, limits, platform, insecure)


def read_image(raw: RawImage, limits: Limits | None = None) -> Image:
    """Stream every layer once, merge them, verify their digests, and build the inventory."""
    image, digests = read_image_deferred(raw, limits)
    digests.verify()
    return image


def read_image_deferred(
    raw: RawImage, limits: Limits | None = None, *, verify_local: bool = True
) -> tuple[Image, LayerDigests]:
    """Like :func:`read_image`, but the last layers' hashes may still be running.

    The caller may work on the image meanwhile (rules, SBOM) but must call ``verify()`` on the
    returned digests before showing any result: it raises SourceError when a layer's content does
    not match its diff_id. ``stop()`` abandons the check. ``verify_local=False`` does not hash
    uncompressed layers held in local files that have a diff_id (``--no-verify-layers``).
    """
    limits = limits or Limits()
    what = raw.reference
    budget = Budget(what, limits.max_total_bytes)
    counter = EntryCounter(what, limits.max_entries)
    fs = FileSystem(limits.max_symlink_hops)
    history = map_history(raw.config, len(raw.layers))
    by_layer = {h.layer: h for h in history if h.layer is not None}
    layers: list[Layer] = []
    digests = LayerDigests(raw.layers, budget, what, verify_local)
    streamed = [blob for blob in raw.layers if not digests.covers(blob.index)]
    background = StreamedLayers(streamed, limits, counter, budget, what) if streamed else None
    try:
        with prompt_thread_switches():
            for blob in raw.layers:
                if background is None or digests.covers(blob.index):
                    delta, digest, count = _read_local_plain(blob, digests, limits, counter, what)
                else:
                    delta, digest, count = background.result(blob.index)
                    digests.check(blob.index, digest, blob.diff_id)
                fs.apply(delta)
                layers.append(_layer(blob, digest, count, len(delta.entries), by_layer))
        digests.walk_done()
        inventory = collect_inventory(fs, [layer.diff_id for layer in layers])
    except BaseException:
        digests.stop()
        raise
    finally:
        if background is not None:
            background.close()
    image = Image(
        reference=raw.reference,
        source=raw.kind,
        config=raw.config,
        layers=tuple(layers),
        history=history,
        fs=fs,
        inventory=inventory,
        tags=raw.tags,
        config_digest=raw.config_digest,
        manifest_digest=raw.manifest_digest,
    )
    return image, digests


class LayerDigests:
    """sha256 of the uncompressed layers held in local files, computed in threads.

    While the main thread walks the layers, one thread hashes them, largest first: on two cores
    each gets a core, and the longest hash (one SHA-256 stream cannot be split) starts at once.
    When the walk is over a second thread joins. The last hashes may still run while rules look at
    the image: :meth:`verify` waits for them and checks the diff_ids.
    """

    _WHILE_WALKING = 1  # hashing threads beside the walk (each holds one DIGEST_CHUNK buffer)
    _AFTER_WALK = 2

    def __init__(
        self, blobs: tuple[LayerBlob, ...], budget: Budget, what: str, verify: bool = True
    ) -> None:
        self._blobs = blobs
        self.verifying = verify
        self._budget = budget
        self._what = what
        sizes = [_plain_size(blob) if blob.local_file else None for blob in blobs]
        self._plain = [size is not None for size in sizes]
        # A layer without a diff_id is hashed even when not verifying: the digest names it.
        wanted = [i for i, blob in enumerate(blobs) if sizes[i] is not None]
        wanted = [i for i in wanted if verify or not blobs[i].diff_id]
        self._queue = sorted(wanted, key=lambda i: -(sizes[i] or 0))
        self._limit = self._WHILE_WALKING
        self._running: dict[int, BackgroundDigest] = {}
        self._done: dict[int, tuple[str, int]] = {}
        self._expected: dict[int, str] = {}

    def covers(self, index: int) -> bool:
        """Whether layer ``index`` is an uncompressed local file (hashed here, walked by seeks)."""
        return self._plain[index]

    def start(self) -> None:
        """Keep the allowed number of hashing threads busy."""
        while len(self._running) < self._limit and self._queue:
            self._launch(self._queue.pop(0))

    def walk_done(self) -> None:
        """The main thread has finished walking: a second core is free for hashing."""
        self._limit = self._AFTER_WALK
        self.start()

    def result(self, index: int) -> tuple[str, int]:
        """(digest, byte count) of a covered layer, waiting for its hash."""
        if index not in self._done:
            if index not in self._running:
                self._queue.remove(index)
                while len(self._running) >= self._AFTER_WALK:
                    self._finish(next(iter(self._running)))
                self._launch(index)
            self._finish(index)
            self.start()
        return self._done[index]

    def expect(self, index: int, diff_id: str) -> None:
        """Check layer ``index`` against ``diff_id`` once its hash is done (in :meth:`verify`)."""
        self._expected[index] = diff_id

    def check(self, index: int, digest: str, diff_id: str | None) -> None:
        """Raise SourceError now when a computed digest is not the layer's diff_id."""
        if diff_id and digest != diff_id:
            raise SourceError(
                self._what, f"layer {index}: content digest {digest} != diff_id {diff_id}"
            )

    def spend(self, size: int) -> None:
        """Count a layer that is not hashed against the image's byte budget."""
        self._budget.spend(size)

    def verify(self) -> None:
        """Wait for every hash and check the expected diff_ids; SourceError on a mismatch."""
        try:
            self._limit = self._AFTER_WALK
            self.start()
            while self._running:
                self._finish(next(iter(self._running)))
                self.start()
        finally:
            self.stop()
        for index in sorted(self._expected):
            self.check(index, self._done[index][0], self._expected[index])

    def _launch(self, index: int) -> None:
        self._running[index] = BackgroundDigest(self._blobs[index].open, self._budget, DIGEST_CHUNK)

    def _finish(self, index: int) -> None:
        hasher = self._running.pop(index)
        with stream_errors_reported(self._what, f"layer {index}: unreadable"):
            self._done[index] = hasher.result()

    def stop(self) -> None:
        """Stop every hash still running (after an error, or when the result is not wanted)."""
        for hasher in self._running.values():
            hasher.stop()
        self._running.clear()
        self._queue.clear()


def _plain_size(blob: LayerBlob) -> int | None:
    """The size of an uncompressed layer blob, or None when it is gzip or zstd."""
    with contextlib.closing(blob.open()) as stream:
        if is_compressed(stream.read(4)):
            return None
        return stream.seek(0, io.SEEK_END)


def _read_local_plain(
    blob: LayerBlob, digests: LayerDigests, limits: Limits, counter: EntryCounter, what: str
) -> tuple[LayerDelta, str, int]:
    """An uncompressed layer in a local file: (delta, digest, size).

    One handle walks the tar and seeks over the bodies nobody reads while another hashes a layer
    in a thread. With a diff_id to check, the hash is not waited for here (see
    :meth:`LayerDigests.verify`); the diff_id then names the layer.
    """
    digests.start()
    with contextlib.closing(blob.open()) as stream:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        delta = read_layer(blob.index, stream, limits, counter, what, skip_by_seek=True)
    if blob.diff_id:
        if digests.verifying:
            digests.expect(blob.index, blob.diff_id)
        else:
            digests.spend(size)  # not hashed, but still counted against the size budget
        return delta, blob.diff_id, size
    digest, count = digests.result(blob.index)
    return delta, digest, count


def _layer(
    blob: LayerBlob, digest: str, size: int, entries: int, by_layer: dict[int, HistoryEntry]
) -> Layer:
    record = by_layer.get(blob.index)
    return Layer(
        index=blob.index,
        diff_id=blob.diff_id or digest,
        digest=blob.digest,
        media_type=blob.media_type,
        compressed_size=blob.size,
        size=size,
        entries=entries,
        history_index=record.index if record else None,
        created_by=record.created_by if record else None,
    )


def load_image_deferred(
    target: str,
    *,
    platform: Platform | None = None,
    insecure: bool = False,
    limits: Limits | None = None,
    daemon: Any | None = None,
    verify_local: bool = True,
) -> tuple[Image, LayerDigests]:
    """:func:`load_image` whose last layer hashes may still be running (see
    :func:`read_image_deferred`: call ``verify()`` before using any result)."""
    with open_image(
        target, platform=platform, insecure=insecure, limits=limits, daemon=daemon
    ) as raw:
        return read_image_deferred(raw, limits, verify_local=verify_local)


def load_image(
    target: str,
    *,
    platform: Platform | None = None,
    insecure: bool = False,
    limits: Limits | None = None,
    daemon: Any | None = None,
) -> Image:
    """Open ``target`` from wherever it lives and read it into an Image."""
    with open_image(
        target, platform=platform, insecure=insecure, limits=limits, daemon=daemon
    ) as raw:
        return read_image(raw, limits)
