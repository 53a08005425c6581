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
