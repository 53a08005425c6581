"""PyPI version ordering: PEP 440 through ``packaging``, plus the legacy ordering for the rest.

Real PyPI data (and OSV ``versions`` lists) still hold versions that are not PEP 440. They are
ordered the way setuptools/pip ordered them before PEP 440 (the old ``LegacyVersion``): every
legacy version sorts before every PEP 440 version, and legacy versions compare by a key of
zero-padded numbers and ``*``-marked words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

_LEGACY_TOKEN = re.compile(r"(\d+|[a-z]+|\.|-)")
# Words that the legacy scheme treated as synonyms; "-" starts a post-release section.
_LEGACY_ALIASES = {"pre": "c", "preview": "c", "rc": "c", "dev": "@", "-": "final-"}
_FINAL = "*final"
_ZERO = "0" * 8


def _legacy_parts(text: str) -> list[str]:
    parts: list[str] = []
    for raw in _LEGACY_TOKEN.split(text.lower()):
        token = _LEGACY_ALIASES.get(raw, raw)
        if not token or token == ".":
            continue
        parts.append(token.zfill(8) if token[0].isdigit() else "*" + token)
    parts.append(_FINAL)
    return parts


def _legacy_key(text: str) -> tuple[str, ...]:
    key: list[str] = []
    for part in _legacy_parts(text):
        if part.startswith("*"):
            # A pre-release word ends any "-" post section before it ...
            if part < _FINAL:
                while key and key[-1] == "*final-":
                    key.pop()
            # ... and trailing zeros before a word do not count ("1.0a" == "1a").
            while key and key[-1] == _ZERO:
                key.pop()
        key.append(part)
    return tuple(key)


@lru_cache(maxsize=65536)
def sort_key(version: str) -> tuple[Any, ...]:
    """A key that orders PyPI versions; legacy versions sort before all PEP 440 versions."""
    text = version.strip()
    try:
        return (1, Version(text))
    except _PackagingInvalid:
        return (0, _legacy_key(text))


def is_pep440(version: str) -> bool:
    """Whether ``version`` is a valid PEP 440 version."""
    try:
        Version(version.strip())
    except _PackagingInvalid:
        return False
    return True


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as PyPI version ``a`` sorts before, equal to or after ``b``."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)
