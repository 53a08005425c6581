"""CycloneDX 1.6 output validates against the schema shipped with cyclonedx-python-lib."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from seawall.image import sbom, spdx
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


def _library_document(image) -> dict[str, Any]:
    """The same SBOM built with cyclonedx-python-lib's object model (the previous writer)."""
    from cyclonedx.contrib.license.factories import LicenseFactory
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    factory = LicenseFactory()
    identity = image.manifest_digest or image.config_digest or image.reference
    root = Component(
        name=image.tags[0] if image.tags else image.reference,
        version=image.config_digest or None,
        type=ComponentType.CONTAINER,
        bom_ref=f"image:{identity}",
        properties=[Property(name="seawall:source", value=image.source)],
    )
    tool = Component(name="seawall", version="0.1.0", type=ComponentType.APPLICATION)
    bom = Bom(
        serial_number=uuid.uuid5(sbom._NAMESPACE, identity),
        metadata=BomMetaData(
            component=root,
            timestamp=dt.datetime.fromtimestamp(1700000000, tz=dt.UTC),
            tools=ToolRepository(components=[tool]),
        ),
    )
    components = []
    os_info = image.inventory.os
    if os_info is not None:
        components.append(
            Component(
                name=os_info.id,
                version=os_info.release or os_info.version_id,
                type=ComponentType.OPERATING_SYSTEM,
                bom_ref=f"os:{os_info.id}@{os_info.version_id or ''}",
                description=os_info.pretty_name,
            )
        )
    seen: dict[str, int] = {}
    for package in image.inventory.packages:
        count = seen.get(package.purl, 0)
        seen[package.purl] = count + 1
        properties = [Property(name="seawall:ecosystem", value=package.ecosystem)]
        for name, value in (
            ("layer", package.layer),
            ("path", package.path),
            ("source-name", package.source_name),
            ("source-version", package.source_version),
        ):
            if value:
                properties.append(Property(name=f"seawall:{name}", value=value))
        made = [factory.make_from_string(text) for text in package.licenses]
        if len(made) > 1:
            made = [
                DisjunctiveLicense(name=text) if isinstance(item, LicenseExpression) else item
                for item, text in zip(made, package.licenses, strict=True)
            ]
        components.append(
            Component(
                name=package.name,
                version=package.version,
                type=ComponentType.LIBRARY,
                bom_ref=package.purl if count == 0 else f"{package.purl}#{count}",
                purl=PackageURL.from_string(package.purl),
                licenses=made,
                properties=properties,
            )
        )
    for component in components:
        bom.components.add(component)
    bom.register_dependency(root, components)
    return json.loads(JsonV1Dot6(bom).output_as_string())


def _unordered(value: Any) -> Any:
    """Lists compared as multisets: the library sorts components, licences and properties."""
    if isinstance(value, dict):
        return {key: _unordered(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_unordered(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _assert_same_as_library(image, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr("seawall.__version__", "0.1.0", raising=False)
    mine = json.loads(cyclonedx_json(image))
    assert _unordered(mine) == _unordered(_library_document(image))


def test_sbom_equals_the_library_built_document(image, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_same_as_library(image, monkeypatch)
    bash = next(c for c in json.loads(cyclonedx_json(image))["components"] if c["name"] == "bash")
    # Several licences: ids stay ids, and the expression-looking one is kept as a name.
    assert {"license": {"id": "MIT"}} in bash["licenses"]
    assert {"license": {"name": "GPL-2+ or Artistic-1.0"}} in bash["licenses"]
    npm = [c for c in json.loads(cyclonedx_json(image))["components"] if c["name"] == "x"]
    assert {"expression": "(MIT OR Apache-2.0)"} in npm[0]["licenses"] + npm[1].get("licenses", [])


def test_debian_sbom_equals_the_library_built_document(
    debian_tar: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = load_image(str(debian_tar))
    assert len(image.inventory.packages) > 100
    _assert_same_as_library(image, monkeypatch)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MIT", True),
        ("(MIT OR Apache-2.0)", True),
        ("mit or apache-2.0", True),
        ("GPL-2.0+", True),
        ("Apache-2.0 WITH LLVM-exception", True),
        ("MIT OR (BSD-3-Clause AND Apache-2.0)", True),
        ("MIT and Apache-2.0 with LLVM-exception", True),
        ("LicenseRef-custom", False),  # not a known licence to license-expression either
        ("MIT OR LicenseRef-custom", False),
        ("MIT WITH Apache-2.0", False),  # WITH takes an exception
        ("LLVM-exception", False),
        ("GPL-2.0-or-later+", False),
        ("GPL-2+ or Artistic", False),  # Debian short names are not SPDX ids
        ("MIT AND", False),
        ("(MIT", False),
        ("MIT)", False),
        ("MIT WITH", False),
        ("MIT Apache-2.0", False),
        ("public-domain", False),
    ],
)
def test_spdx_expressions_agree_with_license_expression(text: str, expected: bool) -> None:
    from cyclonedx.spdx import is_expression as library_is_expression

    assert spdx.is_expression(text) is expected
    assert library_is_expression(text) is expected


def test_spdx_ids_are_canonicalised() -> None:
    assert spdx.canonical_id("apache-2.0") == "Apache-2.0"
    assert spdx.canonical_id("GPL-2+") is None
    assert not spdx.is_expression("") and not spdx.is_expression("   ")
    assert sbom.licenses(("BSD-3-clause", "BSD-3-Clause")) == [{"license": {"id": "BSD-3-Clause"}}]
