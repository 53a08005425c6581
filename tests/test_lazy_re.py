"""Lazily compiled patterns behave like ``re.compile`` and glob sets like ``fnmatch``."""

from __future__ import annotations

import fnmatch
import re

from seawall.lazy_re import glob_set, lazy_pattern


def test_lazy_pattern_compiles_on_first_use_and_matches_like_re() -> None:
    lazy = lazy_pattern(r"(?P<key>[a-z]+)=(\d+)", re.I)
    assert "match" not in vars(lazy)  # nothing compiled at creation
    eager = re.compile(r"(?P<key>[a-z]+)=(\d+)", re.I)
    for text in ("A=1", "x = 2", "port=80 host=9", ""):
        assert bool(lazy.search(text)) == bool(eager.search(text))
        assert lazy.findall(text) == eager.findall(text)
        assert lazy.sub("-", text) == eager.sub("-", text)
    assert "match" in vars(lazy)  # later calls go straight to the compiled pattern
    assert lazy.groupindex == eager.groupindex
    assert lazy.pattern == eager.pattern


def test_glob_set_matches_like_fnmatch_and_names_the_first_glob() -> None:
    globs = ["*.pem", "id_rsa*", "gcc-[0-9]*", ".env", "*.key"]
    found = glob_set(globs)
    names = ["server.pem", "id_rsa.pub", "gcc-12", "gcc-x", ".env", ".envrc", "a.key", "notes"]
    for name in names:
        expected = next((i for i, g in enumerate(globs) if fnmatch.fnmatchcase(name, g)), None)
        match = found.match(name)
        got = match.lastindex - 1 if match and match.lastindex else None
        assert got == expected, name


def test_empty_glob_set_matches_nothing() -> None:
    assert glob_set([]).match("anything") is None
