"""Reading one layer tar as a stream into a :class:`LayerDelta` (whiteouts, entries, captures)."""

from __future__ import annotations

import posixpath
import tarfile
from typing import Any, BinaryIO

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
from seawall.image.streams import is_stream_error, one_line

_MAX_HEADER = 1 << 20  # pax / GNU long-name headers are read into memory: cap them


class _GuardedTarInfo(tarfile.TarInfo):
    """A TarInfo that refuses oversized extended headers before tarfile reads them."""

    def _proc_member(self, tarfile_: tarfile.TarFile) -> Any:
        extended = (
            tarfile.GNUTYPE_LONGNAME,
            tarfile.GNUTYPE_LONGLINK,
            tarfile.XHDTYPE,
            tarfile.XGLTYPE,
            tarfile.SOLARIS_XHDTYPE,
        )
        if self.type in extended and self.size > _MAX_HEADER:
            raise tarfile.HeaderError(f"extended header of {self.size} bytes")
        return super()._proc_member(tarfile_)  # type: ignore[misc]


def _kind(info: tarfile.TarInfo) -> Kind | None:
    if info.isreg():
        return Kind.FILE
    if info.isdir():
        return Kind.DIR
    if info.issym():
        return Kind.SYMLINK
    if info.islnk():
        return Kind.HARDLINK
    if info.ischr():
        return Kind.CHAR
    if info.isblk():
        return Kind.BLOCK
    if info.isfifo():
        return Kind.FIFO
    return None


class EntryCounter:
    """Counts tar entries over all layers of one image."""

    def __init__(self, what: str, limit: int) -> None:
        self.what = what
        self.limit = limit
        self.count = 0

    def add(self) -> None:
        """Count one entry; raise SourceError past the limit."""
        self.count += 1
        if self.count > self.limit:
            raise SourceError(self.what, f"more than {self.limit} archive entries")


def read_layer(
    index: int, stream: BinaryIO, limits: Limits, counter: EntryCounter, what: str
) -> LayerDelta:
    """Walk a decompressed layer stream once; bodies are read only for planned captures."""
    delta = LayerDelta(index)
    try:
        try:
            archive = tarfile.open(fileobj=stream, mode="r|", tarinfo=_GuardedTarInfo)  # noqa: SIM115
        except tarfile.ReadError as exc:
            if "empty file" in str(exc):
                return delta
            raise
        for info in archive:
            counter.add()
            _take(delta, info, archive, limits)
    except SourceError:
        raise
    except Exception as exc:
        if not is_stream_error(exc):
            raise
        raise SourceError(
            what, f"layer {index}: corrupt archive ({type(exc).__name__}: {one_line(exc)})"
        ) from None
    return delta


def _take(
    delta: LayerDelta, info: tarfile.TarInfo, archive: tarfile.TarFile, limits: Limits
) -> None:
    raw = info.name
    path, escaped = normalize(raw)
    layer = delta.index
    if raw.startswith("/"):
        delta.anomalies.append(Anomaly(layer, raw, "absolute-path", "member name is absolute"))
    if escaped or ".." in raw.split("/"):
        delta.anomalies.append(Anomaly(layer, raw, "path-traversal", "member name contains '..'"))
    if not path:
        return
    parent, base = posixpath.split(path)
    if base == ".wh..wh..opq":
        delta.opaque_dirs.add(parent)
        return
    if base.startswith(".wh..wh."):
        return  # aufs bookkeeping (.wh..wh.plnk and friends), not content
    if base.startswith(".wh."):
        delta.whiteouts.add(posixpath.join(parent, base[4:]))
        return
    kind = _kind(info)
    if kind is None:
        delta.anomalies.append(Anomaly(layer, raw, "unknown-type", f"tar type {info.type!r}"))
        return
    link = info.linkname
    if kind in (Kind.CHAR, Kind.BLOCK):
        delta.anomalies.append(
            Anomaly(layer, raw, "device", f"{kind.value} {info.devmajor}:{info.devminor}")
        )
    elif kind is Kind.SYMLINK and link_escapes_root(path, link):
        delta.anomalies.append(Anomaly(layer, raw, "link-escapes-root", f"symlink to {link}"))
    elif kind is Kind.HARDLINK:
        link, _ = normalize(link)
        if link not in delta.entries:
            delta.anomalies.append(
                Anomaly(layer, raw, "hardlink-missing-target", f"hard link to missing {link}")
            )
    size = info.size if kind is Kind.FILE else 0
    entry = FileEntry(path, kind, info.mode & 0o7777, size, info.uid, info.gid, link, layer)
    delta.entries[path] = entry
    delta.captured.pop(path, None)
    if kind is Kind.HARDLINK and link in delta.captured:
        delta.captured[path] = delta.captured[link]
        return
    how = plan(entry, limits)
    if how is None:
        return
    body = archive.extractfile(info)
    if body is None:
        return
    if how is Capture.GO:
        head = body.read(4)
        if head.startswith(gobuildinfo.EXECUTABLE_MAGICS):
            found = gobuildinfo.scan(body, head, limits.max_buildinfo_bytes)  # type: ignore[arg-type]
            if found is not None:
                delta.captured[path] = found
        return
    data = body.read(size)
    if how is Capture.LICENSE:
        delta.captured[path] = copyright_licenses(data.decode("utf-8", "replace"))
    else:
        delta.captured[path] = data
