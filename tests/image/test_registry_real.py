"""Pulling from a real ``docker-registry`` over HTTPS with Bearer-token and Basic authentication,
and choosing a platform from real manifest lists / image indexes.

Images are pushed anonymously to the plain session registry; HTTPS registries with htpasswd or
token authentication then serve the same storage (``secure_registry.py``).
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from secure_registry import (
    PASSWORD,
    USER,
    SecureRegistry,
    TokenService,
    make_certificate,
    start_secure_registry,
)

from harness.availability import provide
from seawall.cli import main
from seawall.errors import DaemonError, SourceError
from seawall.image.load import load_image
from seawall.image.sources import registry as registry_source
from seawall.image.sources.base import Platform

DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _sha(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def _put(url: str, data: bytes, media: str) -> None:
    request = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": media})
    urllib.request.urlopen(request).close()


def push_blob(registry_url: str, repo: str, data: bytes) -> str:
    """Monolithic blob upload over the distribution API; returns the digest."""
    digest = _sha(data)
    start = urllib.request.Request(f"{registry_url}/v2/{repo}/blobs/uploads/", method="POST")
    with urllib.request.urlopen(start) as response:
        location = response.headers["Location"]
    if location.startswith("/"):
        location = registry_url + location
    sep = "&" if "?" in location else "?"
    _put(f"{location}{sep}digest={digest}", data, "application/octet-stream")
    return digest


def push_image(registry_url: str, repo: str, layer: bytes, arch: str, docker: bool) -> dict:
    """Push a one-layer image (gzip); returns its descriptor with ``platform``."""
    packed = gzip.compress(layer, mtime=0)
    config = json.dumps(
        {
            "architecture": arch,
            "os": "linux",
            "config": {"User": "1000"},
            "rootfs": {"type": "layers", "diff_ids": [_sha(layer)]},
        }
    ).encode()
    media = DOCKER_MANIFEST if docker else OCI_MANIFEST
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": media,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json"
                if docker
                else "application/vnd.oci.image.config.v1+json",
                "digest": push_blob(registry_url, repo, config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip"
                    if docker
                    else "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": push_blob(registry_url, repo, packed),
                    "size": len(packed),
                }
            ],
        }
    ).encode()
    digest = _sha(manifest)
    _put(f"{registry_url}/v2/{repo}/manifests/{digest}", manifest, media)
    return {
        "mediaType": media,
        "digest": digest,
        "size": len(manifest),
        "platform": {"os": "linux", "architecture": arch},
    }


def push_multi_platform(registry_url: str, repo: str, tag: str, kit, docker: bool) -> None:
    """An index (OCI) or manifest list (Docker) of amd64 and arm64 images with different OS."""
    entries = [
        push_image(
            registry_url,
            repo,
            kit.layer_tar([kit.file("etc/os-release", f"ID=alpine\nVERSION_ID={version}\n")]),
            arch,
            docker,
        )
        for arch, version in (("amd64", "3.19.1"), ("arm64", "3.20.3"))
    ]
    media = DOCKER_LIST if docker else OCI_INDEX
    body = json.dumps({"schemaVersion": 2, "mediaType": media, "manifests": entries}).encode()
    _put(f"{registry_url}/v2/{repo}/manifests/{tag}", body, media)


@pytest.fixture(scope="module")
def pushed(dockerd, busybox_image: str, registry) -> str:
    """busybox pushed by dockerd as ``seawall/busybox:1`` and ``public/busybox:1``."""
    for repo in ("seawall/busybox", "public/busybox"):
        ref = registry.ref(repo, "1")
        dockerd.run_cli("tag", busybox_image, ref)
        dockerd.run_cli("push", ref)
    return registry.ref("seawall/busybox", "1")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return provide(lambda: make_certificate(tmp_path_factory.mktemp("tls")))


@pytest.fixture(scope="module")
def token_service(tls: tuple[Path, Path]) -> Iterator[tuple[TokenService, str]]:
    service = TokenService(*tls, public_repositories=frozenset({"public/busybox"}))
    with service.serving() as realm:
        yield service, realm


@pytest.fixture(scope="module")
def token_registry(registry, pushed: str, tls, token_service) -> Iterator[SecureRegistry]:
    _service, realm = token_service
    secure = provide(
        lambda: start_secure_registry(registry.workdir / "storage", *tls, "token", realm)
    )
    yield secure
    secure.close()


@pytest.fixture(scope="module")
def basic_registry(registry, pushed: str, tls) -> Iterator[SecureRegistry]:
    secure = provide(lambda: start_secure_registry(registry.workdir / "storage", *tls, "htpasswd"))
    yield secure
    secure.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No credentials from the environment or a Docker config; no extra CA."""
    for name in ("SEAWALL_REGISTRY_USERNAME", "SEAWALL_REGISTRY_PASSWORD", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    monkeypatch.setattr(registry_source, "CERTS_D_FOLDERS", (tmp_path / "certs.d",))
    return monkeypatch


def _diff_ids(image) -> list[str]:
    return [layer.diff_id for layer in image.layers]


def test_https_bearer_token_with_credentials(
    registry, pushed: str, token_registry: SecureRegistry, token_service, clean_env
) -> None:
    service, _ = token_service
    plain = load_image(f"registry:{pushed}", insecure=True)
    clean_env.setenv("SSL_CERT_FILE", str(token_registry.cert))
    clean_env.setenv("SEAWALL_REGISTRY_USERNAME", USER)
    clean_env.setenv("SEAWALL_REGISTRY_PASSWORD", PASSWORD)
    service.requests.clear()
    image = load_image(f"registry:{token_registry.host}/seawall/busybox:1")
    assert image.source == "registry" and _diff_ids(image) == _diff_ids(plain)
    assert sorted(e.path for e in image.fs) == sorted(e.path for e in plain.fs)
    assert service.requests[0] == {
        "scope": "repository:seawall/busybox:pull",
        "service": "seawall-test",
        "authorization": "Basic",
    }


def test_https_bearer_token_anonymous(
    token_registry: SecureRegistry, token_service, clean_env
) -> None:
    service, _ = token_service
    clean_env.setenv("SSL_CERT_FILE", str(token_registry.cert))
    service.requests.clear()
    image = load_image(f"registry:{token_registry.host}/public/busybox:1")
    assert image.layers and service.requests[0]["authorization"] == ""
    # A private repository: the token service refuses an anonymous token.
    with pytest.raises(SourceError, match="token service answered 401"):
        load_image(f"registry:{token_registry.host}/seawall/busybox:1")


def test_https_basic_auth_from_docker_config(
    basic_registry: SecureRegistry, clean_env, tmp_path: Path
) -> None:
    clean_env.setenv("SSL_CERT_FILE", str(basic_registry.cert))
    target = f"registry:{basic_registry.host}/seawall/busybox:1"
    with pytest.raises(SourceError, match="requires credentials"):
        load_image(target)
    config = tmp_path / "docker-config" / "config.json"
    config.parent.mkdir()
    for password, works in (("wrong", False), (PASSWORD, True)):
        auth = base64.b64encode(f"{USER}:{password}".encode()).decode()
        config.write_text(json.dumps({"auths": {basic_registry.host: {"auth": auth}}}))
        if works:
            assert load_image(target).layers
        else:
            with pytest.raises(SourceError, match="401"):
                load_image(target)


def test_https_certificate_is_verified(
    registry, pushed: str, token_registry: SecureRegistry, clean_env
) -> None:
    with pytest.raises(DaemonError, match="certificate verify failed"):
        load_image(f"registry:{token_registry.host}/public/busybox:1")
    # HTTPS to a plain-HTTP registry: the error says what to do.
    with pytest.raises(DaemonError, match="--insecure"):
        load_image(f"registry:{pushed}")


def test_private_ca_from_docker_certs_d(
    token_registry: SecureRegistry, clean_env, tmp_path: Path
) -> None:
    # Docker's convention: /etc/docker/certs.d/<host:port>/*.crt (the folder is redirected here).
    folder = tmp_path / "certs.d" / token_registry.host
    folder.mkdir(parents=True)
    (folder / "ca.crt").write_bytes(token_registry.cert.read_bytes())
    assert load_image(f"registry:{token_registry.host}/public/busybox:1").layers
    (folder / "ca.crt").write_text("not a certificate")
    with pytest.raises(SourceError, match="cannot load CA"):
        load_image(f"registry:{token_registry.host}/public/busybox:1")


def test_cli_audits_from_https_token_registry(
    token_registry: SecureRegistry, clean_env, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("SSL_CERT_FILE", str(token_registry.cert))
    clean_env.setenv("SEAWALL_REGISTRY_USERNAME", USER)
    clean_env.setenv("SEAWALL_REGISTRY_PASSWORD", PASSWORD)
    ref = f"{token_registry.host}/seawall/busybox:1"
    assert main(["image", f"registry:{ref}", "--no-config", "-F", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "IMG016" in {f["code"] for f in out["findings"]}  # busybox ships a shell


@pytest.mark.parametrize("docker", [True, False], ids=["docker-manifest-list", "oci-index"])
def test_platform_from_manifest_list_over_https(
    registry,
    kit,
    docker: bool,
    token_registry: SecureRegistry,
    clean_env,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = f"seawall/multi-{'docker' if docker else 'oci'}"
    push_multi_platform(registry.url, repo, "2", kit, docker)
    clean_env.setenv("SSL_CERT_FILE", str(token_registry.cert))
    clean_env.setenv("SEAWALL_REGISTRY_USERNAME", USER)
    clean_env.setenv("SEAWALL_REGISTRY_PASSWORD", PASSWORD)
    target = f"registry:{token_registry.host}/{repo}:2"
    for platform, ecosystem in (("linux/arm64", "Alpine:v3.20"), ("linux/amd64", "Alpine:v3.19")):
        image = load_image(target, platform=Platform.parse(platform))
        assert image.inventory.os is not None and image.inventory.os.ecosystem == ecosystem
        assert image.config["architecture"] == platform.split("/")[1]
    with pytest.raises(SourceError, match=r"no image for platform linux/s390x \(available"):
        load_image(target, platform=Platform.parse("linux/s390x"))
    # The same through the command line: --platform picks, a missing platform is exit 2.
    args = ["image", target, "--no-config", "-F", "json", "--select", "IMG001"]
    assert main([*args, "--platform", "linux/arm64"]) == 0  # User 1000: nothing to report
    capsys.readouterr()
    assert main([*args, "--platform", "linux/s390x"]) == 2
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert "no image for platform linux/s390x" in errors[0]["message"]
