"""Resolving an image tag to the digest it points at, for pinning ``FROM image:tag@sha256:…``.

Two sources, tried in order: the registry over the OCI distribution API (a ``HEAD`` of the
manifest, reading ``Docker-Content-Digest``; anonymous, Basic or Bearer-token auth through
``seawall.image``'s registry client), then the local Docker daemon (``RepoDigests`` of the image).
A registry answer is what a build would pull now; a daemon's copy may be older than the tag, so
callers treat it as less certain. Resolution needs the network and is opt-in
(``seawall check --resolve-digests``, or ``resolve-digests = true`` in DF003's options). Failures never raise: they are reported as a reason.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import re
import urllib.request
from dataclasses import dataclass
from typing import Any

from seawall.errors import DaemonError, SeawallError, SourceError
from seawall.image.reference import parse_reference
from seawall.image.sources.base import (
    MEDIA_DOCKER_LIST,
    MEDIA_DOCKER_MANIFEST,
    MEDIA_OCI_INDEX,
    MEDIA_OCI_MANIFEST,
)
from seawall.image.sources.daemon import daemon_client
from seawall.image.sources.registry import RegistryClient
from seawall.image.streams import read_capped

REGISTRY = "registry"
DAEMON = "daemon"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_MAX_MANIFEST_BYTES = 4 << 20
_TIMEOUT = 30
# An index digest first: pinning it keeps a multi-platform base multi-platform.
_ACCEPT = ", ".join([MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST])


@dataclass(frozen=True)
class DigestResolution:
    """The digest an image reference resolves to (with where it came from), or why not."""

    image: str
    digest: str | None
    source: str = ""  # REGISTRY or DAEMON when resolved
    reason: str = ""  # why it could not be resolved


def _is_loopback(registry: str) -> bool:
    """Whether a registry host is on this machine (Docker talks plain HTTP to those)."""
    host = registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same_repository(left: str, right: str) -> bool:
    """Whether two references name the same registry and repository (tags/digests ignored)."""
    try:
        a, b = parse_reference(left), parse_reference(right)
    except SeawallError:
        return False
    return (a.registry, a.repository) == (b.registry, b.repository)


class DigestResolver:
    """Resolves references to digests, remembering every answer for the life of the object."""

    def __init__(self, *, use_registry: bool = True, use_daemon: bool = True) -> None:
        self.use_registry = use_registry
        self.use_daemon = use_daemon
        self._answers: dict[str, DigestResolution] = {}
        self._daemon: Any = None
        self._daemon_error: str | None = None

    def __call__(self, image: str) -> DigestResolution:
        """The resolution of ``image`` (``name[:tag]``); cached."""
        answer = self._answers.get(image)
        if answer is None:
            answer = self._answers[image] = self._resolve(image)
        return answer

    def _resolve(self, image: str) -> DigestResolution:
        reasons: list[str] = []
        if self.use_registry:
            try:
                return DigestResolution(image, self._from_registry(image), REGISTRY)
            except SeawallError as exc:
                reasons.append(f"registry: {exc}")
        if self.use_daemon:
            try:
                return DigestResolution(image, self._from_daemon(image), DAEMON)
            except SeawallError as exc:
                reasons.append(f"daemon: {exc}")
        return DigestResolution(image, None, reason="; ".join(reasons) or "no source enabled")

    def _from_registry(self, image: str) -> str:
        ref = parse_reference(image)
        client = _ManifestHeadClient(ref, insecure=_is_loopback(ref.registry))
        url = client._url("manifests", ref.version)
        with client.get(url, _ACCEPT) as response:
            digest = response.headers.get("Docker-Content-Digest")
        if not digest:  # some registries omit the header on HEAD: hash the manifest itself
            client.head = False
            with client.get(url, _ACCEPT) as response:
                body = read_capped(response, _MAX_MANIFEST_BYTES, image)
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if not _DIGEST.match(digest):
            raise SourceError(image, f"registry returned an unusable digest {digest!r}")
        return str(digest)

    def _from_daemon(self, image: str) -> str:
        client = self._daemon_client()
        import docker.errors

        try:
            attrs = client.images.get(image).attrs
        except docker.errors.ImageNotFound:
            raise SourceError(image, "not in the local Docker daemon") from None
        except docker.errors.DockerException as exc:
            raise DaemonError(f"Docker daemon error for {image}: {exc}") from None
        for entry in attrs.get("RepoDigests") or ():
            name, _, digest = str(entry).partition("@")
            if _DIGEST.match(digest) and _same_repository(name, image):
                return digest
        raise SourceError(image, "the daemon's copy has no registry digest (built or imported)")

    def _daemon_client(self) -> Any:
        if self._daemon_error is not None:
            raise DaemonError(self._daemon_error)
        if self._daemon is None:
            try:
                self._daemon = daemon_client()
            except DaemonError as exc:
                self._daemon_error = str(exc)
                raise
        return self._daemon


class _ManifestHeadClient(RegistryClient):
    """The registry client asking with HEAD (only the digest header is needed), or GET."""

    head = True

    def _send(self, url: str, accept: str | None) -> Any:
        request = urllib.request.Request(url, method="HEAD" if self.head else "GET")
        if accept:
            request.add_header("Accept", accept)
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        return self._opener.open(request, timeout=_TIMEOUT)


def resolver_for(args: argparse.Namespace) -> DigestResolver:
    """The digest resolver of a command run, created once and shared by check and fix."""
    resolver = getattr(args, "digest_resolver", None)
    if not isinstance(resolver, DigestResolver):
        resolver = DigestResolver()
        args.digest_resolver = resolver
    return resolver
