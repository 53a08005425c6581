"""Fix every Compose project of the shared corpus in memory and report what changed and the cost.

    python benchmarks/fix_compose_corpus.py [--corpus ../shared/corpus/compose] [--repeat 3]

Nothing is written (the corpus is read-only input). Prints: projects, projects that fail to load
after fixing (must be 0), files changed, new files, fix passes; per rule the findings fixed and
remaining (with or without a displayed fix); wall time of planning all fixes (``--unsafe-fixes``);
and the cost the fix computation adds to a plain ``check`` of the corpus (rules attach fixes to
their findings even when nothing is fixed), measured by timing ``check_project`` with and
without the fix builders.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from seawall.config import Config
from seawall.fixer import allowed
from seawall.fixes.compose import plan_compose_fixes, rulefix
from seawall.parsers.compose import LoadOptions, default_files, load_project
from seawall.targets.compose import check_project

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "compose"


def _projects(corpus: Path) -> list[list[Path]]:
    folders = sorted(
        {p.parent for p in corpus.rglob("*.y*ml") if p.name.startswith(("compose", "docker-"))}
    )
    return [files for files in (default_files(f) for f in folders) if files]


def _cpu(action: object) -> float:
    start = time.process_time()
    action()  # type: ignore[operator]
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    projects = _projects(args.corpus)
    if not projects:
        print(f"no compose project under {args.corpus}", file=sys.stderr)
        return 2
    fixed: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    nofix: Counter[str] = Counter()
    broken = changed = created = passes = 0
    start = time.perf_counter()
    for files in projects:
        plan = plan_compose_fixes(files, Config(), unsafe=True)
        passes += plan.passes
        fixed.update(a.rule_id for a in plan.applied)
        for f in plan.remaining:
            (shown if f.fix is not None and not allowed(f.fix, True) else nofix)[f.rule_id] += 1
        changed += sum(1 for c in plan.changes if not c.created)
        created += sum(1 for c in plan.changes if c.created)
        texts = {c.path: c.fixed for c in plan.changes if not c.created}
        try:
            load_project(files, LoadOptions(texts=texts))
        except Exception:  # counted: the figure must be 0
            broken += 1
    plan_seconds = time.perf_counter() - start
    loaded = [load_project(files) for files in projects]

    def check_all() -> None:
        for project in loaded:
            check_project(project, Config())

    saved = rulefix.service_fix, rulefix.project_fix

    def check_without_fixes() -> None:
        rulefix.service_fix = lambda *a, **k: None  # type: ignore[assignment]
        rulefix.project_fix = lambda *a, **k: None  # type: ignore[assignment]
        try:
            check_all()
        finally:
            rulefix.service_fix, rulefix.project_fix = saved

    # Interleaved, CPU time of this process: other load on the machine matters less.
    with_runs, without_runs = [], []
    for _ in range(args.repeat):
        with_runs.append(_cpu(check_all))
        without_runs.append(_cpu(check_without_fixes))
    with_fixes, without_fixes = statistics.median(with_runs), statistics.median(without_runs)
    print(f"projects: {len(projects)}; fail to load after fixing: {broken}")
    print(f"files changed: {changed}; files created: {created}; fix passes: {passes}")
    print(f"plan all fixes (--unsafe-fixes): {plan_seconds:.2f} s")
    print(
        f"check of the loaded corpus: {with_fixes * 1000:.0f} ms with fixes attached, "
        f"{without_fixes * 1000:.0f} ms without (CPU time, median of {args.repeat})"
    )
    print(f"{'rule':<6} {'fixed':>6} {'shown':>6} {'no fix':>6}")
    for rule in sorted(set(fixed) | set(shown) | set(nofix)):
        print(f"{rule:<6} {fixed[rule]:>6} {shown[rule]:>6} {nofix[rule]:>6}")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
