"""Checking many Dockerfiles on every core: forked workers, one report each, merged in order.

A repository scan has hundreds of small files and the work per file is pure Python, so threads do
not help; forked processes do. The parent forks one child per extra core and checks files too;
each process takes the next file from a shared queue when it is free, so a slower process (a
child copying pages, a core shared with something else) does not hold up the end. Children
inherit the parsed configuration and the imported rules (no re-import, nothing pickled on the way
in); only their reports travel back through a pipe, with rules sent as ids and resolved again in
the parent.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from seawall.model.finding import Report
from seawall.rules._base import Rule

# Below this many files the cost of forking (a few ms a worker) outweighs the gain.
MIN_FILES_PER_WORKER = 48

CheckOne = Callable[[Path], Report]


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
    with _collector_paused():
        if workers <= 1:
            merged = Report()
            for count, path in enumerate(paths, 1):
                merged.extend(check_one(path))
                _collect_young_every(count)
            return merged
        return _check_forked(paths, check_one, rules, workers)


# Files checked between two collections of the young generations while the collector is paused.
_COLLECT_EVERY = 256


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a scan, and resumed after if it was running.

    A scan builds millions of short-lived tuples, which reference counting frees; the collector
    only traverses them again and again (7% of a corpus scan's CPU time). The young generations
    are still collected every ``_COLLECT_EVERY`` files, so garbage in cycles stays bounded.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _collect_young_every(count: int) -> None:
    if count % _COLLECT_EVERY == 0:
        gc.collect(1)


def _check_forked(
    paths: Sequence[Path], check_one: CheckOne, rules: Mapping[str, Rule[Any]], workers: int
) -> Report:
    """``check_all`` with ``workers - 1`` forked children and this process taking files too."""
    merged = Report()
    import pickle  # noqa: F401  # imported once, before the fork: children inherit it (~4 ms each)

    queue = _WorkQueue(len(paths))
    # Frozen objects are never visited by the cycle collector, so the children do not copy the
    # pages of the parent's heap just to scan them. (No collection first: the little garbage
    # start-up leaves is not worth a 4 ms pass over the whole heap before any file is checked.)
    gc.freeze()
    children: list[tuple[int, int]] = []
    try:
        for _ in range(1, workers):
            children.append(_fork(paths, queue, check_one))
        results: list[_Item] = []
        _check_from(paths, queue, check_one, results.append)
        while children:
            pid, read_fd = children.pop(0)
            results.extend(_receive(pid, read_fd))
    finally:
        gc.unfreeze()
        queue.close()
        for pid, read_fd in children:  # only after an error in the parent: stop the rest
            _stop(pid, read_fd)
    results.sort(key=_index_of)
    if [index for index, _, _ in results] != list(range(len(paths))):
        raise RuntimeError("a check worker lost files")  # cannot happen: every index is read once
    ran: dict[tuple[str, ...], dict[str, Rule[Any]]] = {}  # nearly every file ran the same rules
    for _, report, rule_ids in results:
        key = tuple(rule_ids)
        if key not in ran:
            ran[key] = {rid: rules[rid] for rid in rule_ids if rid in rules}
        report.rules = ran[key]
        merged.extend(report)
    return merged


class _WorkQueue:
    """File indices in a pipe, taken by whichever process is free: the work balances itself.

    Every index is written (as a 4-byte chunk number) before any worker forks, so a read of 4
    bytes from the pipe is whole and taken by exactly one process (Linux reads a pipe under its
    lock), and the end of the pipe means there is no work left. Files go in chunks only when there
    are more than 1,024 (a chunk of a 10,000-file scan is ten files, ~20 ms of work).
    """

    _RECORD = 4

    def __init__(self, files: int) -> None:
        self.files = files
        # At most 1,024 records: 4 KiB, which a pipe always holds (a user over the kernel's pipe
        # quota gets one-page pipes), so writing them before anyone reads cannot block.
        self.chunk = max(1, -(-files // 1024))
        self.read_fd, write_fd = os.pipe()
        try:
            chunks = range(-(-files // self.chunk))
            os.write(write_fd, b"".join(c.to_bytes(self._RECORD, "little") for c in chunks))
        finally:
            os.close(write_fd)

    def take(self) -> range | None:
        """The next chunk of file indices, or None when every file is taken."""
        record = os.read(self.read_fd, self._RECORD)
        if len(record) < self._RECORD:
            return None
        first = int.from_bytes(record, "little") * self.chunk
        return range(first, min(first + self.chunk, self.files))

    def close(self) -> None:
        """Release the pipe."""
        os.close(self.read_fd)


_Item = tuple[int, Report, list[str]]


def _index_of(item: _Item) -> int:
    return item[0]


def _check_from(
    paths: Sequence[Path], queue: _WorkQueue, check_one: CheckOne, keep: Callable[[_Item], Any]
) -> None:
    """Check files taken from the queue until it is empty; ``keep`` each result with its index."""
    done = 0
    while (chunk := queue.take()) is not None:
        for index in chunk:
            report, rule_ids = _without_rules(check_one(paths[index]))
            keep((index, report, rule_ids))
            done += 1
            _collect_young_every(done)


def _without_rules(report: Report) -> tuple[Report, list[str]]:
    """The report with its rules replaced by their ids (rule objects are not sent between processes)."""
    rule_ids = list(report.rules)
    report.rules = {}
    return report, rule_ids


# What a child writes after its results: every record before it is one (index, report, ids).
_DONE = ("done",)


def _fork(paths: Sequence[Path], queue: _WorkQueue, check_one: CheckOne) -> tuple[int, int]:
    """Start a child that checks files from ``queue`` and writes its pickled results to a pipe.

    Each result is pickled as soon as its file is checked, while the other processes are still
    busy, with one pickler so strings repeated across files are written once. The results are
    written when the queue is empty (the parent reads the pipe only then).
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid != 0:
        os.close(write_fd)
        return pid, read_fd
    # The child: never returns into the caller, never flushes the parent's buffered output.
    code = 1
    try:
        import io
        import pickle

        os.close(read_fd)
        buffer = io.BytesIO()
        try:
            pickler = pickle.Pickler(buffer, protocol=5)
            _check_from(paths, queue, check_one, pickler.dump)
            pickler.dump(_DONE)
            payload = buffer.getbuffer()
            code = 0
        except BaseException as exc:  # reported by the parent as one line
            payload = memoryview(pickle.dumps(("error", f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    finally:
        os._exit(code)


def _receive(pid: int, read_fd: int) -> list[_Item]:
    """Read a child's results and wait for it; a child that failed raises RuntimeError."""
    import io
    import pickle

    with os.fdopen(read_fd, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    results: list[_Item] = []
    unpickler = pickle.Unpickler(io.BytesIO(payload))
    try:
        while (record := unpickler.load()) != _DONE:
            if record[0] == "error":
                raise RuntimeError(f"a check worker failed: {record[1]}")
            results.append(record)
    except RuntimeError:
        raise
    except Exception:  # a child killed mid-write leaves a truncated payload
        exit_code = os.waitstatus_to_exitcode(status)
        raise RuntimeError(
            f"a check worker failed: worker exited with status {exit_code}"
        ) from None
    return results


def _stop(pid: int, read_fd: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass
    os.close(read_fd)
