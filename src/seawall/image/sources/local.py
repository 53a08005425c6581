"""Images on disk: ``docker save`` tarballs (legacy and OCI-hybrid) and OCI layouts (dir or tar).

``manifest.json`` (docker save) is preferred over ``index.json`` (OCI layout), as Docker >= 25
writes both. Member names and digests are data: they are looked up, never joined onto host paths
without checking that they stay inside the layout.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from seawall.errors import SourceError
from seawall.image.filesystem import normalize
from seawall.image.limits import Limits
from seawall.image.sources.base import (
    INDEX_TYPES,
    LayerBlob,
    Platform,
    RawImage,
    check_digest,
    layer_plan,
    parse_json,
    pick_manifest,
)
from seawall.image.streams import one_line, read_capped

_MAX_OUTER_MEMBERS = 1_000_000
_MAX_INDEX_DEPTH = 4


class BlobStore(Protocol):
    """Read access to files of an image layout by relative name."""

    label: str
    # open() gives independent seekable handles on local files (see LayerBlob.local_file).
    local_files: bool

    def exists(self, name: str) -> bool:
        """Whether ``name`` exists."""
        ...

    def open(self, name: str) -> BinaryIO:
        """A stream of ``name``'s bytes."""
        ...


class DirStore:
    """An extracted layout directory; names are confined to it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)
        self.local_files = True

    def _path(self, name: str) -> Path:
        clean, escaped = normalize(name)
        candidate = (self.root / clean).resolve()
        if escaped or (candidate != self.root and self.root not in candidate.parents):
            raise SourceError(self.label, f"{name!r} points outside the layout")
        return candidate

    def exists(self, name: str) -> bool:
        """Whether ``name`` is a file inside the layout."""
        try:
            return self._path(name).is_file()
        except SourceError:
            return False

    def open(self, name: str) -> BinaryIO:
        """Open ``name`` for reading."""
        try:
            return self._path(name).open("rb")
        except OSError as exc:
            raise SourceError(self.label, f"cannot read {name}: {exc.strerror}") from None


class TarStore:
    """A tar archive (docker save output or an OCI layout tar), read without extracting."""

    def __init__(self, archive: tarfile.TarFile, label: str, path: Path | None = None) -> None:
        self.label = label
        # Direct byte-range reads need an uncompressed archive (offsets are then file offsets).
        plain = type(archive.fileobj) is io.BufferedReader
        self._path = path if path is not None and plain else None
        self.local_files = self._path is not None
        self._archive = archive
        self._members: dict[str, tarfile.TarInfo] = {}
        for count, info in enumerate(archive, 1):
            if count > _MAX_OUTER_MEMBERS:
                raise SourceError(label, f"more than {_MAX_OUTER_MEMBERS} archive members")
            self._members[normalize(info.name)[0]] = info
        archive.members = []  # type: ignore[attr-defined]  # the index above is all we keep

    def _member(self, name: str) -> tarfile.TarInfo | None:
        current = normalize(name)[0]
        for _ in range(16):  # docker save links layer.tar files to blobs; follow a few hops only
            info = self._members.get(current)
            if info is None:
                return None
            if info.issym():
                base = os.path.dirname(current)
                target = info.linkname
                current = normalize(target if target.startswith("/") else f"{base}/{target}")[0]
            elif info.islnk():
                current = normalize(info.linkname)[0]
            else:
                return info if info.isreg() else None
        return None

    def exists(self, name: str) -> bool:
        """Whether ``name`` is a regular file (after links) in the archive."""
        return self._member(name) is not None

    def open(self, name: str) -> BinaryIO:
        """A stream of one member's bytes."""
        info = self._member(name)
        if info is None:
            raise SourceError(self.label, f"archive has no file {name}")
        if self._path is not None and not info.sparse:
            # A plain member of an uncompressed tar on disk: read its byte range directly,
            # without tarfile's per-read Python layer (layers are hundreds of MB).
            handle = self._path.open("rb")
            return cast(BinaryIO, _Window(handle, info.offset_data, info.size))
        stream = self._archive.extractfile(info)
        if stream is None:  # pragma: no cover - regular files always have a stream
            raise SourceError(self.label, f"cannot read {name}")
        return stream  # type: ignore[return-value]


class _Window(io.RawIOBase):
    """``size`` bytes of an open file from ``start``, seekable within; closes the file when closed."""

    def __init__(self, handle: Any, start: int, size: int) -> None:
        self._handle = handle
        self._start = start
        self._size = size
        self._pos = 0
        handle.seek(start)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = min(max(base + offset, 0), self._size)
        self._handle.seek(self._start + self._pos)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        left = self._size - self._pos
        if left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), left)]
        n = self._handle.readinto(view) or 0
        self._pos += n
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()


def _read_json(store: BlobStore, name: str, limits: Limits) -> Any:
    with store.open(name) as stream:
        return parse_json(
            read_capped(stream, limits.max_json_bytes, f"{store.label}:{name}"),
            f"{store.label}:{name}",
        )


def _blob_name(digest: str) -> str:
    algorithm, hexdigest = digest.split(":", 1)
    return f"blobs/{algorithm}/{hexdigest}"


def from_store(
    store: BlobStore, limits: Limits, platform: Platform | None, tag: str | None = None
) -> RawImage:
    """Locate the image: docker-save ``manifest.json`` first, then OCI ``index.json``."""
    if store.exists("manifest.json"):
        return _docker_archive(store, limits, tag)
    if store.exists("index.json"):
        return _oci_layout(store, limits, platform, tag)
    raise SourceError(
        store.label, "neither a docker-save archive (manifest.json) nor an OCI layout (index.json)"
    )


