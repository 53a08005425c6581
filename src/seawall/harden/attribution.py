"""Finding which changes broke a project: the fewest changes whose removal makes it work again.

Each test of a candidate set is a full bring-up of the project, so the search splits the
candidates in halves (adaptive group testing) instead of trying each change on its own: one
culprit among n changes costs about log2(n) bring-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def find_culprits(
    candidates: Sequence[T], works_without: Callable[[frozenset[T]], bool]
) -> frozenset[T] | None:
    """A small set of ``candidates`` whose removal makes ``works_without`` true.

    ``works_without(removed)`` brings the project up without the ``removed`` changes and tells
    whether it works. Returns None when even removing every candidate does not help (the
    breakage lies elsewhere). The result is minimal in the sense that, with every other
    candidate kept, each culprit found had to be removed.
    """
    everything = frozenset(candidates)
    if not everything:
        return None
    if not works_without(everything):
        return None
    return _search(list(dict.fromkeys(candidates)), frozenset(), works_without)


def _search(
    candidates: list[T], also: frozenset[T], works_without: Callable[[frozenset[T]], bool]
) -> frozenset[T]:
    """Culprits among ``candidates``, knowing that removing all of them plus ``also`` works."""
    if len(candidates) == 1:
        return frozenset(candidates)
    half = len(candidates) // 2
    first, second = candidates[:half], candidates[half:]
    if works_without(also | frozenset(first)):
        return _search(first, also, works_without)
    if works_without(also | frozenset(second)):
        return _search(second, also, works_without)
    # Both halves hold a culprit: find those of the first with the second removed, then those
    # of the second with only the first half's culprits removed.
    found_first = _search(first, also | frozenset(second), works_without)
    found_second = _search(second, also | found_first, works_without)
    return found_first | found_second
