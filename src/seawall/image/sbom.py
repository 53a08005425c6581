"""CycloneDX 1.6 JSON SBOM of an image's inventory, built with cyclonedx-python-lib.

Deterministic: bom-refs are purls, the serial number is a uuid5 of the image identity, and the
timestamp comes from ``SOURCE_DATE_EPOCH`` when set.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seawall.image.model import Image

_NAMESPACE = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")


def _timestamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def _licenses(factory: Any, texts: tuple[str, ...]) -> list[Any]:
    """CycloneDX licences: an SPDX expression only stands alone, so with several licences any
    expression is kept as a named licence instead."""
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression

    made = [factory.make_from_string(text) for text in texts]
    if len(made) > 1:
        made = [
            DisjunctiveLicense(name=text) if isinstance(item, LicenseExpression) else item
            for item, text in zip(made, texts, strict=True)
        ]
    return made


def cyclonedx_json(image: Image) -> str:
    """The image inventory as a CycloneDX 1.6 JSON document."""
    try:
        from cyclonedx.contrib.license.factories import LicenseFactory
    except ImportError:  # cyclonedx-python-lib < 11
        from cyclonedx.factory.license import LicenseFactory
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    import seawall

    licenses = LicenseFactory()
    identity = image.manifest_digest or image.config_digest or image.reference
    root = Component(
        name=image.tags[0] if image.tags else image.reference,
        version=image.config_digest or None,
        type=ComponentType.CONTAINER,
        bom_ref=f"image:{identity}",
        properties=[Property(name="seawall:source", value=image.source)],
    )
    tool = Component(
        name="seawall",
        version=getattr(seawall, "__version__", "0.1.0"),
        type=ComponentType.APPLICATION,
    )
    bom = Bom(
        serial_number=uuid.uuid5(_NAMESPACE, identity),
        metadata=BomMetaData(
            component=root, timestamp=_timestamp(), tools=ToolRepository(components=[tool])
        ),
    )
    components: list[Any] = []
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
        bom_ref = package.purl if count == 0 else f"{package.purl}#{count}"
        properties = [Property(name="seawall:ecosystem", value=package.ecosystem)]
        if package.layer:
            properties.append(Property(name="seawall:layer", value=package.layer))
        if package.path:
            properties.append(Property(name="seawall:path", value=package.path))
        if package.source_name:
            properties.append(Property(name="seawall:source-name", value=package.source_name))
        if package.source_version:
            properties.append(Property(name="seawall:source-version", value=package.source_version))
        components.append(
            Component(
                name=package.name,
                version=package.version,
                type=ComponentType.LIBRARY,
                bom_ref=bom_ref,
                purl=PackageURL.from_string(package.purl),
                licenses=_licenses(licenses, package.licenses),
                properties=properties,
            )
        )
    for component in components:
        bom.components.add(component)
    bom.register_dependency(root, components)
    return str(JsonV1Dot6(bom).output_as_string(indent=2))
