"""Fix every Compose project of the shared corpus in memory and report what changed and the cost.

    python benchmarks/fix_compose_corpus.py [--corpus ../shared/corpus/compose] [--repeat 3]

Nothing is written (the corpus is read-only input). Prints: projects, projects that fail to load
after fixing (must be 0), files changed, new files, fix passes; per rule the findings fixed and
remaining (with or without a displayed fix); wall time of planning all fixes (``--unsafe-fixes``);
and the cost the fix computation adds to a plain ``check`` of the corpus (rules attach fixes to
their findings even when nothing is fixed), measured by timing ``check_project`` with and
without the fix builders. With ``--docker-compose``, each project is also copied to a temporary
folder, fixed on disk (``write_plan``) and checked with ``docker-compose config -q`` before and
after: every project Compose accepted before must still be accepted (slow: ~4 s a project).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from seawall.config import Config
from seawall.fixer import allowed
from seawall.fixes.compose import plan_compose_fixes, rulefix, write_plan
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


def _compose_accepts(tool: str, files: list[Path]) -> bool:
    args = [tool, *(x for f in files for x in ("-f", str(f))), "config", "-q"]
    return (
        subprocess.run(args, capture_output=True, cwd=files[0].parent, check=False).returncode == 0
    )


def docker_compose_check(corpus: Path, projects: list[list[Path]]) -> tuple[int, int, list[str]]:
    """(accepted before, still accepted after, projects newly refused) by docker-compose."""
    tool = shutil.which("docker-compose")
    if tool is None:
        raise SystemExit("docker-compose is not installed")
    before = after = 0
    refused = []
    with tempfile.TemporaryDirectory() as scratch:
        for files in projects:
            folder = files[0].parent
            copy = Path(scratch) / folder.relative_to(corpus)
            shutil.copytree(folder, copy, symlinks=True)
            for path in (copy, *copy.rglob("*")):  # the corpus is read-only
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode | 0o200)
            copied = [copy / f.name for f in files]
            if not _compose_accepts(tool, copied):
                continue
            before += 1
            write_plan(plan_compose_fixes(copied, Config(), unsafe=True))
            if _compose_accepts(tool, copied):
                after += 1
            else:
                refused.append(folder.name)
    return before, after, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docker-compose", action="store_true", help="also run docker-compose")
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
        rulefix.service_fix = lambda *a, **k: None
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
    if args.docker_compose:
        before, after, refused = docker_compose_check(args.corpus, projects)
        print(f"docker-compose config accepts {before} projects before fixing, {after} after")
        if refused:
            print("refused after fixing: " + ", ".join(refused))
            return 1
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
