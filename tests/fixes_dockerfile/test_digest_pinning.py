"""DF003 fix: pin a base image by the digest a real registry (or the local daemon) reports.

A busybox image is pushed to a real ``docker-registry`` on 127.0.0.1; ``check --resolve-digests
--fix`` must rewrite ``FROM 127.0.0.1:PORT/busybox:1`` to ``…/busybox:1@sha256:…`` with the digest
the registry serves. A small in-process registry endpoint covers Bearer-token auth and a HEAD
answer without the digest header.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.daemon import DockerDaemon
from harness.registry import Registry
from seawall.cli import main
from seawall.config import Config
from seawall.fixes.digest import DigestResolver
from seawall.model.fix import Applicability, Fix
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.targets.dockerfile import check_dockerfile

MANIFEST_ACCEPT = (
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json"
)


@pytest.fixture(scope="module")
def pushed_busybox(
    dockerd: DockerDaemon, busybox_image: str, registry: Registry
) -> tuple[str, str]:
    """``127.0.0.1:PORT/busybox:1`` pushed to the registry, and the digest the registry serves."""
    ref = registry.ref("busybox", "1")
    dockerd.run_cli("tag", busybox_image, ref)
    dockerd.run_cli("push", ref)
    request = urllib.request.Request(
        f"{registry.url}/v2/busybox/manifests/1", headers={"Accept": MANIFEST_ACCEPT}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return ref, "sha256:" + hashlib.sha256(body).hexdigest()


def _df003_fixes(path: Path, resolver: object) -> list[Fix]:
    extra = {"digest_resolver": resolver} if resolver is not None else None
    report = check_dockerfile(path, path.name, Config(select=("DF003",)), extra=extra)
    assert not report.errors
    fixes = [f.fix for f in report.findings if f.rule_id == "DF003"]
    assert all(fix is not None for fix in fixes)
    return [fix for fix in fixes if fix is not None]


def test_registry_digest_is_what_the_registry_serves(pushed_busybox: tuple[str, str]) -> None:
    ref, digest = pushed_busybox
    resolution = DigestResolver(use_daemon=False)(ref)
    assert (resolution.digest, resolution.source) == (digest, "registry")


def test_check_fix_pins_from_by_registry_digest(
    pushed_busybox: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, digest = pushed_busybox
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f'FROM {ref} AS base\nRUN true\n\nFROM base\nCMD ["sh"]\n')
    code = main(["check", "--select", "DF003", "--resolve-digests", "--fix", str(dockerfile)])
    capsys.readouterr()
    fixed = dockerfile.read_text()
    assert fixed == f'FROM {ref}@{digest} AS base\nRUN true\n\nFROM base\nCMD ["sh"]\n'
    assert code == 0  # DF003 no longer fires
    assert parse_dockerfile(SourceFile("Dockerfile", fixed)).stages[0].base == f"{ref}@{digest}"


def test_copy_from_image_is_pinned_too(
    pushed_busybox: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, digest = pushed_busybox
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM scratch\nCOPY --from={ref} /bin/busybox /busybox\n")
    code = main(["check", "--select", "DF003", "--resolve-digests", "--diff", str(dockerfile)])
    out = capsys.readouterr().out
    assert code == 0
    assert f"+COPY --from={ref}@{digest} /bin/busybox /busybox" in out
    assert dockerfile.read_text() == f"FROM scratch\nCOPY --from={ref} /bin/busybox /busybox\n"


def test_daemon_digest_is_an_unsafe_fix(
    pushed_busybox: tuple[str, str],
    dockerd: DockerDaemon,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref, digest = pushed_busybox
    monkeypatch.setenv("DOCKER_HOST", dockerd.docker_host)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {ref}\n")
    resolver = DigestResolver(use_registry=False)
    assert resolver(ref).digest == digest  # RepoDigests recorded by the push
    (fix,) = _df003_fixes(dockerfile, resolver)
    assert fix.applicability is Applicability.UNSAFE
    assert fix.edits[0].content == f"@{digest}"


def test_without_the_option_only_a_suggestion(
    pushed_busybox: tuple[str, str], tmp_path: Path
) -> None:
    ref, _ = pushed_busybox
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {ref}\n")
    (fix,) = _df003_fixes(dockerfile, None)
    assert fix.applicability is Applicability.DISPLAY_ONLY
    assert "--resolve-digests" in fix.title


def test_unresolvable_reference_stays_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")
    dockerfile = tmp_path / "Dockerfile"
    original = "FROM 127.0.0.1:1/nothing/here:1\n"
    dockerfile.write_text(original)
    (fix,) = _df003_fixes(dockerfile, DigestResolver())
    assert fix.applicability is Applicability.DISPLAY_ONLY
    assert "registry:" in fix.title and "daemon:" in fix.title
    code = main(["check", "--select", "DF003", "--resolve-digests", "--fix", str(dockerfile)])
    capsys.readouterr()
    assert code == 1 and dockerfile.read_text() == original


def test_build_variables_are_not_pinned(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG TAG=1\nFROM 127.0.0.1:1/busybox:${TAG}\n")
    calls: list[str] = []

    def resolver(image: str) -> None:  # never consulted: the written text is not the image
        calls.append(image)
        raise AssertionError("resolver called")

    (fix,) = _df003_fixes(dockerfile, resolver)
    assert fix.applicability is Applicability.DISPLAY_ONLY and calls == []


# --- a registry endpoint with Bearer-token auth, in process ----------------------------------

MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                       "manifests": []}).encode()  # fmt: skip
TOKEN = "pull-token"


class _TokenRegistry(http.server.BaseHTTPRequestHandler):
    send_digest_on_head = True
    seen: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, body: bool) -> None:
        self.seen.append(f"{self.command} {self.path}")
        host = self.headers["Host"]
        if self.path.startswith("/token"):
            payload = json.dumps({"token": TOKEN}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_response(401)
            realm = f'Bearer realm="http://{host}/token",service="test"'
            self.send_header("WWW-Authenticate", realm)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path != "/v2/team/base/manifests/2":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.oci.image.index.v1+json")
        self.send_header("Content-Length", str(len(MANIFEST)))
        if body or self.send_digest_on_head:
            digest = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if body:
            self.wfile.write(MANIFEST)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)


@pytest.fixture()
def token_registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    _TokenRegistry.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("digest_on_head", [True, False])
def test_bearer_token_and_head(
    token_registry: str, digest_on_head: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_TokenRegistry, "send_digest_on_head", digest_on_head)
    resolution = DigestResolver(use_daemon=False)(f"{token_registry}/team/base:2")
    assert resolution.digest == "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
    requests = [line.split("?")[0] for line in _TokenRegistry.seen]
    expected = ["HEAD /v2/team/base/manifests/2", "GET /token", "HEAD /v2/team/base/manifests/2"]
    if not digest_on_head:
        expected.append("GET /v2/team/base/manifests/2")
    assert requests == expected


def test_missing_repository_is_a_reason(token_registry: str) -> None:
    resolution = DigestResolver(use_daemon=False)(f"{token_registry}/team/other:2")
    assert resolution.digest is None and "404" in resolution.reason


def test_config_option_enables_resolution(
    pushed_busybox: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, digest = pushed_busybox
    (tmp_path / ".seawall.toml").write_text("[rules.DF003]\nresolve-digests = true\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {ref}\n")
    assert main(["check", "--select", "DF003", "--fix", str(dockerfile)]) == 0
    capsys.readouterr()
    assert dockerfile.read_text() == f"FROM {ref}@{digest}\n"
