"""Debian's ``docker-registry`` (distribution 2.8) serving on 127.0.0.1 for push/pull tests."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from harness._process import free_port, remove_tree, stop_process_group, wait_until
from harness.daemon import ComponentUnavailable

CONFIG = """\
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
"""


@dataclass
class Registry:
    """A running registry; dockerd treats 127.0.0.0/8 as insecure, so plain HTTP works."""

    host: str
    workdir: Path
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Base URL of the registry HTTP API."""
        return f"http://{self.host}"

    def ref(self, repository: str, tag: str = "latest") -> str:
        """A pullable reference to ``repository:tag`` in this registry."""
        return f"{self.host}/{repository}:{tag}"

    def close(self) -> None:
        """Stop the registry and delete its storage."""
        if self._process is not None:
            stop_process_group(self._process, grace=5)
        remove_tree(self.workdir)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v2/", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_registry(attempts: int = 3) -> Registry:
    """Start ``docker-registry serve`` on a free port with its own storage and config."""
    binary = shutil.which("docker-registry")
    if binary is None:
        raise ComponentUnavailable("docker-registry is not installed (apt: docker-registry)")
    last_error = "no attempt made"
    for _ in range(attempts):  # a free port can be taken between probing and binding
        workdir = Path(tempfile.mkdtemp(prefix="seawall-registry-"))
        port = free_port()
        config = workdir / "config.yml"
        config.write_text(CONFIG.format(storage=workdir / "storage", port=port))
        log = (workdir / "registry.log").open("wb")
        proc = subprocess.Popen(
            [binary, "serve", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        registry = Registry(host=f"127.0.0.1:{port}", workdir=workdir, _process=proc)

        def settled(started: subprocess.Popen[bytes] = proc, url: str = registry.url) -> bool:
            return started.poll() is not None or _answers(url)

        if wait_until(settled, timeout=20) and proc.poll() is None:
            return registry
        tail = (workdir / "registry.log").read_text(errors="replace").strip().splitlines()[-1:]
        last_error = tail[0] if tail else f"exit code {proc.poll()}"
        registry.close()
    raise ComponentUnavailable(f"docker-registry did not start: {last_error}")
