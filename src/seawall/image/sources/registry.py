"""Pulling an image over the OCI distribution API with urllib: manifests, indexes, streamed blobs.

Authentication: anonymous, Basic (credentials from ``~/.docker/config.json`` ``auths`` entries or
``SEAWALL_REGISTRY_USERNAME``/``SEAWALL_REGISTRY_PASSWORD``), and Bearer tokens obtained from the
realm named in a ``WWW-Authenticate`` challenge. ``insecure`` switches to plain HTTP; over HTTPS
the certificate is verified against the system CAs plus, as Docker does, the ``*.crt`` files in
``/etc/docker/certs.d/<host[:port]>/`` or ``~/.docker/certs.d/<host[:port]>/`` (``SSL_CERT_FILE``
also works). Blobs are streamed from the response: memory does not grow with their size.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from seawall.errors import DaemonError, SourceError
from seawall.image.limits import Limits
from seawall.image.reference import DOCKER_HUB, Reference
from seawall.image.sources.base import (
    INDEX_TYPES,
    MANIFEST_TYPES,
    MEDIA_DOCKER_LIST,
    MEDIA_DOCKER_MANIFEST,
    MEDIA_OCI_INDEX,
    MEDIA_OCI_MANIFEST,
    LayerBlob,
    Platform,
    RawImage,
    check_digest,
    layer_plan,
    parse_json,
    pick_manifest,
)
from seawall.image.streams import one_line, read_capped

_ACCEPT = ", ".join([MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST])
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')
_TIMEOUT = 60
# Where Docker looks for a registry's private CA (``<folder>/<host[:port]>/*.crt``).
CERTS_D_FOLDERS = (Path("/etc/docker/certs.d"), Path.home() / ".docker" / "certs.d")


class _NoAuthOnRedirect(urllib.request.HTTPRedirectHandler):
    """Follow blob redirects (to object storage) without forwarding our Authorization header."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if (
            new is not None
            and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc
        ):
            new.headers.pop("Authorization", None)
            new.unredirected_hdrs.pop("Authorization", None)
        return new


def _tls_handler(registry: str) -> urllib.request.HTTPSHandler | None:
    """An HTTPS handler that also trusts the registry's CAs from a Docker certs.d folder."""
    cas = sorted(
        crt
        for folder in CERTS_D_FOLDERS
        if (folder / registry).is_dir()
        for crt in (folder / registry).glob("*.crt")
    )
    if not cas:
        return None
    import ssl

    context = ssl.create_default_context()
    for ca in cas:
        try:
            context.load_verify_locations(cafile=str(ca))
        except (OSError, ssl.SSLError) as exc:
            raise SourceError(registry, f"cannot load CA {ca}: {one_line(exc)}") from None
    return urllib.request.HTTPSHandler(context=context)


def _docker_config_auth(registry: str) -> str | None:
    folder = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
    try:
        data = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return None
    keys = [registry, f"https://{registry}", f"http://{registry}"]
    if registry == DOCKER_HUB:
        keys.append("https://index.docker.io/v1/")
    for key in keys:
        entry = auths.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("auth"), str):
            return entry["auth"]
    return None


def _tls_hint(reason: object) -> str:
    """What to do about a failed TLS handshake, if that is what ``reason`` is."""
    text = str(reason)
    if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
        return " (the registry speaks plain HTTP: use --insecure)"
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return " (put its CA in /etc/docker/certs.d/<host:port>/ca.crt or SSL_CERT_FILE)"
    return ""


