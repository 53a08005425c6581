"""Per-rule fixture folders for the Compose rules (CR### over workloads, DC### over projects).

``tests/fixtures/rules/<ID>/`` holds ``bad*.yaml`` / ``good*.yaml`` single-file projects, or
``bad*/`` / ``good*/`` folders with ``compose.yaml`` (plus an override file, ``.env``, env files,
secret files). In any file of a bad case, an ``# expect: <ID>`` comment sits on the line before
each expected finding, so findings in override and env files are checked where they are written.
A ``modes.toml`` in a folder sets file permissions (git does not keep them). Adding a rule means
adding a folder, not test code.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.parsers.compose import LoadOptions, default_files, load_project
from seawall.rules._base import TargetKind
from seawall.rules.compose import COMPOSE_RULES
from seawall.rules.workload import WORKLOAD_RULES
from seawall.targets.compose import check_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)")
RULE_IDS = sorted(r.meta.id for r in (*WORKLOAD_RULES, *COMPOSE_RULES))


def _cases() -> list[tuple[str, str]]:
    cases = []
    for rule_id in RULE_IDS:
        folder = FIXTURES / rule_id
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir()):
            if not item.name.startswith(("bad", "good")) or ".fixed." in item.name:
                continue  # bad*.fixed.yaml are expected fix results (tests/fixes_compose)
            if item.is_dir() or item.suffix in (".yaml", ".yml"):
                cases.append((rule_id, item.name))
    return cases


CASES = _cases()


def _expected(root: Path, rule_id: str) -> list[tuple[str, int]]:
    expected = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        lines = path.read_text(encoding="utf-8").split("\n")
        for index, line in enumerate(lines):
            m = EXPECT.search(line)
            if m and rule_id in [x.strip() for x in m.group(1).split(",")]:
                nxt = index + 1
                while nxt < len(lines) and EXPECT.search(lines[nxt]):
                    nxt += 1
                expected.append((path.relative_to(root).as_posix(), nxt + 1))
    return sorted(expected)


def _run(rule_id: str, case: str, tmp_path: Path) -> tuple[list[tuple[str, int]], list[str], Path]:
    source = FIXTURES / rule_id / case
    root = tmp_path / "case"
    if source.is_dir():
        shutil.copytree(source, root)
        modes = root / "modes.toml"
        if modes.is_file():
            for name, mode in tomllib.loads(modes.read_text()).items():
                (root / name).chmod(int(mode, 8))
            modes.unlink()
        files = default_files(root)
    else:
        root.mkdir()
        shutil.copy(source, root / source.name)
        files = [root / source.name]
    project = load_project(files, LoadOptions(environ={}, display_root=root))
    report = check_project(project, Config(select=(rule_id,)))
    assert not report.errors, report.errors
    found = sorted(
        (f.location.path, report.sources[f.location.path].position(f.location.span.start).line)
        for f in report.findings
        if f.rule_id == rule_id and f.location.span is not None
    )
    messages = [f.message for f in report.findings]
    return found, messages, root


def test_every_compose_rule_has_fixtures() -> None:
    for rule_id in RULE_IDS:
        folder = FIXTURES / rule_id
        assert folder.is_dir(), f"{rule_id}: no fixture folder"
        names = [p.name for p in folder.iterdir()]
        assert any(n.startswith("bad") for n in names), f"{rule_id}: no bad fixture"
        assert any(n.startswith("good") for n in names), f"{rule_id}: no good fixture"


def test_rule_targets() -> None:
    for rule in WORKLOAD_RULES:
        assert rule.meta.targets == frozenset({TargetKind.WORKLOAD}), rule.meta.id
    for rule in COMPOSE_RULES:
        assert rule.meta.targets == frozenset({TargetKind.COMPOSE}), rule.meta.id


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c}" for r, c in CASES])
def test_fixture(rule_id: str, case: str, tmp_path: Path) -> None:
    found, messages, root = _run(rule_id, case, tmp_path)
    if case.startswith("good"):
        assert found == [], messages
        return
    expected = _expected(root, rule_id)
    assert expected, f"{rule_id}/{case}: bad fixture without '# expect: {rule_id}' markers"
    assert found == expected, messages
