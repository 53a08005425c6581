"""Checking many Dockerfiles on every core: forked workers, one report each, merged in order.

A repository scan has hundreds of small files and the work per file is pure Python, so threads do
not help; forked processes do. The parent forks one child per extra core and checks a slice
itself. Children inherit the parsed configuration and the imported rules (no re-import, nothing
pickled on the way in); only their reports travel back through a pipe, with rules sent as ids and
resolved again in the parent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from seawall.model.finding import Report
from seawall.rules._base import Rule

# Below this many files the cost of forking (a few ms a worker) outweighs the gain.
MIN_FILES_PER_WORKER = 48

CheckOne = Callable[[Path], Report]
_Result = list[tuple[Report, list[str]]]


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


def check_all(paths: Sequence[Path], check_one: CheckOne, rules: Mapping[str, Rule[Any]]) -> Report:
    """Run ``check_one`` on every path, in forked workers when there are enough files.

    ``rules`` maps the ids of every rule ``check_one`` may run to the rule, to rebuild the
    children's reports.
    """
    workers = worker_count(len(paths))
    merged = Report()
    if workers <= 1:
        for path in paths:
            merged.extend(check_one(path))
        return merged

    import gc

    # Interleaved slices balance big and small files across workers.
    slices = [list(paths[i::workers]) for i in range(workers)]
    # Frozen objects are never visited by the cycle collector, so the children do not copy the
    # pages of the parent's heap just to scan them.
    gc.collect()
    gc.freeze()
    children: list[tuple[int, int]] = []
    try:
        for index in range(1, workers):
            children.append(_fork(slices[index], check_one))
        results = [[_without_rules(check_one(path)) for path in slices[0]]]
        while children:
            pid, read_fd = children.pop(0)
            results.append(_receive(pid, read_fd))
    finally:
        gc.unfreeze()
        for pid, read_fd in children:  # only after an error in the parent: stop the rest
            _stop(pid, read_fd)
    ordered: list[tuple[Report, list[str]] | None] = [None] * len(paths)
    for first, result in enumerate(results):
        for k, item in enumerate(result):
            ordered[first + k * workers] = item
    for slot in ordered:
        assert slot is not None
        report, rule_ids = slot
        report.rules = {rid: rules[rid] for rid in rule_ids if rid in rules}
        merged.extend(report)
    return merged


def _without_rules(report: Report) -> tuple[Report, list[str]]:
    """The report with its rules replaced by their ids (rule objects are not sent between processes)."""
    rule_ids = list(report.rules)
    report.rules = {}
    return report, rule_ids


def _fork(paths: list[Path], check_one: CheckOne) -> tuple[int, int]:
    """Start a child that checks ``paths`` and writes its pickled results to a pipe."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid != 0:
        os.close(write_fd)
        return pid, read_fd
    # The child: never returns into the caller, never flushes the parent's buffered output.
    code = 1
    try:
        import pickle

        os.close(read_fd)
        try:
            payload = pickle.dumps(
                ("ok", [_without_rules(check_one(path)) for path in paths]), protocol=5
            )
            code = 0
        except BaseException as exc:  # reported by the parent as one line
            payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    finally:
        os._exit(code)


def _receive(pid: int, read_fd: int) -> _Result:
    """Read a child's results and wait for it; a child that failed raises RuntimeError."""
    import pickle

    with os.fdopen(read_fd, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    try:
        kind, value = pickle.loads(payload)
    except Exception:  # a child killed mid-write leaves a truncated payload
        kind, value = "error", f"worker exited with status {os.waitstatus_to_exitcode(status)}"
    if kind != "ok":
        raise RuntimeError(f"a check worker failed: {value}")
    result: _Result = value
    return result


def _stop(pid: int, read_fd: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass
    os.close(read_fd)
