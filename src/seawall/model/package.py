"""An installed software package, as found in an image's inventory and matched against advisories."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Package:
    """One installed package.

    ``ecosystem`` uses OSV ecosystem names with the release where OSV has one: ``Debian:12``,
    ``Alpine:v3.19``, ``Ubuntu:22.04``, ``PyPI``, ``npm``, ``Go``. For distribution packages
    ``source_name``/``source_version`` carry the source package that advisories are written against.
    ``layer`` is the image layer digest (or index) that installed it; ``path`` is the database or
    metadata file it was read from.
    """

    name: str
    version: str
    ecosystem: str
    purl: str
    source_name: str | None = None
    source_version: str | None = None
    layer: str | None = None
    path: str | None = None
    licenses: tuple[str, ...] = ()
    arch: str | None = None
