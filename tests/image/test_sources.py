"""Archive formats: docker save (legacy), OCI layout dir/tar, compressions, platforms, integrity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seawall.errors import SourceError
from seawall.image.load import load_image
from seawall.image.sources.base import Platform


@pytest.fixture
def spec(kit):
    return kit.spec(
        layers=[
            [kit.file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"), kit.file("a", "1")],
            [kit.file("b", "2"), kit.whiteout("a")],
        ],
        config={"User": "app"},
    )


def _summary(image):
    return (
        [layer.diff_id for layer in image.layers],
        sorted(e.path for e in image.fs),
        image.inventory.os.ecosystem,
        image.runtime["User"],
    )


def test_all_formats_and_compressions_agree(kit, spec, tmp_path: Path) -> None:
    reference = _summary(load_image(str(kit.docker_save(spec, tmp_path / "save.tar"))))
    assert reference[1] == ["b", "etc/os-release"]
    assert reference[2] == "Alpine:v3.19"
    for compression in ("none", "gzip", "zstd"):
        layout = kit.oci_layout(spec, tmp_path / f"oci-{compression}", compression=compression)
        assert _summary(load_image(str(layout))) == reference
        packed = kit.oci_layout(
            spec, tmp_path / f"oci-{compression}.tar", compression=compression, as_tar=True
        )
        image = load_image(str(packed))
        assert _summary(image) == reference
        assert image.source == "oci-layout"


def test_explicit_prefixes(kit, spec, tmp_path: Path) -> None:
    path = kit.docker_save(spec, tmp_path / "save.tar")
    assert load_image(f"docker-archive:{path}").source == "docker-archive"
    layout = kit.oci_layout(spec, tmp_path / "layout")
    assert load_image(f"oci:{layout}").source == "oci-layout"


def test_platform_selection(kit, spec, tmp_path: Path) -> None:
    layout = kit.oci_layout(
        spec, tmp_path / "multi", index_platforms=["linux/arm64", "linux/amd64"]
    )
    image = load_image(str(layout), platform=Platform.parse("linux/arm64"))
    assert image.runtime["User"] == "app"
    with pytest.raises(SourceError, match=r"no image for platform linux/s390x \(available: "):
        load_image(str(layout), platform=Platform.parse("linux/s390x"))
    with pytest.raises(SourceError, match="os/arch"):
        Platform.parse("amd64")


def test_diff_id_mismatch_is_refused(kit, spec, tmp_path: Path) -> None:
    path = kit.oci_layout(spec, tmp_path / "layout", compression="none")
    index = json.loads((path / "index.json").read_text())
    manifest_path = path / "blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads(manifest_path.read_text())
    config_path = path / "blobs/sha256" / manifest["config"]["digest"].split(":")[1]
    config = json.loads(config_path.read_text())
    config["rootfs"]["diff_ids"][0] = "sha256:" + "0" * 64
    config_path.write_text(json.dumps(config))  # the config blob digest no longer matters here
    with pytest.raises(SourceError, match="diff_id"):
        load_image(str(path))


def test_tampered_layer_blob_is_refused(kit, spec, tmp_path: Path) -> None:
    path = kit.oci_layout(spec, tmp_path / "layout", compression="gzip")
    index = json.loads((path / "index.json").read_text())
    manifest = json.loads(
        (path / "blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]).read_text()
    )
    blob = path / "blobs/sha256" / manifest["layers"][1]["digest"].split(":")[1]
    data = blob.read_bytes()
    blob.write_bytes(data[:-8] + b"\x00" * 8)  # corrupt the gzip trailer
    with pytest.raises(SourceError):
        load_image(str(path))


def test_digest_path_traversal_is_refused(kit, spec, tmp_path: Path) -> None:
    path = kit.oci_layout(spec, tmp_path / "layout")
    (path / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "manifests": [{"digest": "sha256:../../../etc/passwd"}]})
    )
    with pytest.raises(SourceError, match="malformed digest"):
        load_image(str(path))


def test_docker_save_member_traversal_is_not_followed(kit, spec, tmp_path: Path) -> None:
    import io
    import tarfile

    outer = tmp_path / "evil.tar"
    with tarfile.open(outer, "w") as tar:
        manifest = json.dumps([{"Config": "../../etc/hostname", "Layers": []}]).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    with pytest.raises(SourceError, match="archive has no file"):
        load_image(str(outer))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a tar at all" * 100, "not a readable tar archive|neither"),
        (b"", "not a readable tar archive|neither"),
    ],
)
def test_not_an_image(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.tar"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        load_image(str(path))


def test_missing_path_and_bad_reference(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load_image(str(tmp_path / "missing.tar"))
    with pytest.raises(SourceError, match="repository names are lower-case"):
        load_image("registry:Not/A/Valid/Ref")


def test_empty_and_invalid_json(tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    layout.mkdir()
    (layout / "index.json").write_text("{not json")
    with pytest.raises(SourceError, match="invalid JSON"):
        load_image(str(layout))


def test_uncompressed_archive_bodies_that_are_skipped_are_still_verified(
    kit, tmp_path: Path
) -> None:
    # The tar walk seeks over /opt/blob (nobody reads it); the parallel digest must still see it.
    spec = kit.spec(layers=[[kit.file("opt/blob", b"A" * 100_000), kit.file("etc/hostname", "x")]])
    path = kit.docker_save(spec, tmp_path / "save.tar")
    good = load_image(str(path))
    assert good.layers[0].size == len(spec.layer_bytes()[0])
    data = bytearray(path.read_bytes())
    at = data.index(b"A" * 1000) + 50_000
    data[at] = ord("B")  # same size, one byte changed inside the skipped body
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError, match=r"content digest .* != diff_id"):
        load_image(str(path))


def test_uncompressed_archive_layers_spend_the_byte_budget(kit, tmp_path: Path) -> None:
    from seawall.image.limits import Limits

    spec = kit.spec(layers=[[kit.file("opt/blob", b"\0" * 200_000)]])
    path = kit.docker_save(spec, tmp_path / "save.tar")
    with pytest.raises(SourceError) as excinfo:
        load_image(str(path), limits=Limits(max_total_bytes=100_000))
    assert "more than 100000 decompressed bytes" in str(excinfo.value)


def test_local_layer_hashes_run_at_most_two_at_a_time(kit, tmp_path: Path, monkeypatch) -> None:
    """Hashes run ahead of the walk, but a bounded number at once (each holds a read buffer)."""
    import threading

    from seawall.image import load

    layers = [[kit.file(f"layer{i}/data", b"%d" % i * 100_000)] for i in range(6)]
    path = kit.docker_save(kit.spec(layers=layers), tmp_path / "six.tar")
    most = 0
    original = load.BackgroundDigest

    def counting(*args, **kwargs):
        nonlocal most
        live = [t for t in threading.enumerate() if t.name == "seawall-digest" and t.is_alive()]
        most = max(most, len(live) + 1)
        return original(*args, **kwargs)

    monkeypatch.setattr(load, "BackgroundDigest", counting)
    image = load_image(str(path))
    assert len(image.layers) == 6 and 1 <= most <= 2
    assert [layer.size for layer in image.layers] == [layer.size for layer in image.layers[:1]] * 6
