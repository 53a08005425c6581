"""Every comparator is a total order on real version strings (property tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import CORPUS
from seawall.vuln.versions import alpine, debian, pypi, semver

VECTORS = CORPUS / "osv" / "osv-scalibr-version-vectors"


def _versions(*names: str) -> list[str]:
    found: set[str] = set()
    for name in names:
        path = VECTORS / name
        if not path.exists():
            return ["1.0"]
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if len(parts) == 3 and not line.startswith(("# ", "// ")):
                found.update((parts[0], parts[2]))
    return sorted(found)


CASES: list[tuple[Callable[[str, str], int], list[str]]] = [
    (debian.compare, _versions("debian-versions-generated.txt")),
    (alpine.compare, _versions("alpine-versions-generated.txt", "alpine-versions.txt")),
    (pypi.compare, _versions("pypi-versions-generated.txt", "pypi-versions.txt")),
    (semver.compare, _versions("semver-versions.txt")),
]


@pytest.mark.parametrize(("compare", "pool"), CASES, ids=["debian", "alpine", "pypi", "semver"])
def test_total_order(compare: Callable[[str, str], int], pool: list[str]) -> None:
    if pool == ["1.0"]:
        pytest.skip("version vectors not available")

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(pool), st.sampled_from(pool), st.sampled_from(pool))
    def check(a: str, b: str, c: str) -> None:
        assert compare(a, a) == 0
        assert compare(a, b) == -compare(b, a)
        if compare(a, b) <= 0 and compare(b, c) <= 0:
            assert compare(a, c) <= 0

    check()
