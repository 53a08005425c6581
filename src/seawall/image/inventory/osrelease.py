"""OS detection: /etc/os-release (symlinks followed), debian_version, alpine-release."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from seawall.image.filesystem import FileSystem


@dataclass(frozen=True)
class OSInfo:
    """The image's distribution. ``ecosystem`` is the OSV name (``Debian:12``, ``Alpine:v3.19``)."""

    id: str
    version_id: str | None
    pretty_name: str | None
    codename: str | None
    ecosystem: str | None
    distroless: bool = False
    release: str | None = None  # the precise point release when known (debian_version 12.15)

    @property
    def purl_distro(self) -> str | None:
        """The ``distro`` purl qualifier (``debian-12``)."""
        return f"{self.id}-{self.version_id}" if self.version_id else None


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines with shell quoting."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            parts = shlex.split(raw)
        except ValueError:
            parts = [raw.strip("\"'")]
        values[key.strip()] = parts[0] if parts else ""
    return values


def _text(fs: FileSystem, path: str) -> str | None:
    data = fs.content(path)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else None


def osv_ecosystem(os_id: str, version_id: str | None) -> str | None:
    """The OSV ecosystem name for a distribution release."""
    if os_id == "debian":
        major = (version_id or "").split(".")[0]
        return f"Debian:{major}" if major.isdigit() else "Debian"
    if os_id == "alpine":
        match = re.match(r"(\d+)\.(\d+)", version_id or "")
        return f"Alpine:v{match.group(1)}.{match.group(2)}" if match else "Alpine"
    if os_id == "ubuntu":
        return f"Ubuntu:{version_id}" if version_id else "Ubuntu"
    return None


def detect_os(fs: FileSystem) -> OSInfo | None:
    """Read the distribution from os-release, falling back to debian_version / alpine-release."""
    release = _text(fs, "etc/os-release") or _text(fs, "usr/lib/os-release")
    values = parse_os_release(release) if release else {}
    os_id = values.get("ID", "").lower()
    version_id = values.get("VERSION_ID") or None
    if not os_id:
        alpine = _text(fs, "etc/alpine-release")
        debian = _text(fs, "etc/debian_version")
        if alpine:
            os_id, version_id = "alpine", alpine.strip()
        elif debian:
            os_id, version_id = "debian", debian.strip()
        else:
            return None
    if os_id == "debian" and version_id is None:
        debian = _text(fs, "etc/debian_version")
        if debian and debian.strip()[:1].isdigit():
            version_id = debian.strip().split(".")[0]
    distroless = fs.get("var/lib/dpkg/status.d") is not None and not fs.exists("usr/bin/dpkg")
    release = version_id
    point = _text(fs, "etc/debian_version") if os_id == "debian" else None
    if point and point.strip()[:1].isdigit():
        release = point.strip()
    return OSInfo(
        id=os_id,
        version_id=version_id,
        pretty_name=values.get("PRETTY_NAME"),
        codename=values.get("VERSION_CODENAME"),
        ecosystem=osv_ecosystem(os_id, version_id),
        distroless=distroless,
        release=release,
    )
