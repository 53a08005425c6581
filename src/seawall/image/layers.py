"""Reading one layer tar as a stream into a :class:`LayerDelta` (whiteouts, entries, captures)."""

from __future__ import annotations

import io
import threading
from typing import Any, BinaryIO, cast

from seawall.errors import SourceError
from seawall.image import gobuildinfo
from seawall.image.capture import Capture, copyright_licenses, plan
from seawall.image.filesystem import (
    Anomaly,
    FileEntry,
    Kind,
    LayerDelta,
    link_escapes_root,
    normalize,
)
from seawall.image.limits import Limits
from seawall.image.streams import stream_errors_reported
from seawall.image.tarstream import TarEntry, TarReader

_BUFFER = 1 << 20
_MAX_HEADER = 1 << 20  # pax / GNU long-name headers are read into memory: cap them


_KINDS = {
    "file": Kind.FILE,
    "dir": Kind.DIR,
    "symlink": Kind.SYMLINK,
    "hardlink": Kind.HARDLINK,
    "char": Kind.CHAR,
    "block": Kind.BLOCK,
    "fifo": Kind.FIFO,
}


class EntryCounter:
    """Counts tar entries over all layers of one image."""

    def __init__(self, what: str, limit: int) -> None:
        self.what = what
        self.limit = limit
        self.count = 0
        self._lock = threading.Lock()  # layers may be walked by two threads at once

    def add(self) -> None:
        """Count one entry; raise SourceError past the limit."""
        with self._lock:
            self.count += 1
        if self.count > self.limit:
            raise SourceError(self.what, f"more than {self.limit} archive entries")


def read_layer(
    index: int,
    stream: BinaryIO,
    limits: Limits,
    counter: EntryCounter,
    what: str,
    skip_by_seek: bool = False,
) -> LayerDelta:
    """Walk a decompressed layer stream once; bodies are read only for planned captures.

    ``skip_by_seek``: ``stream`` is seekable and nobody needs the skipped bytes (the layer's
    digest is computed by another reader), so unread bodies are seeked over.
    """
    delta = LayerDelta(index)
    buffered = io.BufferedReader(cast(Any, stream), _BUFFER)
    reader = TarReader(buffered, _MAX_HEADER, skip_by_seek=skip_by_seek)
    with stream_errors_reported(what, f"layer {index}: corrupt archive", with_type=True):
        for entry in reader:
            counter.add()
            _take(delta, entry, reader, limits)
    return delta


def _take(delta: LayerDelta, tar: TarEntry, reader: TarReader, limits: Limits) -> None:
    raw = tar.name
    path, escaped = normalize(raw)
    layer = delta.index
    if raw.startswith("/"):
        delta.anomalies.append(Anomaly(layer, raw, "absolute-path", "member name is absolute"))
    if escaped or (".." in raw and ".." in raw.split("/")):
        delta.anomalies.append(Anomaly(layer, raw, "path-traversal", "member name contains '..'"))
    if not path:
        return
    parent, _, base = path.rpartition("/")
    if base.startswith(".wh."):
        if base == ".wh..wh..opq":
            delta.opaque_dirs.add(parent)
        elif not base.startswith(".wh..wh."):  # .wh..wh.plnk and friends: aufs bookkeeping
            delta.whiteouts.add(f"{parent}/{base[4:]}" if parent else base[4:])
        return
    kind = _KINDS.get(tar.type)
    if kind is None:
        delta.anomalies.append(Anomaly(layer, raw, "unknown-type", f"tar type {tar.type}"))
        return
    link = tar.linkname
    if kind is Kind.CHAR or kind is Kind.BLOCK:
        delta.anomalies.append(
            Anomaly(layer, raw, "device", f"{kind.value} {tar.devmajor}:{tar.devminor}")
        )
    elif kind is Kind.SYMLINK and link_escapes_root(path, link):
        delta.anomalies.append(Anomaly(layer, raw, "link-escapes-root", f"symlink to {link}"))
    elif kind is Kind.HARDLINK:
        link = normalize(link)[0]
        if link not in delta.entries:
            delta.anomalies.append(
                Anomaly(layer, raw, "hardlink-missing-target", f"hard link to missing {link}")
            )
    entry = FileEntry(path, kind, tar.mode, tar.size, tar.uid, tar.gid, link, layer)
    delta.entries[path] = entry
    if delta.captured:
        delta.captured.pop(path, None)
        if kind is Kind.HARDLINK and link in delta.captured:
            delta.captured[path] = delta.captured[link]
            return
    if tar.sparse:
        return  # stored bytes are not the file's content; nothing we read is sparse
    how = plan(entry, limits)
    if how is None:
        return
    if how is Capture.GO:
        head = reader.read(4)
        if head.startswith(gobuildinfo.EXECUTABLE_MAGICS):
            found = gobuildinfo.scan(cast(Any, reader), head, limits.max_buildinfo_bytes)
            if found is not None:
                delta.captured[path] = found
        return
    data = reader.read(entry.size)
    if how is Capture.LICENSE:
        delta.captured[path] = copyright_licenses(data.decode("utf-8", "replace"))
    else:
        delta.captured[path] = data
