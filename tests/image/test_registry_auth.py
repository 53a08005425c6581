"""Registry client over real HTTP on 127.0.0.1: Bearer and Basic challenges, indexes, platforms.

The server here is a small OCI distribution endpoint (manifests and blobs from an OCI layout)
with a token service, so the authentication round-trips run for real over sockets.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from seawall.errors import SourceError
from seawall.image.load import load_image
from seawall.image.sources.base import Platform

TOKEN = "t0ken-for-pull"


class _Handler(http.server.BaseHTTPRequestHandler):
    layout: Path
    mode: str  # "bearer" | "basic" | "anonymous"
    seen: list[str]

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.seen.append(self.path)
        host = self.headers["Host"]
        if self.path.startswith("/token"):
            if "scope=repository%3Aproject%2Fapp%3Apull" not in self.path:
                return self._send(400)
            return self._send(200, json.dumps({"token": TOKEN}).encode())
        auth = self.headers.get("Authorization", "")
        if self.mode == "bearer" and auth != f"Bearer {TOKEN}":
            challenge = f'Bearer realm="http://{host}/token",service="test-registry"'
            return self._send(401, b"{}", {"WWW-Authenticate": challenge})
        if self.mode == "basic" and auth != "Basic " + base64.b64encode(b"alice:s3cret").decode():
            return self._send(401, b"{}", {"WWW-Authenticate": 'Basic realm="test"'})
        parts = self.path.split("/")
        # /v2/project/app/manifests/<ref> or /v2/project/app/blobs/<digest>
        if len(parts) != 6 or parts[:4] != ["", "v2", "project", "app"]:
            return self._send(404)
        kind, ref = parts[4], parts[5]
        index = json.loads((self.layout / "index.json").read_text())
        if kind == "manifests" and not ref.startswith("sha256:"):
            body = json.dumps(
                {**index, "mediaType": "application/vnd.oci.image.index.v1+json"}
            ).encode()
            return self._send(
                200, body, {"Content-Type": "application/vnd.oci.image.index.v1+json"}
            )
        blob = self.layout / "blobs" / "sha256" / ref.removeprefix("sha256:")
        if not blob.is_file():
            return self._send(404)
        media = (
            "application/vnd.oci.image.manifest.v1+json"
            if kind == "manifests"
            else "application/octet-stream"
        )
        return self._send(
            200, blob.read_bytes(), {"Content-Type": media, "Docker-Content-Digest": ref}
        )


@pytest.fixture
def serve(kit, tmp_path: Path) -> Iterator:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(mode: str) -> tuple[str, list[str]]:
        spec = kit.spec(
            layers=[
                [kit.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.0\n")],
                [kit.file("app", "x")],
            ],
            config={"User": "app"},
        )
        layout = kit.oci_layout(
            spec, tmp_path / f"layout-{mode}", index_platforms=["linux/arm64", "linux/amd64"]
        )
        seen: list[str] = []
        handler = type("H", (_Handler,), {"layout": layout, "mode": mode, "seen": seen})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"127.0.0.1:{server.server_address[1]}", seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_bearer_token_flow_and_platform(serve) -> None:
    host, seen = serve("bearer")
    image = load_image(
        f"registry:{host}/project/app:1", insecure=True, platform=Platform.parse("linux/arm64")
    )
    assert image.source == "registry"
    assert image.inventory.os.ecosystem == "Alpine:v3.20"
    assert sorted(e.path for e in image.fs) == ["app", "etc/os-release"]
    assert any(p.startswith("/token?") for p in seen)
    assert image.manifest_digest and image.manifest_digest.startswith("sha256:")


def test_basic_auth_from_environment(
    serve, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    host, _ = serve("basic")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "no-docker-config"))
    with pytest.raises(SourceError, match="requires credentials"):
        load_image(f"registry:{host}/project/app:1", insecure=True)
    monkeypatch.setenv("SEAWALL_REGISTRY_USERNAME", "alice")
    monkeypatch.setenv("SEAWALL_REGISTRY_PASSWORD", "s3cret")
    assert load_image(f"registry:{host}/project/app:1", insecure=True).runtime["User"] == "app"


def test_unknown_repository_and_unreachable_registry(serve) -> None:
    from seawall.errors import DaemonError

    host, _ = serve("anonymous")
    with pytest.raises(SourceError, match="404"):
        load_image(f"registry:{host}/project/missing:1", insecure=True)
    with pytest.raises(DaemonError, match="cannot reach registry"):
        load_image("registry:127.0.0.1:1/project/app:1", insecure=True)
