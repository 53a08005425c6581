"""Every CR/DC rule documents itself: docstring sections, references, and an ``## Example`` whose
bad snippet fires the rule while its ``Use instead:`` snippet does not."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from seawall.config import Config
from seawall.parsers.compose import LoadOptions, load_project
from seawall.ruledoc import DOCSTRING_SECTIONS, docstring_sections, example_snippets
from seawall.rules._base import KNOWN_STANDARDS, Rule
from seawall.rules.compose import COMPOSE_RULES
from seawall.rules.workload import WORKLOAD_RULES
from seawall.targets.compose import check_project

RULES: list[Rule[Any]] = [*WORKLOAD_RULES, *COMPOSE_RULES]
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Files the examples of project-level rules describe in comments (mode, or text).
EXTRA_FILES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "DC004": ({"db_password.txt": 0o644}, {"db_password.txt": 0o600}),
    "DC005": ({".env": "DB_PASSWORD=hunter2\n"}, {}),
}


def test_ids_and_names_are_unique_and_well_formed() -> None:
    ids = [r.meta.id for r in RULES]
    names = [r.meta.name for r in RULES]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert re.fullmatch(r"(CR|DC)\d{3}", rule.meta.id)
        assert NAME.match(rule.meta.name), rule.meta.name


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_docstring_and_metadata(rule: Rule[Any]) -> None:
    sections = docstring_sections(rule)
    for section in DOCSTRING_SECTIONS:
        assert sections.get(section), f"{rule.meta.id}: missing '## {section}'"
    assert rule.meta.references, rule.meta.id
    assert {ref.standard for ref in rule.meta.references} <= KNOWN_STANDARDS
    assert rule.meta.remediation and rule.meta.title


def _findings(rule: Rule[Any], text: str, extra: dict[str, Any], root: Path) -> list[str]:
    root.mkdir()
    (root / "compose.yaml").write_text(text, encoding="utf-8")
    for name, content in extra.items():
        path = root / name
        if isinstance(content, int):
            path.write_text("not-a-real-secret\n")
            path.chmod(content)
        else:
            path.write_text(content)
    project = load_project([root / "compose.yaml"], LoadOptions(environ={}, display_root=root))
    report = check_project(project, Config(select=(rule.meta.id,)))
    assert not report.errors
    return [f.message for f in report.findings if f.rule_id == rule.meta.id]


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_example_fires_and_use_instead_does_not(rule: Rule[Any], tmp_path: Path) -> None:
    bad, good = example_snippets(rule)
    bad_extra, good_extra = EXTRA_FILES.get(rule.meta.id, ({}, {}))
    assert _findings(rule, bad, bad_extra, tmp_path / "bad"), f"{rule.meta.id}: example is silent"
    assert _findings(rule, good, good_extra, tmp_path / "good") == []
