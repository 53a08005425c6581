"""Fixtures for image tests: deterministic in-memory image builders (docker-save and OCI layout)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Member:
    """One tar member to put in a layer."""

    name: str
    data: bytes = b""
    type: bytes = tarfile.REGTYPE
    mode: int = 0o644
    linkname: str = ""
    size: int | None = None  # override the header size (sparse/huge tricks)


def file(name: str, data: bytes | str = b"", mode: int = 0o644) -> Member:
    """A regular file member."""
    return Member(name, data.encode() if isinstance(data, str) else data, mode=mode)


def directory(name: str, mode: int = 0o755) -> Member:
    """A directory member."""
    return Member(name, type=tarfile.DIRTYPE, mode=mode)


def symlink(name: str, target: str) -> Member:
    """A symlink member."""
    return Member(name, type=tarfile.SYMTYPE, mode=0o777, linkname=target)


def hardlink(name: str, target: str) -> Member:
    """A hard link member."""
    return Member(name, type=tarfile.LNKTYPE, linkname=target)


def device(name: str) -> Member:
    """A character device member."""
    return Member(name, type=tarfile.CHRTYPE, mode=0o666)


def whiteout(path: str) -> Member:
    """A whiteout for ``path``."""
    parent, _, base = path.rpartition("/")
    return file(f"{parent}/.wh.{base}" if parent else f".wh.{base}")


def opaque(directory_path: str) -> Member:
    """An opaque-directory marker."""
    return file(f"{directory_path}/.wh..wh..opq")


def layer_tar(members: Sequence[Member]) -> bytes:
    """A deterministic (mtime 0) uncompressed layer tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.type = m.type
            info.mode = m.mode
            info.mtime = 0
            info.linkname = m.linkname
            if m.type == tarfile.REGTYPE:
                info.size = len(m.data)
                tar.addfile(info, io.BytesIO(m.data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def compress(data: bytes, how: str) -> bytes:
    """Compress a layer: 'none', 'gzip' or 'zstd'."""
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        import zstandard

        return zstandard.ZstdCompressor().compress(data)
    return data


def sha(data: bytes) -> str:
    """``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class ImageSpec:
    """An image to build: layers (lists of members), runtime config, history."""

    layers: list[list[Member]]
    config: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] | None = None
    architecture: str = "amd64"
    raw_layers: list[bytes] | None = None  # hand-made (hostile) layer blobs used as they are
    diff_ids: bool = True  # False: leave rootfs.diff_ids empty (no content verification)

    def layer_bytes(self) -> list[bytes]:
        """Each layer as an uncompressed tar (or the raw blobs)."""
        if self.raw_layers is not None:
            return list(self.raw_layers)
        return [layer_tar(layer) for layer in self.layers]

    def config_doc(self, diff_ids: list[str]) -> dict[str, Any]:
        """The image config document."""
        history = self.history
        if history is None:
            history = [{"created_by": f"/bin/sh -c #(nop) layer {i}"} for i in range(len(diff_ids))]
        return {
            "architecture": self.architecture,
            "os": "linux",
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": diff_ids if self.diff_ids else []},
            "history": history,
        }


def _tar_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def docker_save(spec: ImageSpec, path: Path, tag: str = "test/image:1") -> Path:
    """Write a legacy ``docker save`` tarball."""
    layers = spec.layer_bytes()
    diff_ids = [sha(b) for b in layers]
    config = json.dumps(spec.config_doc(diff_ids)).encode()
    files: dict[str, bytes] = {}
    names = []
    for i, data in enumerate(layers):
        name = f"{i:064x}/layer.tar"
        files[name] = data
        names.append(name)
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    files[config_name] = config
    files["manifest.json"] = json.dumps(
        [{"Config": config_name, "RepoTags": [tag], "Layers": names}]
    ).encode()
    path.write_bytes(_tar_bytes(files))
    return path


def oci_layout(
    spec: ImageSpec,
    path: Path,
    compression: str = "gzip",
    as_tar: bool = False,
    index_platforms: Sequence[str] | None = None,
) -> Path:
    """Write an OCI image layout (directory, or tar when ``as_tar``)."""
    blobs: dict[str, bytes] = {}
    layers = spec.layer_bytes()
    diff_ids = [sha(b) for b in layers]
    suffix = {"gzip": "+gzip", "zstd": "+zstd", "none": ""}[compression]
    descriptors = []
    for data in layers:
        packed = compress(data, compression)
        blobs[sha(packed)] = packed
        descriptors.append(
            {
                "mediaType": f"application/vnd.oci.image.layer.v1.tar{suffix}",
                "digest": sha(packed),
                "size": len(packed),
            }
        )
    config = json.dumps(spec.config_doc(diff_ids)).encode()
    blobs[sha(config)] = config
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha(config),
                "size": len(config),
            },
            "layers": descriptors,
        }
    ).encode()
    blobs[sha(manifest)] = manifest
    entries = []
    for platform in index_platforms or ["linux/amd64"]:
        os_name, arch = platform.split("/")[:2]
        entries.append(
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": sha(manifest),
                "size": len(manifest),
                "platform": {"os": os_name, "architecture": arch},
                "annotations": {"org.opencontainers.image.ref.name": "1"},
            }
        )
    index = json.dumps({"schemaVersion": 2, "manifests": entries}).encode()
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": index}
    for digest, data in blobs.items():
        files["blobs/sha256/" + digest.split(":")[1]] = data
    if as_tar:
        path.write_bytes(_tar_bytes(files))
    else:
        for name, data in files.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return path


@dataclass(frozen=True)
class Kit:
    """Builders handed to tests through the ``kit`` fixture."""

    file: Callable[..., Member] = file
    directory: Callable[..., Member] = directory
    symlink: Callable[..., Member] = symlink
    hardlink: Callable[..., Member] = hardlink
    device: Callable[..., Member] = device
    whiteout: Callable[..., Member] = whiteout
    opaque: Callable[..., Member] = opaque
    layer_tar: Callable[..., bytes] = layer_tar
    docker_save: Callable[..., Path] = docker_save
    oci_layout: Callable[..., Path] = oci_layout
    spec: type[ImageSpec] = ImageSpec
    member: type[Member] = Member
    sha: Callable[[bytes], str] = sha
    compress: Callable[[bytes, str], bytes] = compress


@pytest.fixture
def kit() -> Kit:
    """Image-building helpers."""
    return Kit()


@pytest.fixture(scope="session")
def debian_tar(dockerd: Any, debian_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Debian test image as ``docker save`` wrote it (shared by the modules that need it)."""
    path = tmp_path_factory.mktemp("debian") / "debian.tar"
    dockerd.run_cli("save", "-o", str(path), debian_image)
    return path


@pytest.fixture(scope="session")
def busybox_tar(dockerd: Any, busybox_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The busybox test image as ``docker save`` wrote it."""
    path = tmp_path_factory.mktemp("busybox") / "busybox.tar"
    dockerd.run_cli("save", "-o", str(path), busybox_image)
    return path
