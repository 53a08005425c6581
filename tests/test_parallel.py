"""Forked workers give exactly the report a single process gives, in the same order."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
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


@pytest.fixture
def two_processes(monkeypatch: pytest.MonkeyPatch) -> int:
    """Two processes from one file up; the parent's pid."""
    monkeypatch.setenv("SEAWALL_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 1)
    return os.getpid()


def _wait_until(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_a_failing_worker_is_reported_not_lost(two_processes: int, tmp_path: Path) -> None:
    parent = two_processes
    taken_by_child = tmp_path / "taken"

    def broken_in_child(path: Path) -> Report:
        if os.getpid() != parent:
            taken_by_child.write_text(path.name)
            raise ValueError(f"cannot check {path.name}")
        # Hold this file until the child has taken the other.
        _wait_until(taken_by_child.exists, "the child took no file")
        return Report(targets=[path.name])

    with pytest.raises(RuntimeError, match=r"a check worker failed: ValueError: cannot check [ab]"):
        parallel.check_all([Path("a"), Path("b")], broken_in_child, {})


def test_the_free_process_takes_the_next_file(two_processes: int, tmp_path: Path) -> None:
    # The parent is held on its first file until the child has checked all the others: the
    # child takes every remaining file, and the merged report still lists them in their order.
    parent = two_processes
    done_by_child = tmp_path / "done"
    done_by_child.touch()
    names = [f"f{i:02d}" for i in range(20)]

    def held_in_parent(path: Path) -> Report:
        if os.getpid() == parent:
            _wait_until(
                lambda: len(done_by_child.read_text().split()) >= len(names) - 1,  # all but this
                "the child did not take the other files",
            )
            return Report(targets=[f"{path.name}@parent"])
        with done_by_child.open("a") as marks:
            marks.write(f"{path.name}\n")
        return Report(targets=[f"{path.name}@child"])

    report = parallel.check_all([Path(n) for n in names], held_in_parent, {})
    assert [t.split("@")[0] for t in report.targets] == names
    # A fixed split would have given the parent ten; it took one (or none, when the child was
    # quicker off the mark and took all twenty).
    assert sum(t.endswith("@parent") for t in report.targets) <= 1


def test_cli_text_is_the_same_with_workers_rendering(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # With several processes the workers render their files' findings; the text must not change.
    from seawall.cli import main

    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 4)
    outputs = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("SEAWALL_JOBS", jobs)
        code = main(["check", "--no-config", str(FIXTURES)])
        outputs[jobs] = (code, capsys.readouterr().out)
    assert outputs["1"] == outputs["2"]
    assert outputs["1"][1].count("\n  |") > 100  # excerpts of many findings were rendered


def test_a_worker_that_dies_is_reported_with_its_status(two_processes: int) -> None:
    parent = two_processes

    def dies_in_child(path: Path) -> Report:
        if os.getpid() != parent:
            os._exit(3)  # no results, no end record: as if the child were killed
        time.sleep(0.2)
        return Report(targets=[path.name])

    with pytest.raises(RuntimeError, match="worker exited with status 3"):
        parallel.check_all([Path(n) for n in "abcdef"], dies_in_child, {})


@pytest.mark.parametrize("files", [1, 48, 1024, 1025, 10_000, 100_000])
def test_the_queue_hands_out_every_file_once_from_one_page(files: int) -> None:
    queue = parallel._WorkQueue(files)
    try:
        taken = []
        records = 0
        while (chunk := queue.take()) is not None:
            taken.extend(chunk)
            records += 1
        assert taken == list(range(files))
        assert records <= 1024  # 4 KiB of records: written before any reader without blocking
    finally:
        queue.close()


def test_the_cycle_collector_is_paused_during_a_scan_and_resumed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    monkeypatch.setenv("SEAWALL_JOBS", "1")
    monkeypatch.setattr(parallel, "_COLLECT_EVERY", 3)
    seen: list[bool] = []
    young_collections: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 1:
            young_collections.append(len(seen))

    def check_one(path: Path) -> Report:
        seen.append(gc.isenabled())
        return Report(targets=[path.name])

    assert gc.isenabled()
    gc.callbacks.append(record)
    try:
        report = parallel.check_all([Path(f"f{i}") for i in range(10)], check_one, {})
    finally:
        gc.callbacks.remove(record)
    assert seen == [False] * 10
    assert young_collections == [3, 6, 9]  # the young generations, every third file
    assert gc.isenabled()
    assert len(report.targets) == 10


def test_a_paused_collector_stays_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    monkeypatch.setenv("SEAWALL_JOBS", "1")
    gc.disable()
    try:
        parallel.check_all([Path("a")], lambda path: Report(targets=[path.name]), {})
        assert not gc.isenabled()
    finally:
        gc.enable()
