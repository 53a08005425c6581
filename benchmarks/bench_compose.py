"""Benchmark the Compose path: loading (YAML with positions, interpolation, merging) and checking
(31 CR rules per service, 5 DC rules per project).

Runs on every compose project of ``../shared/corpus/compose`` and on a generated project of 2,000
services (anchors, ``extends``, an override file, ``${VAR}`` interpolation, several networks):
in process (load, check), then end to end through the ``seawall check`` command, and, when a peer
is installed, the same inputs through the peer for a ratio. Peers looked up on PATH (or the
environment variable in brackets): ``compose-lint`` [COMPOSE_LINT] (PyPI, a Compose security
linter; install it in a separate venv), ``dclint`` [DCLINT] (npm, a Compose style linter). KICS
is not obtainable offline through pip or npm (a Go binary / container image), so no KICS ratio.
Usage: ``python benchmarks/bench_compose.py [--services N] [--repeat R]``. Prints figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from seawall.config import Config  # noqa: E402
from seawall.parsers.compose import LoadOptions, discover_projects, load_project  # noqa: E402
from seawall.targets.compose import check_project  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "compose"


CPU: dict[str, float] = {}


def timed(fn: Callable[[], object], repeat: int, label: str = "") -> tuple[float, object]:
    """Median wall time of ``repeat`` runs (seconds) and the last result; the median CPU time
    of the process is kept in ``CPU[label]`` (steadier than wall time on a busy machine)."""
    times = []
    cpu = []
    result: object = None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[label] = statistics.median(cpu)
    return statistics.median(times), result


def generate(folder: Path, services: int) -> list[Path]:
    """A large project: base file with anchors and extends, override file, .env."""
    lines = [
        "x-defaults: &defaults",
        "  restart: on-failure:3",
        "  environment: &env",
        "    LOG_LEVEL: ${LOG_LEVEL:-info}",
        "    REGION: ${REGION}",
        "services:",
        "  base:",
        "    image: example/base:${TAG:-1.0}",
        "    cap_drop: [ALL]",
        "    security_opt: [no-new-privileges:true]",
    ]
    nets = ["front", "back", "data", "ops"]
    for i in range(services - 1):
        kind = i % 4
        lines += [f"  svc{i}:", "    <<: *defaults"]
        if kind == 0:
            lines += ["    extends: base", f'    ports: ["{10000 + i}:8080"]']
        elif kind == 1:
            lines += [
                "    image: postgres:16",
                f'    volumes: ["pg{i}:/var/lib/postgresql/data"]',
            ]
        elif kind == 2:
            lines += ["    image: redis:7.4", "    read_only: true", "    user: '1000:1000'"]
        else:
            lines += [
                "    image: example/worker:2.0@sha256:" + "ab" * 32,
                "    environment:",
                "      <<: *env",
                f"      DATABASE_URL: postgres://app:pw{i}@svc{i - 2}/app",
            ]
        lines += [f"    networks: [{nets[i % 4]}, {nets[(i + 1) % 4]}]"]
    lines += ["networks:"] + [f"  {n}:" for n in nets]
    lines += ["volumes:"] + [f"  pg{i}:" for i in range(services - 1) if i % 4 == 1]
    base = folder / "compose.yaml"
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    override = ["services:"]
    for i in range(0, services - 1, 10):
        override += [f"  svc{i}:", "    mem_limit: 256m", "    pids_limit: 100"]
    (folder / "compose.override.yaml").write_text("\n".join(override) + "\n", encoding="utf-8")
    (folder / ".env").write_text("REGION=eu-west-1\nTAG=2.1\n", encoding="utf-8")
    return [base, folder / "compose.override.yaml"]


def bench_corpus(repeat: int) -> None:
    projects = sorted({p.parent for p in CORPUS.rglob("compose.y*ml")})
    if not projects:
        print(f"corpus: none found under {CORPUS}")
        return
    file_sets = [files for p in projects for files in discover_projects(p)]
    size = sum(f.stat().st_size for files in file_sets for f in files)
    options = LoadOptions(environ={})

    def load_all() -> list[object]:
        return [load_project(files, options) for files in file_sets]

    def check_all() -> tuple[int, int]:
        services = findings = 0
        for files in file_sets:
            project = load_project(files, options)
            services += len(project.services)
            findings += len(check_project(project, Config()).findings)
        return services, findings

    load_s, _ = timed(load_all, repeat, "corpus-load")
    check_s, counts = timed(check_all, repeat, "corpus-check")
    assert isinstance(counts, tuple)
    services, findings = counts
    print(
        f"corpus: {len(projects)} projects, {size / 1024:.1f} KiB, {services} services; "
        f"load {load_s * 1000:.1f} ms (cpu {CPU['corpus-load'] * 1000:.1f}), "
        f"load+check {check_s * 1000:.1f} ms (cpu {CPU['corpus-check'] * 1000:.1f}; "
        f"{check_s / len(projects) * 1000:.2f} ms/project), {findings} findings"
    )


def bench_generated(count: int, repeat: int) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, count)
        size = sum(f.stat().st_size for f in files)
        options = LoadOptions(environ={})
        text = files[0].read_text()
        plain_s, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader), repeat, "yaml")
        load_s, project = timed(lambda: load_project(files, options), repeat, "load")
        n = len(project.services)  # type: ignore[attr-defined]
        check_s, report = timed(
            lambda: check_project(project, Config()),  # type: ignore[arg-type]
            repeat,
            "check",
        )
        findings = len(report.findings)  # type: ignore[attr-defined]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"generated: {n} services, {size / 1024:.0f} KiB in 2 files; "
            f"PyYAML CSafeLoader alone {plain_s * 1000:.0f} ms (cpu {CPU['yaml'] * 1000:.0f}); "
            f"seawall load {load_s * 1000:.0f} ms (cpu {CPU['load'] * 1000:.0f}), "
            f"check {check_s * 1000:.0f} ms (cpu {CPU['check'] * 1000:.0f}; "
            f"{check_s / n * 1e6:.0f} us/service), {findings} findings; peak RSS {rss:.0f} MiB"
        )


def _peer(name: str, variable: str) -> str | None:
    return os.environ.get(variable) or shutil.which(name)


def run_cli(argv: list[str], repeat: int, cwd: Path | None = None) -> tuple[float, float, str]:
    """Median wall and CPU time (children's user+sys) of a command, and its last stdout."""
    walls, cpus = [], []
    out = ""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        # Output goes to a file: Node tools exiting early cut output written to a pipe short.
        with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
            subprocess.run(argv, stdout=stdout, stderr=stderr, cwd=cwd, check=False)
            walls.append(time.perf_counter() - start)
            stdout.seek(0)
            stderr.seek(0)
            out = stdout.read() or stderr.read()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus), out


