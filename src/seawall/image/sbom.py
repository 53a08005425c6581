"""CycloneDX 1.6 JSON SBOM of an image's inventory.

The document is written directly as JSON: building it with cyclonedx-python-lib's object model
cost ~0.4 s per image (0.17 s of imports), as long as the whole audit. The tests check the output
against that library: its strict schema validator, and the same document built with its model.

Deterministic: bom-refs are purls, the serial number is a uuid5 of the image identity, and the
timestamp comes from ``SOURCE_DATE_EPOCH`` when set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from typing import TYPE_CHECKING, Any

from seawall.image import spdx

if TYPE_CHECKING:
    from seawall.image.model import Image

_NAMESPACE = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"


def _timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    else:
        moment = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    return moment.isoformat()


def licenses(texts: tuple[str, ...]) -> list[dict[str, Any]]:
    """CycloneDX licence choices: an SPDX id, else a name. An SPDX expression may only stand
    alone, so it is an ``expression`` only when it is the package's one licence."""
    unique = list(dict.fromkeys(texts))
    if len(unique) == 1 and spdx.canonical_id(unique[0]) is None and spdx.is_expression(unique[0]):
        return [{"expression": unique[0]}]
    chosen: dict[tuple[str, str], dict[str, Any]] = {}  # two spellings of one id count once
    for text in unique:
        known = spdx.canonical_id(text)
        key = ("id", known) if known else ("name", text)
        chosen.setdefault(key, {"license": {key[0]: key[1]}})
    return list(chosen.values())


def _property(name: str, value: str) -> dict[str, str]:
    return {"name": name, "value": value}


def cyclonedx_document(image: Image) -> dict[str, Any]:
    """The image inventory as a CycloneDX 1.6 document (JSON-ready dicts and lists)."""
    import seawall

    identity = image.manifest_digest or image.config_digest or image.reference
    root: dict[str, Any] = {
        "bom-ref": f"image:{identity}",
        "type": "container",
        "name": image.tags[0] if image.tags else image.reference,
    }
    if image.config_digest:
        root["version"] = image.config_digest
    root["properties"] = [_property("seawall:source", image.source)]
    tool = {
        "type": "application",
        "name": "seawall",
        "version": getattr(seawall, "__version__", "0.1.0"),
    }
    components: list[dict[str, Any]] = []
    os_info = image.inventory.os
    if os_info is not None:
        system: dict[str, Any] = {
            "bom-ref": f"os:{os_info.id}@{os_info.version_id or ''}",
            "type": "operating-system",
            "name": os_info.id,
        }
        version = os_info.release or os_info.version_id
        if version:
            system["version"] = version
        if os_info.pretty_name:
            system["description"] = os_info.pretty_name
        components.append(system)
    seen: dict[str, int] = {}
    for package in image.inventory.packages:
        count = seen.get(package.purl, 0)
        seen[package.purl] = count + 1
        properties = [_property("seawall:ecosystem", package.ecosystem)]
        if package.layer:
            properties.append(_property("seawall:layer", package.layer))
        if package.path:
            properties.append(_property("seawall:path", package.path))
        if package.source_name:
            properties.append(_property("seawall:source-name", package.source_name))
        if package.source_version:
            properties.append(_property("seawall:source-version", package.source_version))
        component: dict[str, Any] = {
            "bom-ref": package.purl if count == 0 else f"{package.purl}#{count}",
            "type": "library",
            "name": package.name,
        }
        if package.version:
            component["version"] = package.version
        chosen = licenses(package.licenses)
        if chosen:
            component["licenses"] = chosen
        component["purl"] = package.purl
        component["properties"] = properties
        components.append(component)
    refs = [component["bom-ref"] for component in components]
    dependencies: list[dict[str, Any]] = [{"ref": root["bom-ref"], "dependsOn": sorted(refs)}]
    dependencies += [{"ref": ref} for ref in sorted(refs)]
    return {
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": uuid.uuid5(_NAMESPACE, identity).urn,
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(),
            "tools": {"components": [tool]},
            "component": root,
        },
        "components": components,
        "dependencies": dependencies,
    }


def cyclonedx_json(image: Image) -> str:
    """The image inventory as a CycloneDX 1.6 JSON document."""
    return json.dumps(cyclonedx_document(image), indent=2, ensure_ascii=False)
