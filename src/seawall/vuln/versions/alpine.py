"""Alpine (apk) version ordering, written from the apk package format documentation.

Grammar: ``number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}``. Suffixes ``alpha``,
``beta``, ``pre``, ``rc`` sort before the plain release; ``cvs``, ``svn``, ``git``, ``hg``, ``p``
after it. A number part after the first whose text starts with ``0`` compares as a decimal
fraction (as text). Strings outside the grammar still get a deterministic order (apk itself
accepts them), but ``is_valid`` reports them so callers can say the comparison is a best effort.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SUFFIX_WEIGHT = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3}
_SUFFIX_WEIGHT.update({"hg": 4, "p": 5})
_NO_SUFFIX = 0

_NUMBERS = re.compile(r"\d+(?:\.\d+)*\.?")
_SUFFIX = re.compile(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)")
_HASH = re.compile(r"~[0-9a-f]+")
_REVISION = re.compile(r"-r(\d*)")
_GRAMMAR = re.compile(
    r"^\d+(?:\.\d+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(?:~[0-9a-f]+)?(?:-r\d+)?$"
)


@dataclass(frozen=True)
class _Parsed:
    text: str
    numbers: tuple[str, ...]
    letter: str
    suffixes: tuple[tuple[int, int], ...]
    revision: int
    leftover: str  # text after the last recognised part; non-empty means outside the grammar
    unparsable: bool  # junk before any ``-r#``: only text order is left


def is_valid(version: str) -> bool:
    """Whether ``version`` follows the apk version grammar exactly."""
    return _GRAMMAR.match(version) is not None


def _parse(text: str) -> _Parsed:
    pos = 0
    numbers: tuple[str, ...] = ()
    m = _NUMBERS.match(text, pos)
    if m:
        numbers = tuple(p for p in m.group(0).split(".") if p)
        pos = m.end()
    letter = ""
    if pos < len(text) and "a" <= text[pos] <= "z":
        letter = text[pos]
        pos += 1
    suffixes: list[tuple[int, int]] = []
    while (m := _SUFFIX.match(text, pos)) is not None:
        suffixes.append((_SUFFIX_WEIGHT[m.group(1)], int(m.group(2) or 0)))
        pos = m.end()
    if (m := _HASH.match(text, pos)) is not None:
        pos = m.end()  # commit hashes carry no order
    revision = 0
    unparsable = False
    if (m := _REVISION.match(text, pos)) is not None:
        revision = int(m.group(1) or 0)
        pos = m.end()
    elif pos < len(text):
        unparsable = True  # junk where only ``-r#`` may stand
    return _Parsed(text, numbers, letter, tuple(suffixes), revision, text[pos:], unparsable)


def _cmp(a: object, b: object) -> int:
    return (a > b) - (a < b)  # type: ignore[operator]


def _compare_numbers(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "0"
        y = b[i] if i < len(b) else "0"
        if i > 0 and (x.startswith("0") or y.startswith("0")):
            diff = _cmp(x, y)  # fractional part: compared as text
        else:
            diff = _cmp(int(x), int(y))
        if diff:
            return diff
    return 0


def _compare_suffixes(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> int:
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else (_NO_SUFFIX, 0)
        y = b[i] if i < len(b) else (_NO_SUFFIX, 0)
        if diff := _cmp(x, y):
            return diff
    return 0


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as Alpine version ``a`` sorts before, equal to or after ``b``."""
    pa, pb = _parse(a.strip()), _parse(b.strip())
    if pa.unparsable and pb.unparsable:
        return _cmp(pa.text, pb.text)  # both outside the grammar: plain text order
    return (
        _compare_numbers(pa.numbers, pb.numbers)
        or _cmp(pa.letter, pb.letter)
        or _compare_suffixes(pa.suffixes, pb.suffixes)
        or _cmp(pa.revision, pb.revision)
        # Recognised text that is followed by junk sorts before the same text alone.
        or _cmp(not pa.leftover, not pb.leftover)
    )
