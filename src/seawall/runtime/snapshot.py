"""One consistent picture of a Docker installation for ``seawall audit``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seawall.errors import DaemonError
from seawall.runtime.client import Endpoint
from seawall.runtime.containers import ContainerRecord, collect_containers, collect_images
from seawall.runtime.daemon import (
    DaemonConfig,
    is_socket,
    load_daemon_config,
    pid_for_socket,
    pid_from_pidfile,
    socket_path_of,
)
from seawall.runtime.execs import ExecSession, collect_execs
from seawall.runtime.host import HostFacts, collect_host
from seawall.runtime.swarm import SwarmFacts, collect_swarm

if TYPE_CHECKING:
    import docker


@dataclass(frozen=True)
class DaemonFacts:
    """The daemon as the API describes it, plus its configured settings when visible."""

    endpoint: Endpoint
    info: Mapping[str, Any]
    version: Mapping[str, Any]
    config: DaemonConfig
    default_bridge: Mapping[str, Any] | None = None  # inspect of the "bridge" network, if any
    swarm: SwarmFacts | None = None

    @property
    def security_options(self) -> tuple[str, ...]:
        """``info.SecurityOptions`` (``name=seccomp,profile=default`` …)."""
        return tuple(self.info.get("SecurityOptions") or ())

    def security_option(self, name: str) -> dict[str, str] | None:
        """The parsed ``name=<name>,k=v`` entry of SecurityOptions, if present."""
        for option in self.security_options:
            parts = dict(p.partition("=")[::2] for p in option.split(","))
            if parts.get("name") == name:
                return parts
        return None


@dataclass(frozen=True)
class DockerEnvironment:
    """The model HOST rules check: the daemon and the host it runs on."""

    daemon: DaemonFacts
    host: HostFacts
    execs: tuple[ExecSession, ...] = ()  # exec sessions of the containers, while listed

    @property
    def target(self) -> str:
        """A name for findings: the endpoint."""
        return self.daemon.endpoint.host


@dataclass(frozen=True)
class AuditSnapshot:
    """Everything ``seawall audit`` judges."""

    environment: DockerEnvironment
    containers: tuple[ContainerRecord, ...]
    images: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    vanished: tuple[str, ...] = ()


def find_daemon_pid(endpoint: Endpoint, info: Mapping[str, Any]) -> int | None:
    """The local dockerd behind ``endpoint``: by its socket, else the default pidfile."""
    sock = socket_path_of(endpoint.host)
    if sock:
        pid = pid_for_socket(sock)
        if pid is not None:
            return pid
        if sock in ("/var/run/docker.sock", "/run/docker.sock"):
            return pid_from_pidfile("/var/run/docker.pid")
    return None


def is_local(endpoint: Endpoint, info: Mapping[str, Any]) -> bool:
    """A unix-socket endpoint whose data root we can see is on this host."""
    sock = socket_path_of(endpoint.host)
    if sock is None or not is_socket(sock):
        return False
    root = info.get("DockerRootDir")
    return bool(root) and os.path.isdir(str(root))


def _call(what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    import docker.errors
    import requests

    try:
        return func(*args, **kwargs)
    except requests.exceptions.Timeout:
        raise DaemonError(f"Docker daemon timed out during {what}") from None
    except (requests.exceptions.RequestException, docker.errors.APIError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DaemonError(f"Docker daemon error during {what}: {first}") from None


def _default_bridge(client: docker.DockerClient) -> Mapping[str, Any] | None:
    import docker.errors

    try:
        return dict(client.api.inspect_network("bridge"))
    except docker.errors.NotFound:
        return None  # dockerd --bridge=none


def collect(client: docker.DockerClient, endpoint: Endpoint) -> AuditSnapshot:
    """Gather daemon, host and container facts; DaemonError on an unreachable or slow daemon."""
    info = _call("info", client.api.info)
    version = _call("version", client.api.version)
    local = is_local(endpoint, info)
    pid = find_daemon_pid(endpoint, info) if local else None
    config = load_daemon_config(pid) if local else DaemonConfig(None, None, None, False)
    bridge = _call("network inspect", _default_bridge, client)
    host = collect_host(config, socket_path_of(endpoint.host), info.get("DockerRootDir"), local)
    swarm = _call("swarm inspection", collect_swarm, client, info, pid, local)
    daemon = DaemonFacts(endpoint, info, version, config, bridge, swarm)
    containers, vanished = _call("container listing", collect_containers, client, local)
    images = _call("image inspect", collect_images, client, containers)
    execs = _call("exec inspect", collect_execs, client, containers)
    return AuditSnapshot(
        environment=DockerEnvironment(daemon, host, execs),
        containers=tuple(containers),
        images=images,
        vanished=tuple(vanished),
    )
