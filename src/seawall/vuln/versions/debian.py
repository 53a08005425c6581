"""Debian (dpkg) version ordering, written from Debian Policy §5.6.12.

A version is ``[epoch:]upstream[-revision]``. Epochs compare as integers; upstream and revision
compare with the dpkg string algorithm: alternate runs of non-digits (``~`` before everything,
even the end of the string; letters before other characters) and digits (numerically).
"""

from __future__ import annotations

import re

from seawall.vuln.versions.errors import InvalidVersion

_VALID = re.compile(r"^(?:(\d+):)?([0-9A-Za-z.+~:-]*)$")


def _char_weight(ch: str) -> int:
    if ch == "~":
        return -1
    if ch.isalpha():
        return ord(ch)
    return ord(ch) + 256


def _compare_fragment(a: str, b: str) -> int:
    """The dpkg ``verrevcmp`` ordering of one upstream or revision string."""
    i = j = 0
    while i < len(a) or j < len(b):
        # Non-digit run: compare character by character; end-of-string weighs 0.
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            wa = _char_weight(a[i]) if i < len(a) and not a[i].isdigit() else 0
            wb = _char_weight(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if wa != wb:
                return -1 if wa < wb else 1
            i += 1
            j += 1
        # Digit run: compare numerically (leading zeros do not matter).
        si = i
        while i < len(a) and a[i].isdigit():
            i += 1
        sj = j
        while j < len(b) and b[j].isdigit():
            j += 1
        na = int(a[si:i] or "0")
        nb = int(b[sj:j] or "0")
        if na != nb:
            return -1 if na < nb else 1
    return 0


def _split(version: str) -> tuple[int, str, str]:
    text = version.strip()
    match = _VALID.match(text)
    if not text or match is None:
        raise InvalidVersion(f"not a Debian version: {version!r}")
    epoch = int(match.group(1) or 0)
    rest = match.group(2)
    upstream, sep, revision = rest.rpartition("-")
    if not sep:
        upstream, revision = rest, ""
    if not upstream or not upstream[0].isdigit():
        raise InvalidVersion(
            f"not a Debian version: {version!r} (upstream must start with a digit)"
        )
    return epoch, upstream, revision


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version ``a`` sorts before, equal to or after ``b``."""
    ea, ua, ra = _split(a)
    eb, ub, rb = _split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_fragment(ua, ub) or _compare_fragment(ra, rb)
