"""Measure ``seawall audit``: time and peak memory against the number of containers.

    python benchmarks/bench_audit.py [--containers 10,50,200] [--runs 3]

Starts its own dockerd (vfs, as the test harness does; or ``SEAWALL_TEST_DOCKER_HOST``) with the
harness's busybox image, then for each fleet size creates that many containers (created, not
started: the Engine reports them completely, and starting hundreds would measure the machine, not
the audit) with a mix of insecure options, plus one running container so the image audit has an
image in use. Each case runs ``seawall audit`` in its own process: with ``--no-images`` (the
containers, daemon and host) and with the image audit.

Prints one line per case: containers, findings, wall seconds (median), CPU seconds (user + system
of the audit process, median) and peak RSS in MB (max). On a shared machine wall time swings
with other load; CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

PREFIX = "swbench-"
OPTION_MIX: tuple[dict[str, Any], ...] = (
    {"privileged": True},
    {"cap_add": ["SYS_ADMIN"], "security_opt": ["seccomp=unconfined"]},
    {"user": "0:0", "environment": ["DB_PASSWORD=not-a-real-secret-1"]},
    {"read_only": True, "user": "65534:65534", "cap_drop": ["ALL"], "mem_limit": "64m"},
    {"pid_mode": "host", "ipc_mode": "host"},
)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, findings) of one audit run in a child process."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([*command, "--format", "json", "--output", out.name], env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"audit exited {code}")
        findings = len(json.loads(Path(out.name).read_text())["findings"])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, findings


def create_fleet(client: Any, image: str, count: int, existing: int) -> None:
    """Grow the fleet to ``count`` created containers (the API is faster than the CLI)."""
    host_config_keys = {"privileged", "cap_add", "security_opt", "read_only", "cap_drop",
                        "mem_limit", "pid_mode", "ipc_mode"}  # fmt: skip
    for index in range(existing, count):
        options = OPTION_MIX[index % len(OPTION_MIX)]
        host = {k: v for k, v in options.items() if k in host_config_keys}
        plain = {k: v for k, v in options.items() if k not in host_config_keys}
        client.api.create_container(
            image,
            ["sleep", "600"],
            name=f"{PREFIX}{index}",
            host_config=client.api.create_host_config(network_mode="none", **host),
            labels={"seawall.test": "bench"},
            **plain,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", default="10,50,200", help="fleet sizes, ascending")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.containers.split(","))

    from harness.daemon import provide_daemon
    from harness.images import ensure_busybox_image

    daemon = provide_daemon()
    try:
        image = ensure_busybox_image(daemon)
        client = daemon.client()
        daemon.run_cli("run", "-d", "--name", f"{PREFIX}running", "--label", "seawall.test=bench",
                       "--network", "none", image, "sleep", "3600")  # fmt: skip
        env = daemon.env()
        audit = [sys.executable, "-m", "seawall.cli", "audit", "--no-config", "--no-summary"]
        print(f"dockerd {daemon.docker_host}; {args.runs} runs per case; "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"{'containers':>10} {'images':>7} {'findings':>9} {'wall s':>7} {'cpu s':>6} "
              f"{'rss MB':>7}")  # fmt: skip
        made = 0
        for size in sizes:
            create_fleet(client, image, size, made)
            made = size
            for label, extra in (("no", ["--no-images"]), ("yes", [])):
                runs = [measure([*audit, *extra], env) for _ in range(args.runs)]
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                rss = max(r[2] for r in runs)
                print(f"{size + 1:>10} {label:>7} {runs[0][3]:>9} {wall:>7.2f} {cpu:>6.2f} "
                      f"{rss:>7.0f}")  # fmt: skip
    finally:
        daemon.remove_test_containers()
        daemon.close()
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(benchmark driver peak RSS {peak_self:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
