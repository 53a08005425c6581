"""Package database and metadata parsers. Each takes captured bytes and returns package records.

Malformed input yields fewer packages, never an exception: image content is untrusted data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from seawall.image.gobuildinfo import GoBuildInfo
from seawall.image.inventory.rfc822 import headers, stanzas

_SOURCE = re.compile(r"^(?P<name>\S+)(?:\s+\((?P<version>[^)]*)\))?")


@dataclass(frozen=True)
class Found:
    """A package as read from one file, before OS context (ecosystem, purl) is added."""

    kind: str  # deb | apk | pypi | npm | golang
    name: str
    version: str
    source_name: str | None = None
    source_version: str | None = None
    arch: str | None = None
    licenses: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity used to credit a package to the first layer that has it."""
        return (self.kind, self.name, self.version)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def parse_dpkg(data: bytes) -> list[Found]:
    """dpkg ``status`` or one distroless ``status.d`` file; skips removed / config-only packages."""
    found: list[Found] = []
    for stanza in stanzas(_text(data)):
        name, version = stanza.get("Package"), stanza.get("Version")
        if not name or not version:
            continue
        status = stanza.get("Status", "install ok installed").split()
        if status and (
            status[0] in ("deinstall", "purge") or status[-1] in ("not-installed", "config-files")
        ):
            continue
        source_name, source_version = name, version
        source = stanza.get("Source")
        if source:
            match = _SOURCE.match(source)
            if match:
                source_name = match.group("name")
                source_version = match.group("version") or version
        found.append(
            Found("deb", name, version, source_name, source_version, stanza.get("Architecture"))
        )
    return found


def parse_apk(data: bytes) -> list[Found]:
    """apk ``installed`` database: blank-line separated blocks of ``X:value`` lines."""
    found: list[Found] = []
    for block in _text(data).split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if len(line) >= 2 and line[1] == ":" and line[0] not in fields:
                fields[line[0]] = line[2:]
        name, version = fields.get("P"), fields.get("V")
        if not name or not version:
            continue
        origin = fields.get("o") or name
        licenses = (fields["L"],) if fields.get("L") else ()
        found.append(Found("apk", name, version, origin, version, fields.get("A"), licenses))
    return found


def parse_python(data: bytes) -> list[Found]:
    """``METADATA`` / ``PKG-INFO`` headers: Name, Version, licence fields."""
    fields = headers(_text(data))
    name = (fields.get("Name") or [""])[0]
    version = (fields.get("Version") or [""])[0]
    if not name or not version:
        return []
    licenses: list[str] = []
    expression = (fields.get("License-Expression") or [""])[0]
    if expression:
        licenses.append(expression)
    else:
        for classifier in fields.get("Classifier", []):
            if classifier.startswith("License ::"):
                licenses.append(classifier.split("::")[-1].strip())
        plain = (fields.get("License") or [""])[0]
        if not licenses and plain and "\n" not in plain and len(plain) <= 80 and plain != "UNKNOWN":
            licenses.append(plain)
    return [Found("pypi", name, version, licenses=tuple(dict.fromkeys(licenses)))]


def parse_npm(data: bytes) -> list[Found]:
    """A package-root ``package.json``: name, version, license."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    if not isinstance(doc, dict):
        return []
    name, version = doc.get("name"), doc.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return []
    licenses: list[str] = []
    lic = doc.get("license")
    if isinstance(lic, str):
        licenses.append(lic)
    elif isinstance(lic, dict) and isinstance(lic.get("type"), str):
        licenses.append(lic["type"])
    elif isinstance(doc.get("licenses"), list):
        for item in doc["licenses"]:
            if isinstance(item, dict) and isinstance(item.get("type"), str):
                licenses.append(item["type"])
    return [Found("npm", name, version, licenses=tuple(licenses))]


def go_packages(info: GoBuildInfo) -> list[Found]:
    """The Go toolchain (``stdlib``), the main module (unless ``(devel)``) and dependencies."""
    version = info.go_version.split()[0]
    for marker in (" X:", "-X:"):
        version = version.split(marker)[0]
    found = [Found("golang", "stdlib", version)]
    if info.main is not None and info.main.version not in ("", "(devel)"):
        found.append(Found("golang", info.main.path, info.main.version))
    found.extend(Found("golang", dep.path, dep.version) for dep in info.deps if dep.version)
    return found
