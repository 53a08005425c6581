"""How seawall runs a workload container for ``record`` and ``verify``: options and helpers."""

from __future__ import annotations

import contextlib
import json
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from seawall.errors import DaemonError, SeawallError

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

LABEL = "seawall.seccomp"


@dataclass(frozen=True)
class RunOptions:
    """The hardening and plumbing a workload runs with (mirrors ``docker run`` flags).

    ``tmpfs`` entries are ``/path`` or ``/path:opts``; ``volumes`` are ``host:container[:ro]``;
    ``ports`` are ``[ip:]host:container[/proto]``; ``env`` entries are ``NAME=value``.
    """

    user: str | None = None
    read_only: bool = False
    tmpfs: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    cap_add: tuple[str, ...] = ()
    no_new_privileges: bool = False
    network: str | None = None
    ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    workdir: str | None = None

    def hardened(self) -> RunOptions:
        """These options plus read-only root, all capabilities dropped, no-new-privileges."""
        return replace(
            self,
            read_only=True,
            cap_drop=tuple(dict.fromkeys((*self.cap_drop, "ALL"))),
            no_new_privileges=True,
        )

    def create_kwargs(self, seccomp: dict[str, Any] | None = None) -> dict[str, Any]:
        """Keyword arguments for ``client.containers.create``.

        A profile is passed inline (``seccomp=<json>``): the Engine API does not read files, only
        the CLI and compose do.
        """
        security_opt: list[str] = []
        if self.no_new_privileges:
            security_opt.append("no-new-privileges:true")
        if seccomp is not None:
            security_opt.append("seccomp=" + json.dumps(seccomp, separators=(",", ":")))
        kwargs: dict[str, Any] = {
            "labels": {LABEL: "1"},
            "read_only": self.read_only,
            "security_opt": security_opt or None,
            "cap_drop": list(self.cap_drop) or None,
            "cap_add": list(self.cap_add) or None,
            "user": self.user,
            "network": self.network,
            "environment": list(self.env) or None,
            "working_dir": self.workdir,
        }
        if self.tmpfs:
            kwargs["tmpfs"] = dict(_split_tmpfs(t) for t in self.tmpfs)
        if self.volumes:
            kwargs["volumes"] = list(self.volumes)
        if self.ports:
            kwargs["ports"] = _ports(self.ports)
        return {key: value for key, value in kwargs.items() if value is not None}


def _split_tmpfs(spec: str) -> tuple[str, str]:
    path, _, opts = spec.partition(":")
    return path, opts


def _ports(specs: Sequence[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for spec in specs:
        parts = spec.split(":")
        container = parts[-1] if "/" in parts[-1] else parts[-1] + "/tcp"
        if len(parts) == 3:
            result[container] = (parts[0], int(parts[1]))
        elif len(parts) == 2:
            result[container] = int(parts[0])
        else:
            raise SeawallError(f"bad port mapping {spec!r} (expected [ip:]host:container)")
    return result


def client_from_env() -> docker.DockerClient:
    """A Docker client from ``DOCKER_HOST`` and friends, or a one-line DaemonError."""
    import docker

    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:  # the SDK raises many kinds; all mean "unreachable"
        raise DaemonError(f"cannot reach the Docker daemon: {_first_line(exc)}") from None
    return client


def image_argv(
    client: docker.DockerClient,
    image: str,
    command: Sequence[str] | None,
    entrypoint: Sequence[str] | None = None,
) -> list[str]:
    """What the image runs: its entrypoint plus ``command`` (or its CMD), as ``docker run`` does.

    An ``entrypoint`` given here replaces the image's and, as with ``docker run --entrypoint``,
    drops the image's CMD too.
    """
    import docker.errors

    try:
        config = client.images.get(image).attrs.get("Config") or {}
    except docker.errors.ImageNotFound:
        raise DaemonError(f"image {image!r} not found in the daemon") from None
    except docker.errors.APIError as exc:
        raise DaemonError(f"cannot inspect image {image!r}: {_first_line(exc)}") from None
    if entrypoint is not None:
        argv = list(entrypoint) + list(command or [])
    else:
        cmd = list(command) if command else list(config.get("Cmd") or [])
        argv = list(config.get("Entrypoint") or []) + cmd
    if not argv:
        raise SeawallError(f"image {image!r} has no entrypoint or command; give one")
    return argv


def image_arch(client: docker.DockerClient, image: str) -> str:
    """The kernel name of the image's architecture (amd64 → x86_64)."""
    from seawall.seccomp.syscalls import arch

    attrs = client.images.get(image).attrs
    return arch(str(attrs.get("Architecture") or "amd64")).name


@contextlib.contextmanager
def removing(container: Container) -> Iterator[Container]:
    """Remove the container however the block ends."""
    try:
        yield container
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)


def wait_or_stop(container: Container, timeout: float) -> int | None:
    """Wait up to ``timeout`` seconds for the container to exit; kill it if it has not.

    Returns the exit code when it ended by itself, None when it had to be killed. SIGKILL, not
    ``docker stop``: a workload that is PID 1 without a SIGTERM handler would hold every run for
    the stop grace period, and its shutdown path is not what is being verified.
    """
    import requests

    try:
        result = container.wait(timeout=timeout)
        return int(result.get("StatusCode", -1))
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        with contextlib.suppress(Exception):
            container.kill()
        with contextlib.suppress(Exception):
            container.wait(timeout=30)
        return None


def logs(container: Container, limit: int = 4000, since: int | None = None) -> str:
    """The container's combined output (tail, optionally only since a Unix time), decoded."""
    try:
        raw = container.logs(stdout=True, stderr=True, since=since)
    except Exception:
        return ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text[-limit:]


def shell_words(text: str) -> list[str]:
    """Split a command line the way a POSIX shell would, without running a shell."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise SeawallError(f"cannot parse command {text!r}: {exc}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
