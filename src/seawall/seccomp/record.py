"""Record what a workload calls: a host command under ``strace``, or an image's entrypoint.

For images the host's own ``strace`` goes into the container read-only, together with the shared
libraries ``ldd`` lists and the dynamic loader, and runs as ``ld.so --library-path … strace``.
So nothing is installed into the image, it works with any libc in the image (musl, glibc, static),
and needs no privileges beyond Docker's default profile (which allows ptrace on kernels >= 4.8).
The loader's ``--library-path`` applies to strace only, never to the traced program.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.errors import SeawallError
from seawall.seccomp.container import RunOptions, image_arch, image_argv, logs, removing
from seawall.seccomp.recording import Recording, merge_all
from seawall.seccomp.strace import parse_strace
from seawall.seccomp.syscalls import host_arch

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

STRACE_FLAGS = ("-f", "-qq")  # follow forks and threads; no attach/exit chatter
BUNDLE_MOUNT = "/.seawall-strace"
OUTPUT_MOUNT = "/.seawall-trace"
STOP_GRACE = 5.0


def find_strace() -> str:
    """The host's strace binary, or a one-line error saying how to get it."""
    path = shutil.which("strace")
    if path is None:
        raise SeawallError("strace is not installed (Debian/Ubuntu: apt-get install strace)")
    return path


def record_command(
    argv: Sequence[str],
    *,
    runs: int = 1,
    duration: float | None = None,
    cwd: str | None = None,
    output: int | None = subprocess.DEVNULL,
) -> Recording:
    """Run ``argv`` under ``strace -f`` ``runs`` times on this host and merge the traces.

    Each run lasts until the command ends or ``duration`` seconds pass (then its whole process
    group gets SIGTERM, and SIGKILL after a grace period).
    """
    if not argv:
        raise SeawallError("no command to record")
    if runs < 1:
        raise SeawallError("runs must be at least 1")
    strace = find_strace()
    recordings: list[Recording] = []
    arch_name = host_arch().name
    with tempfile.TemporaryDirectory(prefix="seawall-record-") as work:
        for run in range(1, runs + 1):
            trace = Path(work) / f"trace-{run}.txt"
            try:
                proc = subprocess.Popen(
                    [strace, *STRACE_FLAGS, "-o", str(trace), "--", *argv],
                    cwd=cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=output,
                    start_new_session=True,  # its own process group, so a stop reaches everyone
                )
            except OSError as exc:
                raise SeawallError(f"cannot start strace: {exc.strerror}") from None
            code = _wait_group(proc, duration)
            recording = parse_strace(_read_lines(trace), arch_name, source=f"strace: {argv[0]}")
            if not recording.syscalls:
                raise SeawallError(f"strace recorded nothing for {argv[0]!r} (exit status {code})")
            recordings.append(recording)
    return merge_all(recordings)


def _wait_group(proc: subprocess.Popen[bytes], duration: float | None) -> int | None:
    try:
        return proc.wait(timeout=duration)
    except subprocess.TimeoutExpired:
        for sig, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 30.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        return None


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []


@dataclass(frozen=True)
class StraceBundle:
    """The host's strace, its libraries and loader copied into ``directory``."""

    directory: Path
    loader: str  # file name of the dynamic loader inside the bundle

    def argv(self, trace_file: str, command: Sequence[str]) -> list[str]:
        """The command line that runs ``command`` under the bundled strace inside a container."""
        return [
            f"{BUNDLE_MOUNT}/{self.loader}",
            "--library-path",
            f"{BUNDLE_MOUNT}/lib",
            f"{BUNDLE_MOUNT}/strace",
            *STRACE_FLAGS,
            "-o",
            trace_file,
            "--",
            *command,
        ]


_LDD_LINE = re.compile(r"(?:=>\s*)?(/\S+)\s+\(0x[0-9a-f]+\)")