def _docker_archive(store: BlobStore, limits: Limits, tag: str | None) -> RawImage:
    label = store.label
    manifest = _read_json(store, "manifest.json", limits)
    if not isinstance(manifest, list) or not manifest or not isinstance(manifest[0], Mapping):
        raise SourceError(label, "manifest.json is not a list of images")
    chosen: Mapping[str, Any] = manifest[0]
    if tag is not None:
        for item in manifest:
            if isinstance(item, Mapping) and any(
                t == tag or t.endswith(":" + tag) for t in item.get("RepoTags") or []
            ):
                chosen = item
                break
    config_name = chosen.get("Config")
    layer_names = chosen.get("Layers")
    if not isinstance(config_name, str) or not isinstance(layer_names, list):
        raise SourceError(label, "manifest.json entry lacks Config or Layers")
    config = _read_json(store, config_name, limits)
    if not isinstance(config, Mapping):
        raise SourceError(label, "image config is not a JSON object")
    if len(layer_names) > limits.max_layers:
        raise SourceError(label, f"more than {limits.max_layers} layers")
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    if diff_ids and len(diff_ids) != len(layer_names):
        raise SourceError(label, "manifest.json and config disagree on the number of layers")
    layers = []
    for i, name in enumerate(layer_names):
        if not isinstance(name, str) or not store.exists(name):
            raise SourceError(label, f"layer {i} ({name!r}) is missing from the archive")
        layers.append(
            LayerBlob(
                index=i,
                media_type="",
                digest=None,
                diff_id=diff_ids[i] if i < len(diff_ids) else None,
                size=None,
                open=functools.partial(store.open, name),
                local_file=store.local_files,
            )
        )
    tags = tuple(t for t in chosen.get("RepoTags") or [] if isinstance(t, str))
    config_digest = None
    base = os.path.basename(config_name).removesuffix(".json")
    if len(base) == 64:
        config_digest = "sha256:" + base
    return RawImage(
        reference=label,
        kind="docker-archive",
        config=config,
        layers=tuple(layers),
        config_digest=config_digest,
        tags=tags,
    )


def _oci_layout(
    store: BlobStore, limits: Limits, platform: Platform | None, tag: str | None
) -> RawImage:
    label = store.label
    node: Mapping[str, Any] = _read_json(store, "index.json", limits)
    descriptor: Mapping[str, Any] | None = None
    for depth in range(_MAX_INDEX_DEPTH + 1):
        if not isinstance(node, Mapping):
            raise SourceError(label, "index is not a JSON object")
        is_index = "manifests" in node or node.get("mediaType") in INDEX_TYPES
        if not is_index:
            break
        if depth == _MAX_INDEX_DEPTH:
            raise SourceError(label, "image indexes nested too deeply")
        descriptor = pick_manifest(node, platform, label, tag if depth == 0 else None)
        digest = check_digest(descriptor.get("digest"), label)
        node = _read_json(store, _blob_name(digest), limits)
    manifest = node
    config_desc = manifest.get("config")
    if not isinstance(config_desc, Mapping):
        raise SourceError(label, "manifest has no config descriptor")
    config_digest = check_digest(config_desc.get("digest"), label)
    config = _read_json(store, _blob_name(config_digest), limits)
    if not isinstance(config, Mapping):
        raise SourceError(label, "image config is not a JSON object")
    plan = layer_plan(manifest, config, label)
    if len(plan) > limits.max_layers:
        raise SourceError(label, f"more than {limits.max_layers} layers")
    layers = []
    for i, (media_type, digest, size, diff_id) in enumerate(plan):
        name = _blob_name(digest)
        if not store.exists(name):
            raise SourceError(label, f"layer {i} blob {digest} is missing from the layout")
        layers.append(
            LayerBlob(
                i,
                media_type,
                digest,
                diff_id,
                size,
                functools.partial(store.open, name),
                local_file=store.local_files,
            )
        )
    tags: tuple[str, ...] = ()
    if descriptor is not None:
        ref_name = (descriptor.get("annotations") or {}).get("org.opencontainers.image.ref.name")
        if isinstance(ref_name, str):
            tags = (ref_name,)
    return RawImage(
        reference=label,
        kind="oci-layout",
        config=config,
        layers=tuple(layers),
        config_digest=config_digest,
        manifest_digest=check_digest(descriptor.get("digest"), label) if descriptor else None,
        tags=tags,
    )


@contextlib.contextmanager
def open_path(
    path: Path, limits: Limits, platform: Platform | None, tag: str | None = None
) -> Iterator[RawImage]:
    """Open a tar file or layout directory on disk as a RawImage."""
    if path.is_dir():
        yield from_store(DirStore(path), limits, platform, tag)
        return
    try:
        archive = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError):
        raise SourceError(str(path), "not a readable tar archive") from None
    with archive:
        try:
            store = TarStore(archive, str(path), path)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise SourceError(str(path), f"corrupt tar archive ({one_line(exc)})") from None
        yield from_store(store, limits, platform, tag)


@contextlib.contextmanager
def open_fileobj(
    fileobj: BinaryIO, label: str, limits: Limits, path: Path | None = None
) -> Iterator[RawImage]:
    """Open a seekable docker-save stream (e.g. a spooled daemon export) as a RawImage.

    ``path``: the file ``fileobj`` reads, when there is one (layers are then read by range).
    """
    try:
        archive = tarfile.open(fileobj=fileobj, mode="r:")  # noqa: SIM115 - closed below
    except tarfile.TarError as exc:
        raise SourceError(label, f"not a tar archive ({one_line(exc)})") from None
    with archive:
        yield from_store(TarStore(archive, label, path), limits, None)
