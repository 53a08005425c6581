"""Regular expressions and glob sets compiled on first use.

``seawall check`` on one Dockerfile imports every Dockerfile rule, yet most of their patterns are
never needed for a given file: compiling them all at import cost more than checking the file.
A lazy pattern compiles on its first use and then hands out the compiled pattern's own bound
methods, so later calls cost the same as with ``re.compile``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, cast

# Filled in on first use; every later lookup of these finds the compiled pattern's attribute.
_ATTRIBUTES = (
    "match",
    "fullmatch",
    "search",
    "finditer",
    "findall",
    "sub",
    "subn",
    "split",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class _LazyPattern:
    def __init__(self, pattern: str | Callable[[], str], flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not set yet, that is on the first use.
        if name.startswith("_"):
            raise AttributeError(name)  # copy/pickle probes, or ``_source`` before __init__
        pattern, flags = self._source
        compiled = re.compile(pattern if isinstance(pattern, str) else pattern(), flags)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)


def lazy_pattern(pattern: str | Callable[[], str], flags: int = 0) -> re.Pattern[str]:
    """A pattern like ``re.compile(pattern, flags)`` that is compiled when first used.

    ``pattern`` may be a function giving the pattern's text, called at that time too.
    """
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


def glob_set(patterns: Sequence[str]) -> re.Pattern[str]:
    """One lazily compiled pattern for a list of shell-style globs (``fnmatch`` syntax, case
    sensitive): ``match(name)`` matches when any glob matches the whole name, and its
    ``lastindex - 1`` is the index of the first glob that does.

    One pattern for the list is far cheaper to compile, and to try, than a glob at a time.
    """

    def source() -> str:
        import fnmatch

        return "|".join(f"({fnmatch.translate(p)})" for p in patterns) or "(?!)"

    return lazy_pattern(source)
