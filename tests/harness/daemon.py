"""A Docker daemon for tests: our own ``dockerd`` or one named by ``$SEAWALL_TEST_DOCKER_HOST``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness._process import (
    kill_pids,
    pid_alive,
    pids_referencing,
    remove_tree,
    stop_process_group,
    wait_until,
)

if TYPE_CHECKING:
    import docker

# Unix socket paths are limited to 108 bytes, so the run directory lives under a short root.
RUN_ROOT = Path(os.environ.get("SEAWALL_TEST_RUN_ROOT", "/tmp"))
RUN_PREFIX = "seawall-dockerd-"
START_TIMEOUT = 60.0
LABEL = "seawall.test"


class ComponentUnavailable(Exception):
    """A real component could not be started; the message is a one-line reason."""


@dataclass
class DockerDaemon:
    """A reachable Docker daemon and the handles tests need to drive it."""

    docker_host: str
    socket_path: Path | None
    data_root: Path | None
    run_dir: Path | None = None
    owned: bool = False
    pid: int | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _clients: list[Any] = field(default_factory=list, repr=False)

    def env(self) -> dict[str, str]:
        """The process environment with DOCKER_HOST pointing at this daemon."""
        env = dict(os.environ)
        env["DOCKER_HOST"] = self.docker_host
        env.pop("DOCKER_CONTEXT", None)
        return env

    def client(self, timeout: int = 120) -> docker.DockerClient:
        """A new ``docker.DockerClient`` for this daemon (closed at session end)."""
        import docker

        client = docker.DockerClient(base_url=self.docker_host, timeout=timeout)
        self._clients.append(client)
        return client

    def run_cli(
        self,
        *args: str,
        check: bool = True,
        input: bytes | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """Run the ``docker`` CLI against this daemon; text output is captured."""
        raw = subprocess.run(
            ["docker", *args],
            env=self.env(),
            input=input,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        # Bytes in (image tarballs), text out.
        proc = subprocess.CompletedProcess(
            raw.args,
            raw.returncode,
            raw.stdout.decode(errors="replace"),
            raw.stderr.decode(errors="replace"),
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"docker {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}"
            )
        return proc

    def remove_test_containers(self) -> None:
        """Force-remove every container (they are all ours when the daemon is ours)."""
        listing = ["ps", "-aq"] if self.owned else ["ps", "-aq", "--filter", f"label={LABEL}"]
        ids = self.run_cli(*listing, check=False).stdout.split()
        if ids:
            self.run_cli("rm", "-f", "-v", *ids, check=False)

    def close(self) -> None:
        """Close clients; when we started the daemon, stop it and remove its files."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        if not self.owned:
            return
        self.remove_test_containers()
        if self._process is not None:
            stop_process_group(self._process, grace=20)
        if self.run_dir is not None:
            # containerd and its shims run in their own sessions: find them by our directory.
            kill_pids(pids_referencing(str(self.run_dir)), signal.SIGKILL)
            remove_tree(self.run_dir)


def _answers(docker_host: str) -> bool:
    import docker

    try:
        client = docker.DockerClient(base_url=docker_host, timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def external_daemon(docker_host: str) -> DockerDaemon:
    """Wrap a daemon someone else runs (``$SEAWALL_TEST_DOCKER_HOST``)."""
    if not _answers(docker_host):
        raise ComponentUnavailable(f"SEAWALL_TEST_DOCKER_HOST={docker_host} does not answer")
    import docker

    client = docker.DockerClient(base_url=docker_host, timeout=30)
    try:
        root = Path(client.info()["DockerRootDir"])
    finally:
        client.close()
    sock = Path(docker_host.removeprefix("unix://")) if docker_host.startswith("unix://") else None
    return DockerDaemon(docker_host=docker_host, socket_path=sock, data_root=root, owned=False)


def clean_stale_run_dirs() -> None:
    """Remove run directories left by earlier sessions whose dockerd is gone."""
    for stale in RUN_ROOT.glob(RUN_PREFIX + "*"):
        pidfile = stale / "dockerd.pid"
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid is not None and pid_alive(pid):
            continue  # another live session (or a concurrent test run) owns it
        kill_pids(pids_referencing(str(stale)), signal.SIGKILL)
        remove_tree(stale)


def start_daemon(
    config: Mapping[str, Any] | None = None, extra_args: Sequence[str] = ()
) -> DockerDaemon:
    """Start Debian's dockerd with its own data root, exec root, socket and pidfile.

    ``config`` becomes the daemon's daemon.json (``--config-file``); ``extra_args`` are added to
    the command line (e.g. ``-H tcp://127.0.0.1:PORT``).
    """
    if os.geteuid() != 0:
        raise ComponentUnavailable("starting dockerd needs root")
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise ComponentUnavailable("dockerd is not installed (apt-get install docker.io)")
    if shutil.which("docker") is None:
        raise ComponentUnavailable("the docker CLI is not installed")
    clean_stale_run_dirs()
    run_dir = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=RUN_ROOT))
    sock = run_dir / "docker.sock"
    data_root = run_dir / "data"
    pidfile = run_dir / "dockerd.pid"
    argv = [
        dockerd,
        "--data-root", str(data_root),
        "--exec-root", str(run_dir / "exec"),
        "-H", f"unix://{sock}",
        "--pidfile", str(pidfile),
        "--storage-driver", "vfs",
        "--iptables=false",
        "--bridge=none",
        # An empty config file, so a host /etc/docker/daemon.json cannot leak in.
        "--config-file", str(run_dir / "daemon.json"),
        *extra_args,
    ]  # fmt: skip
    (run_dir / "daemon.json").write_text(json.dumps(dict(config or {}), indent=2) + "\n")
    log = (run_dir / "dockerd.log").open("wb")
    proc = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    log.close()
    daemon = DockerDaemon(
        docker_host=f"unix://{sock}",
        socket_path=sock,
        data_root=data_root,
        run_dir=run_dir,
        owned=True,
        pid=proc.pid,
        _process=proc,
    )
    ready = wait_until(
        lambda: proc.poll() is not None or (sock.exists() and _answers(daemon.docker_host)),
        timeout=START_TIMEOUT,
        interval=0.25,
    )
    if not ready or proc.poll() is not None:
        tail = (run_dir / "dockerd.log").read_text(errors="replace").strip().splitlines()[-1:]
        daemon.close()
        reason = tail[0] if tail else "no output"
        if proc.poll() is not None:
            raise ComponentUnavailable(f"dockerd exited with code {proc.returncode}: {reason}")
        raise ComponentUnavailable(f"dockerd did not come up within {START_TIMEOUT:.0f}s: {reason}")
    return daemon


def provide_daemon() -> DockerDaemon:
    """The daemon for a test session: the external one if configured, else our own."""
    external = os.environ.get("SEAWALL_TEST_DOCKER_HOST")
    if external:
        return external_daemon(external)
    return start_daemon()
