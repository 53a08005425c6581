"""Loading an image from any source into an :class:`~seawall.image.model.Image`.

``TARGET`` forms: a path to a docker-save tar / OCI layout tar / layout directory; explicit
prefixes ``docker-archive:``, ``oci:``, ``docker:`` (daemon) and ``registry:``; otherwise an image
reference, looked up in the local daemon first and then pulled from its registry.
"""

from __future__ import annotations

import contextlib
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
from seawall.image.streams import (
    BackgroundDigest,
    Budget,
    HashingReader,
    ReadAhead,
    decompressed,
    is_compressed,
    is_stream_error,
    one_line,
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
    """Stream every layer once, merge them, and build the inventory."""
    limits = limits or Limits()
    what = raw.reference
    budget = Budget(what, limits.max_total_bytes)
    counter = EntryCounter(what, limits.max_entries)
    fs = FileSystem(limits.max_symlink_hops)
    history = map_history(raw.config, len(raw.layers))
    by_layer = {h.layer: h for h in history if h.layer is not None}
    layers: list[Layer] = []
    for blob in raw.layers:
        local = _read_local_plain(blob, limits, counter, budget, what) if blob.local_file else None
        if local is not None:
            delta, digest, count = local
            if blob.diff_id and digest != blob.diff_id:
                raise SourceError(
                    what, f"layer {blob.index}: content digest {digest} != diff_id {blob.diff_id}"
                )
            fs.apply(delta)
            layers.append(_layer(blob, digest, count, len(delta.entries), by_layer))
            continue
        with contextlib.closing(blob.open()) as stream:
            # The diff_id (digest of the uncompressed tar, from the config whose own digest the
            # manifest pins) proves the content; hash the compressed blob only when it is missing.
            check_blob = blob.digest is not None and not blob.diff_id
            packed = HashingReader(stream) if check_blob else stream
            plain = HashingReader(decompressed(packed, what), budget)  # type: ignore[arg-type]
            ahead = ReadAhead(plain)  # type: ignore[arg-type]
            try:
                delta = read_layer(blob.index, ahead, limits, counter, what)  # type: ignore[arg-type]
                while ahead.read(1 << 20):  # the rest (end-of-archive padding) for the diff_id
                    pass
            except SourceError:
                raise
            except Exception as exc:
                if not is_stream_error(exc):
                    raise
                raise SourceError(
                    what, f"layer {blob.index}: corrupt stream ({one_line(exc)})"
                ) from None
            finally:
                ahead.stop()
        if blob.diff_id and plain.digest != blob.diff_id:
            raise SourceError(
                what, f"layer {blob.index}: content digest {plain.digest} != diff_id {blob.diff_id}"
            )
        if isinstance(packed, HashingReader) and packed.digest != blob.digest:
            raise SourceError(what, f"layer {blob.index}: blob digest mismatch ({packed.digest})")
        fs.apply(delta)
        layers.append(_layer(blob, plain.digest, plain.count, len(delta.entries), by_layer))
    inventory = collect_inventory(fs, [layer.diff_id for layer in layers])
    return Image(
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


def _read_local_plain(
    blob: LayerBlob, limits: Limits, counter: EntryCounter, budget: Budget, what: str
) -> tuple[LayerDelta, str, int] | None:
    """An uncompressed layer in a local file: (delta, digest, size), or None when compressed.

    One handle walks the tar and seeks over the bodies nobody reads; a second one hashes the
    whole layer in a thread at the same time, so the two cores share the work.
    """
    with contextlib.closing(blob.open()) as stream:
        if is_compressed(stream.read(4)):
            return None
        stream.seek(0)
        hasher = BackgroundDigest(blob.open, budget)
        try:
            delta = read_layer(blob.index, stream, limits, counter, what, skip_by_seek=True)
        except BaseException:
            hasher.stop()
            raise
    try:
        digest, count = hasher.result()
    except SourceError:
        raise
    except Exception as exc:
        if not is_stream_error(exc):
            raise
        raise SourceError(what, f"layer {blob.index}: unreadable ({one_line(exc)})") from None
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
