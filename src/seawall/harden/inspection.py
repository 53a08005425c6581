"""Checking through ``docker inspect`` that hardened containers really run confined."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CHECKS = ("non-root", "read-only", "caps dropped", "no-new-privileges", "memory", "cpu", "pids")


@dataclass(frozen=True)
class Confinement:
    """Which confinement properties one service's container has (name → held)."""

    service: str
    user: str
    properties: tuple[tuple[str, bool], ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Properties the container lacks."""
        return tuple(name for name, held in self.properties if not held)


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("", "0", "root")


def confinement(service: str, info: Mapping[str, Any]) -> Confinement:
    """Read the confinement of a container from its inspect data."""
    config = info.get("Config") or {}
    host = info.get("HostConfig") or {}
    user = str(config.get("User") or "")
    caps_dropped = {str(c).upper().removeprefix("CAP_") for c in host.get("CapDrop") or []}
    security = [str(s).replace("=", ":") for s in host.get("SecurityOpt") or []]
    properties = (
        ("non-root", not _is_root(user)),
        ("read-only", bool(host.get("ReadonlyRootfs"))),
        ("caps dropped", "ALL" in caps_dropped),
        (
            "no-new-privileges",
            any(s in ("no-new-privileges", "no-new-privileges:true") for s in security),
        ),
        ("memory", int(host.get("Memory") or 0) > 0),
        ("cpu", int(host.get("NanoCpus") or 0) > 0 or int(host.get("CpuQuota") or 0) > 0),
        ("pids", int(host.get("PidsLimit") or 0) > 0),
    )
    return Confinement(service, user or "root", properties)


def render_confinement(rows: list[Confinement]) -> str:
    """A table: one line per service, ``yes``/``no`` per property."""
    width = max([len(r.service) for r in rows] + [len("service")])
    header = f"{'service':<{width}}  {'user':<12}  " + "  ".join(CHECKS)
    lines = [header]
    for row in rows:
        cells = "  ".join(
            f"{('yes' if held else 'NO'):<{len(name)}}" for name, held in row.properties
        )
        lines.append(f"{row.service:<{width}}  {row.user[:12]:<12}  {cells}")
    return "\n".join(lines) + "\n"
