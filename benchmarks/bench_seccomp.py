"""Measure generated seccomp profiles: size against Docker's default, and starts that fail.

    python benchmarks/bench_seccomp.py [--starts 100] [--record-runs 3]

Starts its own dockerd (vfs, as the test harness does; or ``SEAWALL_TEST_DOCKER_HOST``) and the
harness's busybox and Debian+python3 images. For each workload — a busybox shell job and Python's
``http.server`` answering requests — it records 3 runs in a container (strace, hardened: read-only
root, tmpfs /tmp, ``--cap-drop ALL``, user 65534), generates the profile with and without
no-new-privileges (and ``--base default``), then starts the workload ``--starts`` times with each
profile and counts failures (for the service: not running after 0.5 s, or not answering HTTP).
Finally it probes mount, unshare and chmod under each no-new-privileges profile (EPERM expected).

Prints one line per profile: allowed syscalls, Docker's default count (same architecture), starts
worked / tried, failure rate, and seconds per start.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

BUSYBOX_WORK = ["sh", "-c", "ls / >/dev/null; echo ok > /tmp/f; cat /tmp/f; sleep 0.2"]
HTTP_SERVER = ["python3", "-m", "http.server", "8080", "--bind", "0.0.0.0"]
USER = "65534:65534"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_smoke(port: int) -> Any:
    """A smoke check: GET / must list the directory within 10 s."""

    def smoke(_container: Any) -> None:
        error: Exception | None = None
        for _ in range(100):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                if b"Directory listing" in body:
                    return
            except OSError as exc:
                error = exc
            time.sleep(0.1)
        raise RuntimeError(f"no answer: {error}")

    return smoke


def main() -> int:
    """Run the measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=100, help="starts per profile")
    parser.add_argument("--record-runs", type=int, default=3, help="recorded runs merged")
    args = parser.parse_args()

    from harness.daemon import provide_daemon
    from harness.images import ensure_busybox_image, ensure_debian_image
    from seawall.seccomp.container import RunOptions
    from seawall.seccomp.docker_default import default_allowed
    from seawall.seccomp.generate import generate
    from seawall.seccomp.probes import busybox_probes, python_probes
    from seawall.seccomp.record import record_image
    from seawall.seccomp.verify import verify

    daemon = provide_daemon()
    try:
        client = daemon.client()
        busybox, debian = ensure_busybox_image(daemon), ensure_debian_image(daemon)
        network = client.networks.create(f"seawall-bench-{uuid.uuid4().hex[:8]}", driver="bridge")
        port = free_port()
        workloads = [
            (
                "busybox sh job",
                busybox,
                BUSYBOX_WORK,
                RunOptions(user=USER, network="none", tmpfs=("/tmp",)).hardened(),
                None,
                busybox_probes(),
            ),
            (
                "python http.server",
                debian,
                HTTP_SERVER,
                RunOptions(
                    user=USER,
                    network=network.name,
                    ports=(f"127.0.0.1:{port}:8080",),
                    tmpfs=("/tmp",),
                    workdir="/usr/share",
                ).hardened(),
                http_smoke(port),
                python_probes(("mount", "unshare", "chmod"), "x86_64"),
            ),
        ]
        default_count = len(default_allowed("x86_64"))
        print(f"Docker's default profile allows {default_count} syscalls on x86_64")
        for name, image, command, options, smoke, probes in workloads:
            started = time.monotonic()
            recording = record_image(
                client,
                image,
                command=command,
                runs=args.record_runs,
                duration=8 if smoke else 20,
                options=options,
                smoke=smoke,
                startup=0.5,
            )
            print(
                f"{name}: recorded {len(recording.names)} distinct syscalls over "
                f"{recording.runs} runs in {time.monotonic() - started:.0f} s"
            )
            variants = [
                ("no-new-privileges", generate(recording, no_new_privileges=True), options),
                (
                    "without no-new-privileges",
                    generate(recording, no_new_privileges=False),
                    replace(options, no_new_privileges=False),
                ),
                (
                    "base=default, no-new-privileges",
                    generate(recording, no_new_privileges=True, base="default"),
                    options,
                ),
            ]
            for label, generated, run_options in variants:
                began = time.monotonic()
                result = verify(
                    client,
                    image,
                    generated.profile,
                    command=command,
                    runs=args.starts,
                    options=run_options,
                    smoke=smoke,
                    settle=0.5,
                    probes=probes if label == "no-new-privileges" else (),
                )
                per_start = (time.monotonic() - began) / args.starts
                verdicts = ", ".join(
                    f"{p.syscall}={'EPERM' if p.denied else p.denied}" for p in result.probes
                )
                print(
                    f"  {label}: {len(generated.allowed)} allowed (default {default_count}); "
                    f"{result.successes}/{len(result.runs)} starts, failure rate "
                    f"{result.failure_rate:.1%}; {per_start:.2f} s/start"
                    + (f"; probes: {verdicts}" if verdicts else "")
                )
                for failure in result.failures[:3]:
                    print(f"    run {failure.index}: {failure.detail}")
        network.remove()
    finally:
        daemon.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
