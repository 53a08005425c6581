"""Assembling the inventory: which captured files are package sources, purls, layer credit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from packageurl import PackageURL

from seawall.image.capture import APK_DBS, is_dpkg_db, is_npm_package_root, is_python_metadata
from seawall.image.filesystem import FileSystem, Kind
from seawall.image.gobuildinfo import GoBuildInfo
from seawall.image.inventory.osrelease import OSInfo, detect_os
from seawall.image.inventory.parsers import (
    Found,
    go_packages,
    parse_apk,
    parse_dpkg,
    parse_npm,
    parse_python,
)
from seawall.model.package import Package

__all__ = ["Inventory", "OSInfo", "collect_inventory"]


@dataclass(frozen=True)
class Inventory:
    """Everything installed in an image, in a deterministic order."""

    os: OSInfo | None
    packages: tuple[Package, ...]

    @property
    def os_packages(self) -> tuple[Package, ...]:
        """Distribution packages (dpkg, apk)."""
        return tuple(p for p in self.packages if p.purl.startswith(("pkg:deb/", "pkg:apk/")))


def _parser_for(fs: FileSystem, path: str, value: object) -> Callable[[object], list[Found]] | None:
    if isinstance(value, GoBuildInfo):
        return lambda v: go_packages(v) if isinstance(v, GoBuildInfo) else []
    if not isinstance(value, bytes):
        return None
    if is_dpkg_db(path):
        return _bytes(parse_dpkg)
    if path in APK_DBS:
        return _bytes(parse_apk)
    if is_python_metadata(path, Kind.FILE):
        return _bytes(parse_python)
    if is_npm_package_root(path):
        return _bytes(parse_npm)
    return None


def _bytes(parse: Callable[[bytes], list[Found]]) -> Callable[[object], list[Found]]:
    return lambda value: parse(value) if isinstance(value, bytes) else []


def _purl(found: Found, os_info: OSInfo | None) -> str:
    qualifiers: dict[str, str] = {}
    if found.kind in ("deb", "apk"):
        namespace = os_info.id if os_info else ("alpine" if found.kind == "apk" else "debian")
        if found.arch:
            qualifiers["arch"] = found.arch
        if os_info and os_info.purl_distro:
            qualifiers["distro"] = os_info.purl_distro
        if found.source_name and found.source_name != found.name:
            upstream = found.source_name
            if found.source_version and found.source_version != found.version:
                upstream += f"@{found.source_version}"
            qualifiers["upstream"] = upstream
        return PackageURL(
            found.kind, namespace, found.name, found.version, qualifiers or None
        ).to_string()
    if found.kind == "pypi":
        name = found.name.lower().replace("_", "-").replace(".", "-")
        return PackageURL("pypi", None, name, found.version).to_string()
    if found.kind == "npm":
        namespace, _, name = found.name.rpartition("/")
        return PackageURL("npm", namespace or None, name, found.version).to_string()
    namespace, _, name = found.name.rpartition("/")
    version = found.version.removeprefix("go") if found.name == "stdlib" else found.version
    return PackageURL("golang", namespace or None, name, version).to_string()


def _ecosystem(found: Found, os_info: OSInfo | None) -> str:
    if found.kind in ("deb", "apk"):
        if os_info and os_info.ecosystem:
            return os_info.ecosystem
        return "Alpine" if found.kind == "apk" else "Debian"
    return {"pypi": "PyPI", "npm": "npm", "golang": "Go"}[found.kind]


def _licenses(fs: FileSystem, found: Found) -> tuple[str, ...]:
    if found.licenses or found.kind != "deb":
        return found.licenses
    value = fs.content(f"usr/share/doc/{found.name}/copyright")
    return value if isinstance(value, tuple) else ()


def collect_inventory(fs: FileSystem, layer_ids: Sequence[str]) -> Inventory:
    """Read every package source in the final view; credit each package to the first layer
    whose version of the same file already listed the same name and version (Trivy's rule)."""
    os_info = detect_os(fs)
    history: dict[str, list[tuple[int, object]]] = {}
    for layer, path in fs.captured_paths():
        history.setdefault(path, []).append((layer, fs.content_at(layer, path)))
    packages: dict[tuple[str, str, str, str], Package] = {}
    for path, versions in history.items():
        entry = fs.get(path)
        if entry is None:
            continue  # deleted from the final view: not installed
        final = fs.content_at(entry.layer, path)
        parse = _parser_for(fs, path, final)
        if parse is None:
            continue
        first_seen: dict[tuple[str, str, str], int] = {}
        for layer, value in versions:
            if layer > entry.layer:
                break
            for found in parse(value):
                first_seen.setdefault(found.key, layer)
        for found in parse(final):
            layer = first_seen.get(found.key, entry.layer)
            package = Package(
                name=found.name,
                version=found.version,
                ecosystem=_ecosystem(found, os_info),
                purl=_purl(found, os_info),
                source_name=found.source_name,
                source_version=found.source_version,
                layer=layer_ids[layer] if layer < len(layer_ids) else str(layer),
                path="/" + path,
                licenses=_licenses(fs, found),
                arch=found.arch,
            )
            packages.setdefault((package.ecosystem, package.name, package.version, path), package)
    ordered = tuple(
        sorted(packages.values(), key=lambda p: (p.ecosystem, p.name, p.version, p.path or ""))
    )
    return Inventory(os_info, ordered)
