"""Version ordering against the osv-scalibr vector files: every valid vector must pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seawall.vuln.versions import InvalidVersion, alpine, comparator_for, debian, pypi, semver

EXPECTED = {"<": -1, "=": 0, ">": 1}


def vectors(folder: Path, *names: str) -> list[tuple[str, str, str]]:
    """(a, op, b) lines of vector files; '# ' and '// ' lines are comments (as upstream)."""
    out = []
    for name in names:
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if not line or line.startswith(("# ", "// ")):
                continue
            a, op, b = line.split(" ")
            out.append((a, op, b))
    return out


def failures(compare: Callable[[str, str], int], cases: list[tuple[str, str, str]]) -> list[str]:
    """Vectors whose result (either way round) differs from the expectation."""
    bad = []
    for a, op, b in cases:
        want = EXPECTED[op]
        got = (compare(a, b), compare(b, a))
        if got != (want, -want):
            bad.append(f"{a} {op} {b}: got {got}")
    return bad


@pytest.fixture(scope="module")
def vector_dir(osv_corpus: Path) -> Path:
    return osv_corpus / "osv-scalibr-version-vectors"


@pytest.mark.parametrize(
    ("module", "files", "minimum"),
    [
        (debian, ("debian-versions.txt", "debian-versions-generated.txt"), 14_000),
        (alpine, ("alpine-versions.txt", "alpine-versions-generated.txt"), 14_000),
        (pypi, ("pypi-versions.txt", "pypi-versions-generated.txt"), 12_000),
        (semver, ("semver-versions.txt",), 80),
    ],
    ids=["debian", "alpine", "pypi", "semver"],
)
def test_every_vector_passes(
    vector_dir: Path, module: object, files: tuple[str, ...], minimum: int
) -> None:
    cases = vectors(vector_dir, *files)
    assert len(cases) >= minimum  # the whole file was read, not a few lines
    bad = failures(module.compare, cases)  # type: ignore[attr-defined]
    assert bad == [], f"{len(bad)} of {len(cases)} failed, e.g. {bad[:5]}"


def test_alpine_vectors_include_invalid_versions_and_still_pass(vector_dir: Path) -> None:
    cases = vectors(vector_dir, "alpine-versions.txt")
    invalid = [c for c in cases if not (alpine.is_valid(c[0]) and alpine.is_valid(c[2]))]
    assert len(invalid) > 20  # e.g. "1-ruff2", "0..8", "1.2.0A"
    assert failures(alpine.compare, invalid) == []


def test_debian_matches_dpkg_on_random_pairs(vector_dir: Path) -> None:
    import random
    import shutil
    import subprocess

    if shutil.which("dpkg") is None:
        pytest.skip("dpkg not installed")
    versions = sorted(
        {v for a, _, b in vectors(vector_dir, "debian-versions-generated.txt") for v in (a, b)}
    )
    rng = random.Random(6)
    for _ in range(60):
        a, b = rng.choice(versions), rng.choice(versions)
        for op, want in (("lt", -1), ("eq", 0), ("gt", 1)):
            truth = (
                subprocess.run(["dpkg", "--compare-versions", a, op, b], check=False).returncode
                == 0
            )
            assert (debian.compare(a, b) == want) == truth, (a, op, b)


def test_semver_ignores_build_metadata_and_v_prefix() -> None:
    assert semver.compare("1.0.0+build1", "1.0.0") == 0
    assert semver.compare("v1.2.3", "1.2.3") == 0
    assert semver.compare("1.0.0-rc.1", "1.0.0") == -1
    assert semver.compare("0.0.0-20210101000000-abcdef123456", "0.0.1") == -1  # Go pseudo-version


def test_go_toolchain_versions_become_semver() -> None:
    assert semver.go_version("go1.21rc2") == "1.21.0-rc.2"
    assert semver.go_version("go1.22.3") == "1.22.3"
    assert semver.go_version("v1.2.3") == "v1.2.3"


def test_pypi_legacy_sorts_before_pep440() -> None:
    assert pypi.compare("0.9-doduo", "0.1") == -1
    assert not pypi.is_pep440("0.9-doduo")
    assert pypi.compare("1!1.0", "2.0") == 1


def test_invalid_versions_raise() -> None:
    with pytest.raises(InvalidVersion):
        debian.compare("1.2.3", "not a version!")
    with pytest.raises(InvalidVersion):
        semver.compare("1.2.3", "banana")


def test_comparator_lookup_by_ecosystem() -> None:
    assert comparator_for("Debian:12") is debian.compare
    assert comparator_for("Alpine:v3.19") is alpine.compare
    assert comparator_for("Ubuntu:22.04:LTS") is debian.compare
    assert comparator_for("Maven") is None