class RegistryClient:
    """A minimal OCI distribution client for one registry and repository."""

    def __init__(self, ref: Reference, insecure: bool = False) -> None:
        self.ref = ref
        self.scheme = "http" if insecure else "https"
        handlers: list[urllib.request.BaseHandler] = [_NoAuthOnRedirect()]
        tls = None if insecure else _tls_handler(ref.registry)
        if tls is not None:
            handlers.append(tls)
        self._opener = urllib.request.build_opener(*handlers)
        self._authorization: str | None = None
        user = os.environ.get("SEAWALL_REGISTRY_USERNAME")
        password = os.environ.get("SEAWALL_REGISTRY_PASSWORD")
        if user and password:
            self._basic: str | None = base64.b64encode(f"{user}:{password}".encode()).decode()
        else:
            self._basic = _docker_config_auth(ref.registry)

    def _url(self, kind: str, ident: str) -> str:
        return f"{self.scheme}://{self.ref.registry}/v2/{self.ref.repository}/{kind}/{ident}"

    def _send(self, url: str, accept: str | None) -> Any:
        request = urllib.request.Request(url)
        if accept:
            request.add_header("Accept", accept)
        if self._authorization:
            request.add_header("Authorization", self._authorization)
        return self._opener.open(request, timeout=_TIMEOUT)

    def get(self, url: str, accept: str | None = None) -> Any:
        """GET with one authentication round-trip on 401; returns the open response."""
        what = str(self.ref)
        try:
            try:
                return self._send(url, accept)
            except urllib.error.HTTPError as exc:
                if exc.code != 401 or (
                    self._authorization is not None
                    and not exc.headers.get("WWW-Authenticate", "").lower().startswith("bearer")
                ):
                    raise
                challenge = exc.headers.get("WWW-Authenticate", "")
                exc.close()
                self._authenticate(challenge)
                return self._send(url, accept)
        except urllib.error.HTTPError as exc:
            reason = {401: "unauthorized", 403: "forbidden", 404: "not found"}.get(
                exc.code, exc.reason
            )
            raise SourceError(what, f"registry answered {exc.code} ({reason}) for {url}") from None
        except urllib.error.URLError as exc:
            raise DaemonError(
                f"{what}: cannot reach registry {self.ref.registry}: {one_line(exc.reason)}"
                + _tls_hint(exc.reason)
            ) from None
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise DaemonError(
                f"{what}: cannot reach registry {self.ref.registry}: {one_line(exc)}"
            ) from None

    def _authenticate(self, challenge: str) -> None:
        scheme, _, params_text = challenge.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            if not self._basic:
                raise SourceError(str(self.ref), "registry requires credentials (Basic auth)")
            self._authorization = f"Basic {self._basic}"
            return
        if scheme != "bearer":
            raise SourceError(str(self.ref), f"unsupported registry auth scheme {scheme!r}")
        params = dict(_CHALLENGE_PARAM.findall(params_text))
        realm = params.pop("realm", None)
        if not realm:
            raise SourceError(str(self.ref), "Bearer challenge without a realm")
        params.setdefault("scope", f"repository:{self.ref.repository}:pull")
        token_url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(params)
        request = urllib.request.Request(token_url)
        if self._basic:
            request.add_header("Authorization", f"Basic {self._basic}")
        try:
            with self._opener.open(request, timeout=_TIMEOUT) as response:
                body = parse_json(read_capped(response, 1 << 20, token_url), token_url)
        except urllib.error.HTTPError as exc:
            raise SourceError(str(self.ref), f"token service answered {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise DaemonError(f"{self.ref}: cannot reach token service: {one_line(exc)}") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceError(str(self.ref), "token service returned no token")
        self._authorization = f"Bearer {token}"

    def manifest(self, ident: str, limits: Limits) -> tuple[Mapping[str, Any], str, str | None]:
        """A manifest or index by tag or digest: (document, media type, digest header)."""
        with self.get(self._url("manifests", ident), _ACCEPT) as response:
            data = read_capped(response, limits.max_json_bytes, str(self.ref))
            media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
            digest = response.headers.get("Docker-Content-Digest")
        doc = parse_json(data, str(self.ref))
        if not isinstance(doc, Mapping):
            raise SourceError(str(self.ref), "manifest is not a JSON object")
        media = str(doc.get("mediaType") or media)
        if ident.startswith("sha256:"):
            import hashlib

            actual = "sha256:" + hashlib.sha256(data).hexdigest()
            if actual != ident:
                raise SourceError(str(self.ref), f"manifest digest mismatch ({actual} != {ident})")
            digest = ident
        return doc, media, digest

    def blob(self, digest: str) -> BinaryIO:
        """A streamed blob response."""
        stream: BinaryIO = self.get(self._url("blobs", check_digest(digest, str(self.ref))))
        return stream


def open_registry(
    ref: Reference, limits: Limits, platform: Platform | None, insecure: bool
) -> RawImage:
    """Resolve ``ref`` to one image manifest (choosing a platform from an index) and its config."""
    client = RegistryClient(ref, insecure)
    doc, media, digest = client.manifest(ref.version, limits)
    for _ in range(4):
        if media in INDEX_TYPES or "manifests" in doc:
            chosen = pick_manifest(doc, platform, str(ref))
            doc, media, digest = client.manifest(
                check_digest(chosen.get("digest"), str(ref)), limits
            )
            continue
        break
    if media not in MANIFEST_TYPES and "layers" not in doc:
        raise SourceError(str(ref), f"unsupported manifest type {media or 'unknown'}")
    config_desc = doc.get("config")
    if not isinstance(config_desc, Mapping):
        raise SourceError(str(ref), "manifest has no config descriptor")
    config_digest = check_digest(config_desc.get("digest"), str(ref))
    with client.blob(config_digest) as response:
        config_bytes = read_capped(response, limits.max_json_bytes, str(ref))
    import hashlib

    if "sha256:" + hashlib.sha256(config_bytes).hexdigest() != config_digest:
        raise SourceError(str(ref), "config blob digest mismatch")
    config = parse_json(config_bytes, str(ref))
    if not isinstance(config, Mapping):
        raise SourceError(str(ref), "image config is not a JSON object")
    plan = layer_plan(doc, config, str(ref))
    if len(plan) > limits.max_layers:
        raise SourceError(str(ref), f"more than {limits.max_layers} layers")
    layers = tuple(
        LayerBlob(
            i, media_type, layer_digest, diff_id, size, functools.partial(client.blob, layer_digest)
        )
        for i, (media_type, layer_digest, size, diff_id) in enumerate(plan)
    )
    return RawImage(
        reference=str(ref),
        kind="registry",
        config=config,
        layers=layers,
        config_digest=config_digest,
        manifest_digest=digest,
        # No tag and no digest means "latest", as docker pull reads it.
        tags=(f"{ref.registry}/{ref.repository}:{ref.tag or 'latest'}",) if not ref.digest else (),
    )
