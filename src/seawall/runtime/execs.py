"""``docker exec`` sessions of containers (CIS 5.23, 5.24), read while the Engine still has them.

The Engine forgets an exec soon after it ends, so only sessions that are running, or were
created and not (yet) started, are visible; past ones would need the host's audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seawall.runtime.containers import ContainerRecord

if TYPE_CHECKING:
    import docker


@dataclass(frozen=True)
class ExecSession:
    """One exec of a container; ``index`` is its position in the container's ``ExecIDs``."""

    container: str
    index: int
    exec_id: str
    privileged: bool
    user: str
    running: bool
    command: tuple[str, ...]

    @property
    def as_root(self) -> bool:
        """True when the session was asked to run as root (``-u root``/``-u 0``)."""
        name = self.user.split(":", 1)[0]
        return name in ("root", "0")


def collect_execs(
    client: docker.DockerClient, containers: Iterable[ContainerRecord]
) -> tuple[ExecSession, ...]:
    """Every exec session the Engine still lists, skipping those that vanished meanwhile."""
    import docker.errors

    sessions: list[ExecSession] = []
    for record in containers:
        for index, exec_id in enumerate(record.inspect.get("ExecIDs") or ()):
            try:
                doc = client.api.exec_inspect(exec_id)
            except docker.errors.NotFound:
                continue  # finished and forgotten between the container inspect and now
            process = doc.get("ProcessConfig") or {}
            command = [process.get("entrypoint") or "", *(process.get("arguments") or ())]
            sessions.append(
                ExecSession(
                    container=record.name,
                    index=index,
                    exec_id=str(exec_id),
                    privileged=bool(process.get("privileged")),
                    user=str(process.get("user") or ""),
                    running=bool(doc.get("Running")),
                    command=tuple(str(part) for part in command if part),
                )
            )
    return tuple(sessions)
