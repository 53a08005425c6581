"""Version ordering per OSV ecosystem: Debian/Ubuntu (dpkg), Alpine (apk), PyPI, semver (npm, Go).

``comparator_for(ecosystem)`` returns a ``compare(a, b) -> -1|0|1`` function, or ``None`` when
seawall cannot order that ecosystem (matching then relies on explicit ``versions`` lists and says
so). Comparators raise ``InvalidVersion`` for strings they cannot order.
"""

from __future__ import annotations

from collections.abc import Callable

from seawall.vuln.versions import alpine, debian, pypi, semver
from seawall.vuln.versions.errors import InvalidVersion

Comparator = Callable[[str, str], int]

_BY_ECOSYSTEM: dict[str, Comparator] = {
    "Debian": debian.compare,
    "Ubuntu": debian.compare,
    "Alpine": alpine.compare,
    "PyPI": pypi.compare,
    "npm": semver.compare,
    "Go": semver.compare,
    "crates.io": semver.compare,
    "Hex": semver.compare,
}


def ecosystem_base(ecosystem: str) -> str:
    """``Debian:12`` → ``Debian``; ``Alpine:v3.19`` → ``Alpine``."""
    return ecosystem.split(":", 1)[0].strip()


def comparator_for(ecosystem: str) -> Comparator | None:
    """The version comparator of an OSV ecosystem (release suffix allowed), or None."""
    return _BY_ECOSYSTEM.get(ecosystem_base(ecosystem))


def semver_compare(a: str, b: str) -> int:
    """The comparator OSV ``SEMVER`` ranges use whatever the ecosystem."""
    return semver.compare(a, b)


__all__ = ["Comparator", "InvalidVersion", "comparator_for", "ecosystem_base", "semver_compare"]
