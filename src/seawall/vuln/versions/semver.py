"""Semantic Versioning 2.0 ordering for npm and Go (and other semver ecosystems).

Lenient where OSV data is: a leading ``v`` is dropped, missing minor/patch parts count as 0,
and numeric parts beyond the third are treated like build metadata (ignored for precedence).
Build metadata never affects order. Go's ``go1.21rc2`` style is handled by ``go_version``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from seawall.vuln.versions.errors import InvalidVersion

_CORE = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:\.\d+)*)$")
_GO_TOOLCHAIN = re.compile(r"^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta|alpha)(\d+))?$")

# A prerelease identifier: numbers sort before words; words compare as ASCII text.
_Ident = tuple[int, int, str]
_Key = tuple[tuple[int, int, int], int, tuple[_Ident, ...]]


@lru_cache(maxsize=65536)
def sort_key(version: str) -> _Key:
    """A key that orders semver versions by precedence (build metadata ignored)."""
    text = version.strip()
    if text[:1] in ("v", "V"):
        text = text[1:]
    text = text.split("+", 1)[0]
    core, _, pre = text.partition("-")
    match = _CORE.match(core)
    if match is None:
        raise InvalidVersion(f"not a semantic version: {version!r}")
    numbers = (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))
    if not pre:
        return (numbers, 1, ())
    idents = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in pre.split(".")
    )
    return (numbers, 0, idents)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as semantic version ``a`` sorts before, equal to or after ``b``."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def go_version(version: str) -> str:
    """Turn a Go toolchain version (``go1.21rc2``, ``go1.22.3``) into semver (``1.21.0-rc.2``).

    Other strings are returned unchanged (module versions already are semver).
    """
    match = _GO_TOOLCHAIN.match(version.strip())
    if match is None:
        return version
    major, minor, patch, pre, pre_n = match.groups()
    text = f"{major}.{minor or 0}.{patch or 0}"
    return f"{text}-{pre}.{pre_n}" if pre else text
