"""How the services of a running Compose project are doing: running, healthy, ports answering."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from seawall.errors import DaemonError

SETTLE_SECONDS = 3.0  # a service without a healthcheck must stay up this long to count as running
POLL_SECONDS = 0.5
PROBE_TIMEOUT = 1.0


@dataclass(frozen=True)
class ServiceStatus:
    """What one service did after ``up``."""

    service: str
    state: str  # running | exited | restarting | missing | ...
    exit_code: int | None = None
    health: str | None = None  # healthy | unhealthy | starting | None (no healthcheck)
    ports: tuple[tuple[str, bool], ...] = ()  # ("8080/tcp", answered)

    @property
    def working(self) -> bool:
        """Running (or finished with 0) and healthy when it has a healthcheck."""
        if self.state == "exited":
            return self.exit_code == 0 and self.health in (None, "healthy")
        return self.state == "running" and self.health in (None, "healthy")

    def describe(self) -> str:
        """A one-line account, e.g. ``exited (1)`` or ``running, healthy``."""
        text = self.state if self.exit_code is None else f"{self.state} ({self.exit_code})"
        if self.health:
            text += f", {self.health}"
        answered = [p for p, ok in self.ports if ok]
        if self.ports:
            text += f", ports answering {len(answered)}/{len(self.ports)}"
        return text


def regressions(
    before: Mapping[str, ServiceStatus], after: Mapping[str, ServiceStatus]
) -> dict[str, tuple[str, ...]]:
    """Services that worked before and not after, with what got worse."""
    broken: dict[str, tuple[str, ...]] = {}
    for name, was in before.items():
        if not was.working:
            continue
        now = after.get(name, ServiceStatus(name, "missing"))
        reasons = []
        if not now.working:
            reasons.append(f"was {was.describe()}, now {now.describe()}")
        answered = {p for p, ok in now.ports if ok}
        lost = [p for p, ok in was.ports if ok and p not in answered]
        if lost and now.working:
            reasons.append(f"port {', '.join(lost)} no longer answers")
        if reasons:
            broken[name] = tuple(reasons)
    return broken


def project_containers(client: Any, project: str) -> dict[str, dict[str, Any]]:
    """The inspect data of each service's container (first replica), by service name."""
    try:
        found = client.api.containers(
            all=True, filters={"label": f"com.docker.compose.project={project}"}
        )
        out: dict[str, dict[str, Any]] = {}
        for summary in sorted(found, key=lambda c: c.get("Names", [""])[0]):
            service = (summary.get("Labels") or {}).get("com.docker.compose.service")
            if service and service not in out:
                out[service] = client.api.inspect_container(summary["Id"])
        return out
    except Exception as exc:  # requests/docker errors: the daemon went away mid-verify
        raise DaemonError(
            f"Docker daemon stopped answering during --verify: {_first(exc)}"
        ) from None


def _first(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _service_settled(info: Mapping[str, Any] | None, now: float, up_failed: bool) -> bool:
    if info is None:
        return up_failed
    if up_failed and (info.get("State") or {}).get("Status") == "created":
        return True
    return _settled(info, now)


def _settled(info: Mapping[str, Any], now: float) -> bool:
    state = info.get("State") or {}
    if _crash_looping(info) or state.get("Status") in ("exited", "dead"):
        return True
    health = (state.get("Health") or {}).get("Status")
    if health is not None:
        return health in ("healthy", "unhealthy")
    started = _started_at(state.get("StartedAt", ""))
    return started is not None and now - started >= SETTLE_SECONDS


def _crash_looping(info: Mapping[str, Any]) -> bool:
    """Restarting now, or restarted since ``up`` (a restart policy hides a crash otherwise)."""
    state = info.get("State") or {}
    return bool(state.get("Restarting")) or int(info.get("RestartCount") or 0) > 0


def _started_at(text: str) -> float | None:
    import datetime as dt

    if not text or text.startswith("0001"):
        return None
    trimmed = text.rstrip("Z").split(".")[0]
    try:
        moment = dt.datetime.fromisoformat(trimmed).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return moment.timestamp()


def wait_until_settled(
    client: Any,
    project: str,
    services: tuple[str, ...],
    timeout: float,
    clock: Callable[[], float] = time.time,
    *,
    up_failed: bool = False,
) -> dict[str, dict[str, Any]]:
    """Poll until every service is healthy/unhealthy, has exited, or has run long enough.

    After a failed ``up`` the services it never created or started are not waited for.
    """
    deadline = clock() + timeout
    while True:
        containers = project_containers(client, project)
        now = clock()
        if all(_service_settled(containers.get(s), now, up_failed) for s in services):
            return containers
        if now >= deadline:
            return containers
        time.sleep(POLL_SECONDS)


def status_of(service: str, info: Mapping[str, Any] | None) -> ServiceStatus:
    """A service's status from its container's inspect data, with its ports probed."""
    if info is None:
        return ServiceStatus(service, "missing")
    state = info.get("State") or {}
    status = "restarting" if _crash_looping(info) else str(state.get("Status", "unknown"))
    health = (state.get("Health") or {}).get("Status")
    exit_code = int(state.get("ExitCode", 0)) if status in ("exited", "dead") else None
    ports = _probe_ports(info) if status == "running" else ()
    return ServiceStatus(service, status, exit_code, health, ports)


def _probe_ports(info: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    """Try a TCP connection to each exposed port on the container's addresses, then on its
    published host port (for engines whose container addresses this host cannot reach)."""
    config = info.get("Config") or {}
    settings = info.get("NetworkSettings") or {}
    addresses = [
        n.get("IPAddress")
        for n in (settings.get("Networks") or {}).values()
        if n and n.get("IPAddress")
    ]
    published = settings.get("Ports") or {}
    results = []
    for port in sorted(config.get("ExposedPorts") or {}):
        number, _, protocol = port.partition("/")
        if protocol not in ("", "tcp") or not number.isdigit():
            continue
        direct = [_connects(a, int(number)) for a in addresses]
        if "open" in direct or "refused" in direct:
            results.append((port, "open" in direct))
            continue
        # The container addresses are unreachable from here (a remote engine): a published
        # port is the only way in, though a proxy may accept for a dead service.
        hosts = []
        for binding in published.get(port) or []:
            host = binding.get("HostIp") or "127.0.0.1"
            host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
            if binding.get("HostPort", "").isdigit():
                hosts.append((host, int(binding["HostPort"])))
        results.append((port, any(_connects(h, p) == "open" for h, p in hosts)))
    return tuple(results)


def _connects(host: str, port: int) -> str:
    """``open``, ``refused`` (reachable, nothing listening) or ``unreachable``."""
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT):
            return "open"
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        return "unreachable"
