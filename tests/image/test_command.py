"""``seawall image``: formats, exit codes, SBOM output, errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import SHARED
from seawall.cli import main

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def tars(kit, tmp_path: Path) -> dict[str, Path]:
    clean = kit.spec(
        layers=[
            [
                kit.file("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
                kit.file("app", "", mode=0o755),
            ]
        ],
        config={"User": "10001", "Healthcheck": {"Test": ["CMD", "/app"]}},
    )
    dirty = kit.spec(
        layers=[
            [kit.file("etc/os-release", "ID=debian\nVERSION_ID=12\n"), kit.file("root/.npmrc", "x")]
        ],
        config={"User": "root"},
    )
    return {
        "clean": kit.docker_save(clean, tmp_path / "clean.tar", tag="ex/clean:1.0"),
        "dirty": kit.oci_layout(dirty, tmp_path / "dirty-oci"),
    }


def test_exit_codes(tars, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["image", str(tars["clean"]), "--no-config"]) == 0
    assert main(["image", str(tars["dirty"]), "--no-config"]) == 1
    assert main(["image", str(tars["dirty"]), "--no-config", "--fail-on", "critical"]) == 0
    assert main(["image", str(tars["dirty"]), "--no-config", "--ignore", "IMG"]) == 0
    capsys.readouterr()
    assert main(["image", str(tmp_path / "missing.tar"), "--no-config"]) == 2
    out = capsys.readouterr().out
    assert "no such file or directory" in out and "Traceback" not in out
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"garbage")
    assert main(["image", str(bad), "--no-config", "--format", "json"]) == 2
    assert main(["image", str(bad), "--no-config", "--sbom", "cyclonedx"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("seawall: error: ") and len(err.strip().splitlines()) == 1


def test_json_and_sarif(
    tars, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["image", str(tars["dirty"]), "--no-config", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    text = json.dumps(doc)
    assert "IMG001" in text and "IMG011" in text and "/layers/0/files/root/.npmrc" in text
    out = tmp_path / "report.sarif"
    assert main(["image", str(tars["dirty"]), "--no-config", "-F", "sarif", "-o", str(out)]) == 1
    sarif = json.loads(out.read_text())
    if SARIF_SCHEMA.is_file():
        import jsonschema

        jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    rule_ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"IMG001", "IMG011"} <= rule_ids
    assert main(["image", str(tars["dirty"]), "--no-config", "-F", "junit"]) == 1
    assert "<testsuite" in capsys.readouterr().out


def test_sbom_to_file(tars, tmp_path: Path, monkeypatch) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    monkeypatch.chdir(tmp_path)
    target = tmp_path / "sbom.json"
    assert main(["image", str(tars["clean"]), "--sbom", "cyclonedx", "--output", str(target)]) == 0
    text = target.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    assert json.loads(text)["metadata"]["component"]["name"] == "ex/clean:1.0"


def test_config_file_is_honoured(tars, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".seawall.toml").write_text('ignore = ["IMG001", "token-config-in-image"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["image", str(tars["dirty"])]) == 1  # IMG002 (no healthcheck) remains
    assert main(["image", str(tars["dirty"]), "--fail-on", "medium"]) == 0


def _with_wrong_diff_id(source: Path, target: Path, layer: int) -> Path:
    """A copy of a docker-save tar whose config claims another digest for one layer."""
    import io
    import tarfile

    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        manifest = json.loads(old.extractfile("manifest.json").read())  # type: ignore[union-attr]
        config_name = manifest[0]["Config"]
        for info in old:
            data = old.extractfile(info).read() if info.isreg() else None  # type: ignore[union-attr]
            if info.name == config_name and data is not None:
                config = json.loads(data)
                config["rootfs"]["diff_ids"][layer] = "sha256:" + "0" * 64
                data = json.dumps(config).encode()
                info.size = len(data)
            new.addfile(info, io.BytesIO(data) if data is not None else None)
    return target


@pytest.mark.parametrize("layer", [0, 2])
def test_layer_digest_mismatch_shows_no_result(
    kit, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch, layer: int
) -> None:
    """Rules and the SBOM run while the last layers are still hashed: a mismatch found then
    still means exit 2 and nothing written (three layers: hashes run ahead of the walk)."""
    monkeypatch.chdir(tmp_path)
    spec = kit.spec(
        layers=[
            [kit.file("etc/os-release", "ID=debian\nVERSION_ID=12\n")],
            [kit.file("root/.npmrc", "token")],
            [kit.file("app/data.bin", b"x" * 300_000)],
        ]
    )
    good = kit.docker_save(spec, tmp_path / "good.tar")
    bad = _with_wrong_diff_id(good, tmp_path / "bad.tar", layer)
    assert main(["image", str(good), "--no-config", "-F", "json"]) == 1
    capsys.readouterr()
    assert main(["image", str(bad), "--no-config", "-F", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert not report["findings"]
    assert f"layer {layer}: content digest" in json.dumps(report)
    out = tmp_path / "sbom.json"
    assert main(["image", str(bad), "--no-config", "--sbom", "cyclonedx", "-o", str(out)]) == 2
    assert "diff_id" in capsys.readouterr().err and not out.exists()
    # Opting out of the check: the altered archive is audited like the good one.
    unchecked = ["image", str(bad), "--no-config", "--no-verify-layers", "-F", "json"]
    assert main(unchecked) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert any(f["code"].startswith("IMG") and ".npmrc" in f["message"] for f in findings)


def test_unverified_layers_still_count_against_the_size_budget(kit, tmp_path: Path) -> None:
    from seawall.errors import SourceError
    from seawall.image.limits import Limits
    from seawall.image.load import load_image_deferred

    spec = kit.spec(layers=[[kit.file("big.bin", b"x" * 200_000)]])
    path = kit.docker_save(spec, tmp_path / "img.tar")
    with pytest.raises(SourceError, match="decompressed bytes"):
        load_image_deferred(str(path), limits=Limits(max_total_bytes=100_000), verify_local=False)
    image, digests = load_image_deferred(str(path), verify_local=False)
    digests.verify()  # nothing to check, nothing running
    assert image.layers[0].diff_id.startswith("sha256:") and image.layers[0].size > 200_000
