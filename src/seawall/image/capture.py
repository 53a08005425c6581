"""Which files of a layer are read, and what is kept from them.

Only small files that inventories or rules need are read: package databases and metadata,
os-release, licence files (reduced to licence names on the spot), secret candidates under a size
cap, and executables scanned for Go build info (only the parsed info is kept).
"""

from __future__ import annotations

import re
from enum import Enum

from seawall.image import sensitive
from seawall.image.filesystem import FileEntry, Kind
from seawall.image.limits import Limits


class Capture(Enum):
    """How a file is read."""

    TEXT = "text"  # kept as bytes
    LICENSE = "license"  # reduced to a tuple of licence names
    SECRET = "secret"  # kept as bytes (size-capped)
    GO = "go"  # reduced to GoBuildInfo (or nothing)


OS_FILES = frozenset(
    {
        "etc/os-release",
        "usr/lib/os-release",
        "etc/debian_version",
        "etc/alpine-release",
        "etc/lsb-release",
    }
)
DPKG_STATUS = "var/lib/dpkg/status"
DPKG_STATUS_D = "var/lib/dpkg/status.d/"
APK_DBS = frozenset({"lib/apk/db/installed", "usr/lib/apk/db/installed"})
# Base names of every package-database / metadata file: a cheap first filter for plan().
_DB_NAMES = frozenset(
    {
        "os-release",
        "debian_version",
        "alpine-release",
        "lsb-release",
        "status",
        "installed",
        "METADATA",
        "PKG-INFO",
        "package.json",
    }
)
_PYTHON_META = re.compile(r"(?:\.dist-info/METADATA|\.egg-info/PKG-INFO|EGG-INFO/PKG-INFO)$")
_NPM_ROOT = re.compile(r"(?:^|/)node_modules/(?:@[^/]+/)?[^/@][^/]*/package\.json$")
_COPYRIGHT = re.compile(r"^usr/share/doc/[^/]+/copyright$")


def is_python_metadata(path: str, kind: Kind) -> bool:
    """``*.dist-info/METADATA``, ``*.egg-info/PKG-INFO``, or an ``*.egg-info`` file."""
    return bool(_PYTHON_META.search(path)) or (kind is Kind.FILE and path.endswith(".egg-info"))


def is_npm_package_root(path: str) -> bool:
    """A ``package.json`` at a package root under ``node_modules`` (not a bundler hint file)."""
    return bool(_NPM_ROOT.search(path))


def is_dpkg_db(path: str) -> bool:
    """The dpkg status file or a distroless ``status.d`` entry."""
    if path == DPKG_STATUS:
        return True
    return (
        path.startswith(DPKG_STATUS_D)
        and not path.endswith(".md5sums")
        and "/" not in path[len(DPKG_STATUS_D) :]
    )


def plan(entry: FileEntry, limits: Limits) -> Capture | None:
    """How to read ``entry``, or None to skip its body."""
    if entry.kind is not Kind.FILE:
        return None
    path = entry.path
    name = path.rpartition("/")[2]
    if (name in _DB_NAMES or name.endswith(".egg-info") or path.startswith(DPKG_STATUS_D)) and (
        path in OS_FILES
        or is_dpkg_db(path)
        or path in APK_DBS
        or is_python_metadata(path, entry.kind)
        or is_npm_package_root(path)
    ):
        return Capture.TEXT if entry.size <= limits.max_db_bytes else None
    if name == "copyright" and _COPYRIGHT.match(path):
        return Capture.LICENSE if entry.size <= limits.max_license_bytes else None
    if sensitive.classify(path) is not None:
        return Capture.SECRET if entry.size <= limits.max_secret_file_bytes else None
    if entry.mode & 0o111 and 64 <= entry.size <= limits.max_go_binary_bytes:  # executable
        return Capture.GO
    return None


_LICENSE_LINE = re.compile(r"^License:[ \t]*(\S.*?)\s*$", re.MULTILINE)


def copyright_licenses(text: str) -> tuple[str, ...]:
    """Licence names from a machine-readable (DEP-5) debian/copyright; () for free-form files."""
    if "Format:" not in text[:500] and "License:" not in text:
        return ()
    seen: dict[str, None] = {}
    for match in _LICENSE_LINE.finditer(text):
        seen.setdefault(match.group(1), None)
    return tuple(seen)