def _count(tool: str, out: str) -> str:
    """Findings reported by a tool's JSON output (their rule sets differ: not comparable)."""
    try:
        data = json.loads(out)
    except ValueError:
        lines = out.strip().splitlines()
        return "unreadable output: " + (lines[-1][:120] if lines else "(empty)")
    if tool == "dclint":
        messages = [m for f in data for m in f.get("messages", [])]
        refused = sum(1 for m in messages if m.get("rule") == "unknown-error")
        return f"{len(messages)} messages" + (f" ({refused} refusals)" if refused else "")
    return f"{len(data.get('findings', []))} findings, {len(data.get('errors', []))} errors"


def bench_cli(label: str, seawall_args: list[str], files: list[Path], repeat: int) -> None:
    """``seawall check`` end to end, then each installed peer on the same compose files."""
    seawall = [sys.executable, "-m", "seawall", "check", "--no-config", "--format", "json"]
    wall, cpu, out = run_cli([*seawall, *seawall_args], repeat)
    print(f"  {label}: seawall check {wall:.2f} s (cpu {cpu:.2f} s), {_count('seawall', out)}")
    peers = {
        "compose-lint": (
            _peer("compose-lint", "COMPOSE_LINT"),
            ["check", "--format", "json", "--allow-partial-coverage"],
        ),
        "dclint": (_peer("dclint", "DCLINT"), ["-f", "json"]),
    }
    for name, (exe, flags) in peers.items():
        if exe is None:
            print(f"  {label}: {name} not installed: no ratio")
            continue
        peer_wall, peer_cpu, peer_out = run_cli([exe, *flags, *map(str, files)], repeat)
        print(
            f"  {label}: {name} {peer_wall:.2f} s (cpu {peer_cpu:.2f} s), "
            f"{_count(name, peer_out)}; seawall/{name} cpu ratio {cpu / max(peer_cpu, 1e-9):.2f}"
        )


def bench_commands(count: int, repeat: int) -> None:
    print("end to end (one process per tool run; KICS: not obtainable offline via pip/npm):")
    corpus = sorted(CORPUS.rglob("compose.y*ml"))
    if corpus:
        bench_cli(f"corpus {len(corpus)} files", [str(f) for f in corpus], corpus, repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, count)
        # compose-lint merges compose.override.yaml itself; dclint reads the file given.
        bench_cli(f"generated {count} services", [str(folder)], files[:1], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, median of {args.repeat} runs")
    bench_corpus(args.repeat)
    bench_generated(args.services, args.repeat)
    bench_commands(args.services, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
