"""Real images in a real dockerd and a real registry (Debian ``docker-registry`` on 127.0.0.1).

The package lists are compared with Trivy's and syft's in ``test_peer_inventory.py``.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from seawall.cli import main
from seawall.config import Config
from seawall.image.audit import audit_image
from seawall.image.load import load_image
from seawall.image.sources.base import Platform


def _save(dockerd, tag: str, path: Path) -> Path:
    dockerd.run_cli("save", "-o", str(path), tag)
    return path


def test_busybox_from_daemon_equals_tar(dockerd, busybox_image, tmp_path: Path) -> None:
    from_daemon = load_image(f"docker:{busybox_image}", daemon=dockerd.client())
    from_tar = load_image(str(_save(dockerd, busybox_image, tmp_path / "bb.tar")))
    assert from_daemon.source == "daemon" and from_tar.source == "docker-archive"
    assert [layer.diff_id for layer in from_daemon.layers] == [
        layer.diff_id for layer in from_tar.layers
    ]
    assert sorted(e.path for e in from_daemon.fs) == sorted(e.path for e in from_tar.fs)
    assert from_daemon.inventory.packages == ()  # busybox-static: no package database
    ids = {f.rule_id for f in audit_image(from_daemon, Config()).findings}
    assert {"IMG001", "IMG002", "IMG016"} <= ids


def test_cli_auto_source_finds_daemon_image(
    dockerd, busybox_image, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd.docker_host)
    assert main(["image", busybox_image, "--no-config", "--format", "json"]) == 1
    assert "IMG016" in capsys.readouterr().out
    assert main(["image", "seawall-test/no-such-image:1", "--no-config", "--select", "IMG001"]) == 2


def test_debian_details(debian_tar: Path) -> None:
    image = load_image(str(debian_tar))
    inv = image.inventory
    assert inv.os is not None and inv.os.ecosystem == "Debian:12"
    bash = next(p for p in inv.packages if p.name == "bash")
    assert bash.source_name == "bash" and bash.layer == image.layers[0].diff_id
    assert bash.licenses  # from /usr/share/doc/bash/copyright
    findings = audit_image(image, Config()).findings
    assert {"IMG001", "IMG014", "IMG016", "IMG017", "IMG020"} <= {f.rule_id for f in findings}
    # The package count, e.g. to compare a full distribution image with a minimal one.
    count = len(inv.os_packages)
    assert count > 100 and count == len(inv.packages)
    assert next(f for f in findings if f.rule_id == "IMG020").message == (
        f"{count} packages ({count} from the OS package manager): {count} Debian:12"
    )


def test_pull_from_real_registry(dockerd, debian_image, debian_tar: Path, registry) -> None:
    ref = registry.ref("seawall/debian", "bookworm")
    dockerd.run_cli("tag", debian_image, ref)
    dockerd.run_cli("push", ref)
    pulled = load_image(f"registry:{ref}", insecure=True)
    local = load_image(str(debian_tar))
    assert pulled.source == "registry"
    assert [layer.diff_id for layer in pulled.layers] == [layer.diff_id for layer in local.layers]
    assert {(p.name, p.version) for p in pulled.inventory.packages} == {
        (p.name, p.version) for p in local.inventory.packages
    }


def _push_layout(registry_url: str, repo: str, tag: str, layout: Path) -> None:
    """Push an OCI layout (blobs, manifests, then the index by tag) over the distribution API."""
    blobs = layout / "blobs" / "sha256"
    index = json.loads((layout / "index.json").read_text())
    manifests = {m["digest"] for m in index["manifests"]}
    for blob in sorted(blobs.iterdir()):
        digest = f"sha256:{blob.name}"
        if digest in manifests:
            continue
        start = urllib.request.Request(f"{registry_url}/v2/{repo}/blobs/uploads/", method="POST")
        with urllib.request.urlopen(start) as response:
            location = response.headers["Location"]
        if location.startswith("/"):
            location = registry_url + location
        sep = "&" if "?" in location else "?"
        put = urllib.request.Request(
            f"{location}{sep}digest={digest}",
            data=blob.read_bytes(),
            method="PUT",
            headers={"Content-Type": "application/octet-stream"},
        )
        urllib.request.urlopen(put).close()
    for digest in manifests:
        body = (blobs / digest.split(":")[1]).read_bytes()
        put = urllib.request.Request(
            f"{registry_url}/v2/{repo}/manifests/{digest}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )
        urllib.request.urlopen(put).close()
    body = json.dumps({**index, "mediaType": "application/vnd.oci.image.index.v1+json"}).encode()
    put = urllib.request.Request(
        f"{registry_url}/v2/{repo}/manifests/{tag}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/vnd.oci.image.index.v1+json"},
    )
    urllib.request.urlopen(put).close()


def test_registry_index_and_platform(registry, kit, tmp_path: Path) -> None:
    spec = kit.spec(
        layers=[[kit.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n")]],
        config={"User": "1000"},
    )
    layout = kit.oci_layout(
        spec,
        tmp_path / "layout",
        compression="zstd",
        index_platforms=["linux/arm64", "linux/amd64"],
    )
    _push_layout(registry.url, "seawall/multi", "1", layout)
    image = load_image(
        f"{registry.host}/seawall/multi:1", insecure=True, platform=Platform.parse("linux/arm64")
    )
    assert image.inventory.os.ecosystem == "Alpine:v3.20"
    assert image.layers[0].media_type.endswith("+zstd")


def test_secret_added_then_deleted_by_a_real_build_is_found_with_its_layer(
    dockerd, busybox_image: str, tmp_path: Path
) -> None:
    # docker build: layer 0 busybox, 1 an app file, 2 copies a private key in, 3 deletes it.
    context = tmp_path / "context"
    context.mkdir()
    (context / "deploy_key").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
    )
    (context / "Dockerfile").write_text(
        f"FROM {busybox_image}\n"
        "COPY Dockerfile /app/Dockerfile\n"
        "COPY deploy_key /root/.ssh/id_ed25519\n"
        "RUN rm /root/.ssh/id_ed25519\n"
        "USER 1000\n"
    )
    tag = "seawall-test/deleted-secret:1"
    dockerd.run_cli("build", "-q", "-t", tag, str(context))
    image = load_image(str(_save(dockerd, tag, tmp_path / "secret.tar")))
    assert len(image.layers) == 4
    assert not any(e.path == "root/.ssh/id_ed25519" for e in image.fs)  # gone from the view
    findings = audit_image(image, Config(select=("IMG008",))).findings
    assert [(f.message, f.location.pointer) for f in findings] == [
        (
            "Private key /root/.ssh/id_ed25519 in layer 2 (deleted in layer 3, still shipped in "
            "layer 2)",
            "/layers/2/files/root/.ssh/id_ed25519",
        )
    ]
