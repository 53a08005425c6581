"""Forked workers give exactly the report a single process gives, in the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.model.finding import Report
from seawall.report import render
from seawall.rules import rules_for
from seawall.rules._base import TargetKind
from seawall.targets import parallel
from seawall.targets.dockerfile import check_dockerfile

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
_DOCKERFILE_RULES = {rule.meta.id: rule for rule in rules_for(TargetKind.DOCKERFILE)}


def _check_one(path: Path) -> Report:
    return check_dockerfile(path, path.relative_to(FIXTURES).as_posix(), Config())


def _run(monkeypatch: pytest.MonkeyPatch, jobs: str) -> Report:
    monkeypatch.setenv("SEAWALL_JOBS", jobs)
    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 4)
    files = sorted(FIXTURES.glob("*/*.Dockerfile"))
    assert len(files) > 100
    report = parallel.check_all(files, _check_one, _DOCKERFILE_RULES)
    report.sort()
    return report


def test_workers_match_single_process(monkeypatch: pytest.MonkeyPatch) -> None:
    single = _run(monkeypatch, "1")
    forked = _run(monkeypatch, "3")
    assert parallel.worker_count(300) == 3
    assert single.targets == forked.targets
    assert [f.sort_key() for f in single.findings] == [f.sort_key() for f in forked.findings]
    assert set(single.rules) == set(forked.rules)
    assert render(single, "json") == render(forked, "json")
    assert render(single, "sarif") == render(forked, "sarif")


def test_few_files_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEAWALL_JOBS", raising=False)
    assert parallel.worker_count(10) == 1


def test_a_failing_worker_is_reported_not_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAWALL_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 1)
    parent = os.getpid()

    def broken_in_child(path: Path) -> Report:
        if os.getpid() != parent:
            raise ValueError(f"cannot check {path.name}")
        return Report(targets=[path.name])

    with pytest.raises(RuntimeError, match="a check worker failed: ValueError: cannot check b"):
        parallel.check_all([Path("a"), Path("b")], broken_in_child, {})
