"""Swarm facts for CIS section 7: managers, auto-lock, overlay networks, the listening port."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import docker

DEFAULT_SWARM_PORT = 2377
TCP_LISTEN = "0A"  # socket state in /proc/net/tcp{,6}


@dataclass(frozen=True)
class OverlayNetwork:
    """One swarm-scoped overlay network and its driver options."""

    name: str
    options: Mapping[str, str]

    @property
    def encrypted(self) -> bool:
        """True when created with ``--opt encrypted`` (IPsec between nodes)."""
        return "encrypted" in self.options


@dataclass(frozen=True)
class SwarmFacts:
    """The node's swarm state; ``listen`` is None when the host's sockets are not visible."""

    state: str  # info.Swarm.LocalNodeState: inactive, pending, active, error, locked
    manager: bool
    managers: int | None
    autolock: bool | None  # only managers see the cluster spec
    port: int
    overlays: tuple[OverlayNetwork, ...] = ()
    listen: tuple[str, ...] | None = None

    @property
    def active(self) -> bool:
        """True when this node takes part in a swarm."""
        return self.state not in ("inactive", "")


def swarm_port(info: Mapping[str, Any]) -> int:
    """The management port this node advertises (``RemoteManagers`` entry of its own node id)."""
    swarm = info.get("Swarm") or {}
    for manager in swarm.get("RemoteManagers") or ():
        if manager.get("NodeID") == swarm.get("NodeID"):
            _, _, port = str(manager.get("Addr", "")).rpartition(":")
            if port.isdigit():
                return int(port)
    return DEFAULT_SWARM_PORT


def _decode_address(hex_address: str) -> str:
    """``/proc/net/tcp`` addresses are little-endian 32-bit words in hex."""
    import ipaddress

    words = [bytes.fromhex(hex_address[i : i + 8])[::-1] for i in range(0, len(hex_address), 8)]
    return str(ipaddress.ip_address(b"".join(words)))


def listening_addresses(port: int, pid: int | None, proc: str = "/proc") -> tuple[str, ...]:
    """Addresses with a TCP socket listening on ``port`` (held by ``pid`` when it is known)."""
    owned: set[str] | None = None
    if pid is not None:
        try:
            owned = {os.readlink(fd) for fd in Path(f"{proc}/{pid}/fd").iterdir()}
        except OSError:
            owned = None  # not root: fall back to every listener on the port
    found: list[str] = []
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"{proc}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != TCP_LISTEN:
                continue
            address, _, hex_port = fields[1].partition(":")
            if int(hex_port, 16) != port:
                continue
            if owned is not None and f"socket:[{fields[9]}]" not in owned:
                continue
            found.append(_decode_address(address))
    return tuple(dict.fromkeys(found))


def _overlays(client: docker.DockerClient) -> tuple[OverlayNetwork, ...]:
    networks = client.api.networks(filters={"driver": "overlay"})
    return tuple(
        sorted(
            (
                OverlayNetwork(str(n.get("Name", "")), dict(n.get("Options") or {}))
                for n in networks
            ),
            key=lambda n: n.name,
        )
    )


def collect_swarm(
    client: docker.DockerClient, info: Mapping[str, Any], daemon_pid: int | None, local: bool
) -> SwarmFacts:
    """Swarm state from ``docker info``, overlay networks from the API, sockets from /proc."""
    swarm = info.get("Swarm") or {}
    state = str(swarm.get("LocalNodeState") or "inactive")
    manager = bool(swarm.get("ControlAvailable"))
    spec = (swarm.get("Cluster") or {}).get("Spec") or {}
    autolock = (spec.get("EncryptionConfig") or {}).get("AutoLockManagers") if manager else None
    facts = SwarmFacts(
        state=state,
        manager=manager,
        managers=swarm.get("Managers") if manager else None,
        autolock=None if autolock is None else bool(autolock),
        port=swarm_port(info),
    )
    if not facts.active or not manager:
        return facts  # workers see neither the cluster's networks nor listen on its port
    return replace(
        facts,
        overlays=_overlays(client),
        listen=listening_addresses(facts.port, daemon_pid) if local else None,
    )
