"""CycloneDX 1.6 output validates against the schema shipped with cyclonedx-python-lib."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from seawall.image.load import load_image
from seawall.image.sbom import cyclonedx_json


@pytest.fixture
def image(kit, tmp_path: Path):
    spec = kit.spec(
        layers=[
            [
                kit.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian 12"\n'),
                kit.file(
                    "var/lib/dpkg/status",
                    "Package: bash\nVersion: 5.2.15-2+b2\nSource: bash (5.2.15-2)\n"
                    "Architecture: amd64\n",
                ),
                kit.file(
                    "usr/share/doc/bash/copyright",
                    "Format: x\n\nFiles: *\nLicense: GPL-3+\n\nFiles: y\nLicense: MIT\n\n"
                    "Files: z\nLicense: GPL-2+ or Artistic-1.0\n",
                ),
                kit.file(
                    "a/node_modules/x/package.json",
                    '{"name":"x","version":"1.0.0","license":"(MIT OR Apache-2.0)"}',
                ),
                kit.file("b/node_modules/x/package.json", '{"name":"x","version":"1.0.0"}'),
            ]
        ]
    )
    return load_image(str(kit.docker_save(spec, tmp_path / "img.tar")))


def test_sbom_validates_and_is_deterministic(image, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    text = cyclonedx_json(image)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    assert cyclonedx_json(image) == text
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6"
    assert doc["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    assert doc["metadata"]["component"]["type"] == "container"
    refs = [c["bom-ref"] for c in doc["components"]]
    assert len(refs) == len(set(refs))  # the duplicate npm package got a distinct bom-ref
    bash = next(c for c in doc["components"] if c["name"] == "bash")
    props = {p["name"]: p["value"] for p in bash["properties"]}
    assert props["seawall:source-version"] == "5.2.15-2"
    assert props["seawall:layer"] == image.layers[0].diff_id
    assert any(c["type"] == "operating-system" for c in doc["components"])
