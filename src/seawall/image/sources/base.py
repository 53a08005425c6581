"""The shape every image source produces: a config document plus layer blobs to stream."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from seawall.errors import SourceError
from seawall.image.streams import one_line

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")

MEDIA_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MEDIA_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = frozenset({MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST})
MANIFEST_TYPES = frozenset({MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST})


@dataclass(frozen=True)
class LayerBlob:
    """One layer to stream. ``digest`` is the blob (possibly compressed) digest when known."""

    index: int
    media_type: str
    digest: str | None
    diff_id: str | None
    size: int | None
    open: Callable[[], BinaryIO]
    # Each open() is an independent, seekable handle on a local file: the layer can then be
    # hashed by a second reader in parallel while the first skips unread file bodies.
    local_file: bool = False


@dataclass(frozen=True)
class RawImage:
    """An image located but not yet read: its config and the layers to stream."""

    reference: str
    kind: str  # docker-archive | oci-layout | daemon | registry
    config: Mapping[str, Any]
    layers: tuple[LayerBlob, ...]
    config_digest: str | None = None
    manifest_digest: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Platform:
    """``os/arch[/variant]`` as in ``--platform linux/arm64/v8``."""

    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``os/arch[/variant]``; raises SourceError on malformed text."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise SourceError(text, "platform must look like os/arch[/variant], e.g. linux/amd64")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    @classmethod
    def host(cls) -> Platform:
        """linux on this machine's architecture (images are Linux images)."""
        import os

        machine = os.uname().machine.lower()  # the platform module costs 3 ms to import
        arch = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(
            machine, machine
        )
        return cls("linux", arch)

    def matches(self, descriptor_platform: Mapping[str, Any] | None) -> bool:
        """Whether an index entry's ``platform`` object is this platform."""
        if not descriptor_platform:
            return False
        if descriptor_platform.get("os") != self.os:
            return False
        if descriptor_platform.get("architecture") != self.architecture:
            return False
        if self.variant is None:
            return True
        variant = descriptor_platform.get("variant")
        if self.architecture == "arm64" and self.variant == "v8" and not variant:
            return True
        return bool(variant == self.variant)

    def __str__(self) -> str:
        return f"{self.os}/{self.architecture}" + (f"/{self.variant}" if self.variant else "")


def parse_json(data: bytes, what: str) -> Any:
    """Decode a JSON document from an image, as a SourceError when it is not valid JSON."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(what, f"invalid JSON ({one_line(exc)})") from None


def check_digest(digest: Any, what: str) -> str:
    """A ``sha256:<64 hex>`` digest, or SourceError (digests become file names: no traversal)."""
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise SourceError(what, f"unsupported or malformed digest {digest!r}")
    return digest


def pick_manifest(
    index: Mapping[str, Any], platform: Platform | None, what: str, tag: str | None = None
) -> Mapping[str, Any]:
    """Choose one descriptor from an image index / manifest list."""
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not manifests:
        raise SourceError(what, "image index lists no manifests")
    candidates = [m for m in manifests if isinstance(m, Mapping)]
    if tag is not None:
        named = [
            m
            for m in candidates
            if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == tag
            or (m.get("annotations") or {}).get("io.containerd.image.name", "").endswith(":" + tag)
        ]
        candidates = named or candidates
    with_platform = [m for m in candidates if m.get("platform")]
    if not with_platform:
        if platform is not None and len(candidates) > 1:
            raise SourceError(what, f"no platform information to choose {platform}")
        return candidates[0]
    # Attestation manifests (BuildKit) carry platform unknown/unknown: never pick them.
    real = [m for m in with_platform if (m.get("platform") or {}).get("os") != "unknown"]
    wanted = platform or Platform.host()
    for m in real:
        if wanted.matches(m.get("platform")):
            return m
    if platform is None and len(real) == 1:
        return real[0]
    available = ", ".join(
        sorted(
            "/".join(str(p.get(k)) for k in ("os", "architecture", "variant") if p.get(k))
            for p in (m.get("platform") or {} for m in real)
        )
    )
    raise SourceError(what, f"no image for platform {wanted} (available: {available})")


def layer_plan(
    manifest: Mapping[str, Any], config: Mapping[str, Any], what: str
) -> list[tuple[str, str, int | None, str | None]]:
    """(media type, digest, size, diff_id) for each layer of an OCI/Docker manifest."""
    layers = manifest.get("layers")
    if not isinstance(layers, list):
        raise SourceError(what, "manifest has no 'layers' list")
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    if diff_ids and len(diff_ids) != len(layers):
        raise SourceError(
            what, f"manifest lists {len(layers)} layers but config has {len(diff_ids)} diff_ids"
        )
    plan = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Mapping):
            raise SourceError(what, f"layer {i}: malformed descriptor")
        digest = check_digest(layer.get("digest"), what)
        size = layer.get("size")
        plan.append(
            (
                str(layer.get("mediaType", "")),
                digest,
                size if isinstance(size, int) else None,
                diff_ids[i] if i < len(diff_ids) else None,
            )
        )
    return plan
