"""Benchmark and robustness run of ``seawall harden`` without a Docker engine.

Hardens every project folder of ``../shared/corpus/compose`` (awesome-compose) in a workspace
copy (nothing is written back): counts the projects hardened and those refused (by reason), the
score before and after, the files changed, and the time per project (copy + fixes + the two
assessments). Usage: ``python benchmarks/bench_harden.py``. Prints figures; no Docker needed.
The ``--verify`` bring-up timings are printed by ``seawall harden --verify`` itself (stderr).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from seawall.config import Config  # noqa: E402
from seawall.errors import SeawallError  # noqa: E402
from seawall.harden.plan import Hardener, assess, find_targets  # noqa: E402
from seawall.harden.summary import summarize  # noqa: E402
from seawall.harden.workspace import Workspace  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "compose"


def projects() -> list[Path]:
    """Every folder holding a compose file, directly under a corpus collection."""
    found = []
    for collection in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        found += sorted(p for p in collection.iterdir() if p.is_dir())
    return found


def main() -> None:
    config = Config()
    times: list[float] = []
    refused: Counter[str] = Counter()
    before_scores: list[int] = []
    after_scores: list[int] = []
    files_changed = 0
    fixed: Counter[str] = Counter()
    for folder in projects():
        started = time.perf_counter()
        try:
            targets = find_targets(folder, [])
            before = assess(targets, targets.root, config)
            if before.report.errors:
                refused["does not check cleanly: " + before.report.errors[0].kind] += 1
                continue
            with Workspace(targets.root) as workspace:
                result = Hardener(targets, workspace, config).harden()
        except SeawallError as exc:
            refused[type(exc).__name__ + ": " + str(exc).split(":")[-1].strip()[:60]] += 1
            continue
        times.append(time.perf_counter() - started)
        summary = summarize(before, result.after)
        before_scores.append(summary.before)
        after_scores.append(summary.after)
        files_changed += len(result.files)
        for service in summary.services:
            fixed.update(item.split()[0] for item in service.resolved)
    total = len(projects())
    print(f"projects: {total}; hardened: {len(times)}; refused: {sum(refused.values())}")
    for reason, count in refused.most_common():
        print(f"  refused {count}: {reason}")
    if times:
        print(
            f"time per project: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms, total {sum(times):.1f} s"
        )
        print(
            f"score: mean before {statistics.mean(before_scores):.1f}, "
            f"mean after {statistics.mean(after_scores):.1f}; files changed: {files_changed}"
        )
        print("findings resolved by rule: " + ", ".join(f"{r} {n}" for r, n in fixed.most_common()))


if __name__ == "__main__":
    main()
