"""Every Dockerfile of the shared corpus, fixed in memory with safe and unsafe fixes, still parses
and is stable: fixing the result again changes nothing. Figures: ``benchmarks/fix_corpus.py``."""

from __future__ import annotations

from corpus import CORPUS, require
from seawall.config import Config
from seawall.errors import ParseError, SourceError
from seawall.fixes.dockerfile import fix_dockerfile_text, validate_dockerfile
from seawall.targets.discover import discover
from seawall.targets.dockerfile import read_dockerignore
from seawall.targets.read import read_text_file


def test_fixed_corpus_parses_and_is_idempotent() -> None:
    root = require(CORPUS / "dockerfiles")
    paths = discover([root]).dockerfiles
    assert len(paths) >= 480
    config = Config()
    changed = 0
    broken: list[str] = []
    for path in paths:
        shown = str(path.relative_to(root))
        try:
            text = read_text_file(path, shown).text
            validate_dockerfile(text, shown)
        except (SourceError, ParseError):
            continue  # templates with placeholders (see test_corpus_dockerfiles)
        extra = {"dockerignore": read_dockerignore(path), "dockerfile_path": path}
        result = fix_dockerfile_text(text, shown, config, unsafe=True, extra=extra)
        validate_dockerfile(result.fixed, shown)
        again = fix_dockerfile_text(result.fixed, shown, config, unsafe=True, extra=extra)
        if again.changed or again.applied:
            broken.append(shown)
        changed += result.changed
    assert broken == []
    assert changed >= 300  # most shipped stages run as root: DF001's fix applies
