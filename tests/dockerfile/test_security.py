"""Unit tests for the Dockerfile security rules (DF002-DF049) beyond the fixture folders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from seawall.config import Config
from seawall.engine import make_context, run_rules
from seawall.model.finding import Finding
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.rules._base import Rule
from seawall.rules.dockerfile.security_rules import SECURITY_RULES
from seawall.targets.dockerfile import check_dockerfile

MY_RULES = [r for r in SECURITY_RULES if "DF002" <= r.meta.id <= "DF049"]
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "dockerfiles"
_BLOCK = re.compile(r"```dockerfile\n(.*?)```", re.S)


def run(rule: Rule[Any], text: str, target: str = "Dockerfile", **extra: Any) -> list[Finding]:
    """Findings of one rule on Dockerfile text."""
    source = SourceFile(target, text)
    df = parse_dockerfile(source)
    ctx = make_context(Config(), target, source)
    ctx.extra.update(extra)
    found, errors = run_rules([rule], df, ctx)
    assert not errors, errors
    return found


def _examples(rule: Rule[Any]) -> tuple[str, str]:
    doc = type(rule).__doc__ or ""
    example = doc.split("## Example", 1)[1].split("## Fix safety", 1)[0]
    bad_part, good_part = example.split("Use instead:", 1)
    bad = _BLOCK.search(bad_part)
    good = _BLOCK.search(good_part)
    assert bad and good, rule.meta.id
    dedent = re.compile(r"^    ", re.M)
    return dedent.sub("", bad.group(1)), dedent.sub("", good.group(1))


def test_ids_are_consecutive_from_df002() -> None:
    ids = [r.meta.id for r in MY_RULES]
    assert ids == [f"DF{n:03d}" for n in range(2, 2 + len(ids))]


@pytest.mark.parametrize("rule", MY_RULES, ids=[r.meta.id for r in MY_RULES])
def test_docstring_example_fires_and_alternative_does_not(rule: Rule[Any]) -> None:
    doc = type(rule).__doc__ or ""
    sections = re.findall(r"^\s*## (.+)$", doc, re.M)
    assert sections == ["What it does", "Why is this bad?", "Example", "Fix safety"]
    bad, good = _examples(rule)
    assert run(rule, bad, "app/Dockerfile"), f"{rule.meta.id}: example does not fire"
    assert run(rule, good, "app/Dockerfile", dockerignore=[".git", ".env", "*.pem", "*.key"]) == []


@pytest.mark.parametrize("rule", MY_RULES, ids=[r.meta.id for r in MY_RULES])
def test_meta_is_complete(rule: Rule[Any]) -> None:
    meta = rule.meta
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", meta.name)
    assert meta.references and meta.remediation and meta.title


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_runs_without_rule_crashes() -> None:
    config = Config(select=tuple(r.meta.id for r in MY_RULES))
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    checked = 0
    for path in files:
        report = check_dockerfile(path, str(path.relative_to(CORPUS)), config)
        assert all(e.kind == "parse" for e in report.errors), report.errors
        checked += not report.errors
    assert checked > 400
