"""Meta-tests over the whole registry: ids, names, docs, references, and that examples really fire."""

from __future__ import annotations

import re
from typing import Any

import pytest

from seawall.config import Config
from seawall.engine import make_context, run_rules
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.ruledoc import docstring_sections, example_snippets
from seawall.rules import ALL_RULES, RULES_BY_ID
from seawall.rules._base import KNOWN_STANDARDS, Rule, TargetKind

ID = re.compile(r"^[A-Z]+\d{3}$")
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix safety")


def _ids(rules: tuple[Rule[Any], ...]) -> list[str]:
    return [r.meta.id for r in rules]


def test_ids_and_names_unique_and_well_formed() -> None:
    ids = _ids(ALL_RULES)
    names = [r.meta.name for r in ALL_RULES]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    assert len(names) == len(set(names)), "duplicate rule names"
    assert len(RULES_BY_ID) == len(ALL_RULES)
    for rule in ALL_RULES:
        assert ID.match(rule.meta.id), rule.meta.id
        assert NAME.match(rule.meta.name), rule.meta.name
        assert rule.meta.title and rule.meta.remediation and rule.meta.targets


def test_aliases_do_not_collide_between_rules() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for rule in ALL_RULES:
        for alias in rule.meta.aliases:
            key = alias.lower()
            if key in owner and owner[key] != rule.meta.id:
                clashes.append((alias, owner[key], rule.meta.id))
            owner[key] = rule.meta.id
    # A peer rule may be covered by two of ours (e.g. DS-0031 spans ENV secrets and copied secret files),
    # but every such overlap must be deliberate: list them here when they arise.
    allowed = {
        "ds-0031",
        "avd-ds-0031",
        "ds031",
        "missing_user_instruction",
        "ckv_docker_3",
        "cis-di-0010",
    }
    assert [c for c in clashes if c[0].lower() not in allowed] == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=_ids(ALL_RULES))
def test_docstring_sections(rule: Rule[Any]) -> None:
    sections = docstring_sections(rule)
    for name in SECTIONS:
        assert sections.get(name, "").strip(), f"{rule.meta.id}: missing section '## {name}'"


@pytest.mark.parametrize("rule", ALL_RULES, ids=_ids(ALL_RULES))
def test_references_known(rule: Rule[Any]) -> None:
    assert rule.meta.references, f"{rule.meta.id} cites nothing"
    for ref in rule.meta.references:
        assert ref.standard in KNOWN_STANDARDS, ref


DOCKERFILE_RULES = tuple(r for r in ALL_RULES if TargetKind.DOCKERFILE in r.meta.targets)


@pytest.mark.parametrize("rule", DOCKERFILE_RULES, ids=_ids(DOCKERFILE_RULES))
def test_dockerfile_example_fires_and_use_instead_does_not(rule: Rule[Any]) -> None:
    bad, good = example_snippets(rule)
    config = Config(select=(rule.meta.id,), extend_select=(rule.meta.id,))

    def run(text: str) -> list[str]:
        source = SourceFile("Dockerfile", text)
        ctx = make_context(config, "Dockerfile", source)
        ctx.extra["dockerignore"] = None
        findings, errors = run_rules([rule], parse_dockerfile(source), ctx)
        assert not errors
        return [f.rule_id for f in findings]

    assert run(bad), f"{rule.meta.id}: the docstring example does not fire"
    assert not run(good), f"{rule.meta.id}: the 'Use instead' example fires"
