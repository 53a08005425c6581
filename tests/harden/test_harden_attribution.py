"""Attributing breakage to changes: the fewest changes whose removal makes the project work."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seawall.harden.attribution import find_culprits


def oracle(culprits: set[int], calls: list[frozenset[int]]) -> Callable[[frozenset[int]], bool]:
    """The project works when every culprit is removed; records each bring-up."""

    def works_without(removed: frozenset[int]) -> bool:
        calls.append(removed)
        return culprits <= removed

    return works_without


def test_single_culprit_found_in_logarithmic_bring_ups() -> None:
    calls: list[frozenset[int]] = []
    found = find_culprits(list(range(16)), oracle({11}, calls))
    assert found == frozenset({11})
    assert len(calls) <= 1 + 2 * 4  # the confirmation, then at most two tests per halving


def test_two_culprits_in_different_halves() -> None:
    calls: list[frozenset[int]] = []
    assert find_culprits(list(range(8)), oracle({1, 6}, calls)) == frozenset({1, 6})


def test_unattributable_breakage_returns_none() -> None:
    calls: list[frozenset[int]] = []

    def never_works(removed: frozenset[int]) -> bool:
        calls.append(removed)
        return False

    assert find_culprits([1, 2, 3], never_works) is None
    assert calls == [frozenset({1, 2, 3})]
    assert find_culprits([], lambda removed: True) is None


@given(
    st.integers(min_value=1, max_value=24).flatmap(
        lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1), min_size=1, max_size=4))
    )
)
def test_finds_exactly_the_culprits(case: tuple[int, set[int]]) -> None:
    size, culprits = case
    calls: list[frozenset[int]] = []
    assert find_culprits(list(range(size)), oracle(culprits, calls)) == frozenset(culprits)


@pytest.mark.parametrize("needs", [{0, 1}, {2, 3, 4}])
def test_a_breakage_needing_several_changes_together(needs: set[int]) -> None:
    # The project breaks only when all of ``needs`` are applied: removing any one of them helps,
    # and the search returns one such change (the least to back out).
    def works_without(removed: frozenset[int]) -> bool:
        return bool(needs & removed)

    found = find_culprits(list(range(6)), works_without)
    assert found is not None and len(found) == 1 and found <= needs
