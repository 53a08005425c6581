"""Fixing the real-world corpus in memory (every project still loads, counts by rule), and the
fixed fixtures accepted by Debian's docker-compose (the engine ``harden --verify`` drives)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from corpus import CORPUS, require
from seawall.config import Config
from seawall.fixer import allowed
from seawall.fixes.compose import plan_compose_fixes
from seawall.parsers.compose import LoadOptions, default_files, load_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def test_fixing_every_corpus_project_keeps_it_loading() -> None:
    root = require(CORPUS / "compose")
    projects = sorted(
        {p.parent for p in root.rglob("*.y*ml") if p.name.startswith(("compose", "docker-compose"))}
    )
    assert len(projects) >= 39
    fixed: Counter[str] = Counter()
    remaining: Counter[str] = Counter()
    changed_files = 0
    for folder in projects:
        files = default_files(folder)
        plan = plan_compose_fixes(files, Config(), unsafe=True)
        fixed.update(a.rule_id for a in plan.applied)
        remaining.update(f.rule_id for f in plan.remaining)
        # What remains has no fix that --unsafe-fixes could still apply.
        assert not [f for f in plan.remaining if allowed(f.fix, unsafe=True)]
        texts = {c.path: c.fixed for c in plan.changes if not c.created}
        changed_files += len(texts)
        if texts:
            project = load_project(files, LoadOptions(texts=texts))
            assert set(project.services) == set(load_project(files).services)
    print(
        f"\nfixed by rule: {sorted(fixed.items())}\nremaining by rule: {sorted(remaining.items())}"
    )
    assert changed_files >= 39
    # Every project gets capabilities dropped, a read-only root, NNP and limits.
    for rule_id in ("CR003", "CR004", "CR006", "CR019", "CR020", "CR021"):
        assert fixed[rule_id] >= 70, (rule_id, fixed)
        assert remaining[rule_id] == 0, (rule_id, remaining)
    assert fixed["DC002"] >= 1 and fixed["CR024"] >= 1


def _docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is not installed")
        pytest.skip("docker-compose is not installed")
    return found


FIXED = sorted(
    p
    for p in FIXTURES.glob("*/bad*.fixed.yaml")
    # docker-compose 1.x does not know host_ip in the long port syntax the original uses.
    if "host_ip" not in p.with_name(p.name.replace(".fixed", "")).read_text()
)


@pytest.mark.parametrize("path", FIXED, ids=[f"{p.parent.name}/{p.name}" for p in FIXED])
def test_docker_compose_accepts_the_fixed_fixture(path: Path, tmp_path: Path) -> None:
    tool = _docker_compose()
    shutil.copy(path, tmp_path / "compose.yaml")
    run = subprocess.run(
        [tool, "-f", "compose.yaml", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