def make_strace_bundle(directory: Path) -> StraceBundle:
    """Copy the host's strace, the libraries ``ldd`` resolves for it and its loader."""
    strace = find_strace()
    proc = subprocess.run(["ldd", strace], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SeawallError(f"ldd {strace} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    libdir = directory / "lib"
    libdir.mkdir(parents=True, exist_ok=True)
    loader: str | None = None
    for line in proc.stdout.splitlines():
        match = _LDD_LINE.search(line)
        if match is None:
            continue
        source = Path(match.group(1))
        if "=>" not in line and source.name.startswith("ld-"):
            loader = source.name
            shutil.copy2(source.resolve(), directory / loader)
        else:
            shutil.copy2(source.resolve(), libdir / source.name)
    if loader is None:
        raise SeawallError(f"cannot find the dynamic loader of {strace} in ldd's output")
    shutil.copy2(strace, directory / "strace")
    for path in directory.rglob("*"):
        path.chmod(0o755)
    directory.chmod(0o755)
    return StraceBundle(directory, loader)


Smoke = Callable[["Container"], None]


def record_image(
    client: docker.DockerClient,
    image: str,
    *,
    command: Sequence[str] | None = None,
    runs: int = 1,
    duration: float = 10.0,
    options: RunOptions | None = None,
    smoke: Smoke | None = None,
    startup: float = 1.0,
    entrypoint: Sequence[str] | None = None,
    exec_commands: Sequence[Sequence[str]] = (),
    exec_patience: float = 0.0,
) -> Recording:
    """Run the image's entrypoint (or ``command``) under strace in a container, ``runs`` times.

    Each run lasts until the workload exits or ``duration`` seconds pass; ``smoke`` (called with
    the running container after ``startup`` seconds) exercises a service while it is traced.
    ``exec_commands`` (a healthcheck, a smoke command) are run inside the running container after
    ``startup`` seconds, each under its own strace, and their calls join the recording: Docker
    runs exec'd processes under the container's seccomp profile too; each is retried for up to
    ``exec_patience`` seconds until it succeeds. ``entrypoint`` replaces the
    image's (and its CMD, as ``docker run --entrypoint`` does).
    The daemon must be local: the strace bundle and the trace directory are bind mounts.
    """
    import docker.errors

    if runs < 1:
        raise SeawallError("runs must be at least 1")
    options = options or RunOptions()
    argv = image_argv(client, image, command, entrypoint)
    arch_name = image_arch(client, image)
    recordings: list[Recording] = []
    with tempfile.TemporaryDirectory(prefix="seawall-record-") as work:
        bundle = make_strace_bundle(Path(work) / "strace")
        out = Path(work) / "out"
        out.mkdir()
        out.chmod(0o777)  # the workload may run as any user
        kwargs = options.create_kwargs()
        kwargs["volumes"] = [
            *kwargs.get("volumes", []),
            f"{bundle.directory}:{BUNDLE_MOUNT}:ro",
            f"{out}:{OUTPUT_MOUNT}:rw",
        ]
        try:
            container = client.containers.create(
                image,
                entrypoint=bundle.argv(f"{OUTPUT_MOUNT}/trace.txt", argv[:1]),
                command=argv[1:],
                detach=True,
                **kwargs,
            )
        except docker.errors.APIError as exc:
            raise SeawallError(f"cannot create a container from {image!r}: {exc}") from None
        # One container started `runs` times: each start traces afresh (strace -o truncates),
        # without copying the image's filesystem again.
        with removing(container):
            for run in range(1, runs + 1):
                for stale in out.glob("*.txt"):
                    stale.unlink()
                execs = _Execs(bundle, out, exec_commands, options.user, exec_patience)
                _run_traced(container, duration, smoke, startup, execs)
                lines = _read_lines(out / "trace.txt")
                if not lines:
                    raise SeawallError(
                        f"strace recorded nothing in {image!r} (run {run}); output: "
                        + (logs(container).strip().splitlines() or ["-"])[-1]
                    )
                recordings.append(parse_strace(lines, arch_name, source=f"strace in image {image}"))
                recordings += execs.recordings(arch_name, image)
    return merge_all(recordings)


@dataclass(frozen=True)
class _Execs:
    """Commands exec'd into the traced container, each under the bundled strace."""

    bundle: StraceBundle
    out: Path
    commands: Sequence[Sequence[str]]
    user: str | None

    patience: float = 0.0

    def run(self, container: Container) -> None:
        for index, command in enumerate(self.commands, start=1):
            # Retry (each attempt traced) until the command succeeds or ``patience`` runs out: a
            # slow service answers its healthcheck only later, and the answered path matters.
            # A check that never succeeds is still recorded; its calls are what Docker will run.
            deadline = time.monotonic() + self.patience
            attempt = 0
            while True:
                attempt += 1
                trace = f"{OUTPUT_MOUNT}/exec-{index}-{attempt}.txt"
                argv = self.bundle.argv(trace, command)
                result = container.exec_run(argv, user=self.user or "", stdout=False, stderr=False)
                if result.exit_code == 0 or time.monotonic() >= deadline:
                    break
                time.sleep(0.5)

    def recordings(self, arch_name: str, image: str) -> list[Recording]:
        found: list[Recording] = []
        for index, command in enumerate(self.commands, start=1):
            for trace in sorted(self.out.glob(f"exec-{index}-*.txt")):
                lines = _read_lines(trace)
                if lines:
                    source = f"strace of {command[0]!r} exec'd in image {image}"
                    # One exec is one observation, not a run of the workload.
                    found.append(replace(parse_strace(lines, arch_name, source=source), runs=0))
        return found


def _run_traced(
    container: Container,
    duration: float,
    smoke: Smoke | None,
    startup: float,
    execs: _Execs | None = None,
) -> None:
    import requests

    started = time.monotonic()
    container.start()
    if smoke is not None or (execs is not None and execs.commands):
        time.sleep(startup)
        container.reload()
        if container.status == "running":
            if execs is not None:
                execs.run(container)
            if smoke is not None:
                smoke(container)
    remaining = max(0.5, duration - (time.monotonic() - started))
    try:
        container.wait(timeout=remaining)
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        # strace is PID 1 and, with "-o FILE PROG", blocks SIGTERM; it writes each line as it
        # goes, so SIGKILL loses nothing already traced. (The workload's own shutdown path is
        # not traced; baseline.LIFECYCLE covers exit, exit_group and rt_sigreturn.)
        container.kill()
        container.wait(timeout=30)
