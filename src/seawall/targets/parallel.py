"""Checking many Dockerfiles on every core: forked workers, one report each, merged in order.

A repository scan has hundreds of small files and the work per file is pure Python, so threads do
not help; forked processes do. Workers inherit the parsed configuration and the imported rules
from the parent (no re-import, nothing pickled on the way in); only the reports travel back, with
rules sent as ids and resolved again in the parent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from seawall.model.finding import Report

# Below this many files the cost of forking (~10 ms a worker) outweighs the gain.
MIN_FILES_PER_WORKER = 48

CheckOne = Callable[[Path], Report]

_job: CheckOne | None = None  # set in the parent just before forking; read by the workers


def worker_count(files: int) -> int:
    """How many processes to use for ``files`` files (1 means: stay in this process)."""
    if sys.platform != "linux" or os.environ.get("SEAWALL_JOBS") == "1":
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    wanted = int(os.environ.get("SEAWALL_JOBS", "0") or 0) or cores
    return max(1, min(wanted, files // MIN_FILES_PER_WORKER))


def _check_slice(paths: Sequence[Path]) -> list[tuple[Report, list[str]]]:
    assert _job is not None
    out = []
    for path in paths:
        report = _job(path)
        rule_ids = list(report.rules)
        report.rules = {}
        out.append((report, rule_ids))
    return out


def check_all(paths: Sequence[Path], check_one: CheckOne) -> Report:
    """Run ``check_one`` on every path, in forked workers when there are enough files."""
    workers = worker_count(len(paths))
    merged = Report()
    if workers <= 1:
        for path in paths:
            merged.extend(check_one(path))
        return merged

    import multiprocessing

    from seawall.rules import rules_by_id

    global _job
    _job = check_one
    # Interleaved slices balance big and small files across workers.
    slices = [list(paths[i::workers]) for i in range(workers)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_check_slice, slices)
    finally:
        _job = None
    registry = rules_by_id()
    ordered: list[tuple[Report, list[str]] | None] = [None] * len(paths)
    for first, result in enumerate(results):
        for k, item in enumerate(result):
            ordered[first + k * workers] = item
    for slot in ordered:
        assert slot is not None
        report, rule_ids = slot
        report.rules = {rid: registry[rid] for rid in rule_ids if rid in registry}
        merged.extend(report)
    return merged
