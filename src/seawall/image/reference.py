"""Image references: ``[registry[:port]/]repository[:tag][@digest]`` as Docker parses them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seawall.errors import SourceError

DOCKER_HUB = "registry-1.docker.io"
_REPO = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Reference:
    """A parsed image reference."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def version(self) -> str:
        """What to ask the registry for: the digest if pinned, else the tag (default latest)."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> Reference:
    """Parse a reference; SourceError when it is not one."""
    rest = text.strip()
    digest = None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not _DIGEST.match(digest):
            raise SourceError(text, "malformed digest in image reference")
    registry = DOCKER_HUB
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    tag = None
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.match(tag):
            raise SourceError(text, f"malformed tag {tag!r} in image reference")
    if registry == DOCKER_HUB and "/" not in rest:
        rest = f"library/{rest}"
    if not _REPO.match(rest):
        raise SourceError(text, "not an image reference (repository names are lower-case)")
    return Reference(registry, rest, tag, digest)
