"""A recording: which system calls a workload made, how often, on which architecture."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.errors import SeawallError, SourceError
from seawall.seccomp.syscalls import arch

FORMAT = "seawall-seccomp-recording"
VERSION = 1


@dataclass(frozen=True)
class Recording:
    """Syscall names and counts observed for one workload, merged over ``runs`` runs.

    ``socket_families`` holds the address families passed to ``socket()`` when the tracer could see
    them (strace can, audit records cannot); ``sources`` says where the observations came from and
    ``notes`` keeps warnings worth showing (e.g. kernel-log records lost to rate limiting).
    """

    arch: str
    syscalls: Mapping[str, int]
    runs: int = 1
    socket_families: frozenset[int] = frozenset()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # Calls seen only failing with ENOSYS (e.g. clone3 under Docker's default profile).
    enosys_only: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arch", arch(self.arch).name)

    @property
    def names(self) -> frozenset[str]:
        """The distinct syscall names observed."""
        return frozenset(name for name, count in self.syscalls.items() if count > 0)

    def merge(self, other: Recording) -> Recording:
        """Both recordings as one (same architecture): counts add up, runs add up."""
        if other.arch != self.arch:
            raise SeawallError(f"cannot merge recordings for {self.arch} and {other.arch}")
        counts = Counter(self.syscalls)
        counts.update(other.syscalls)
        both_seen = self.names | other.names
        enosys = (self.enosys_only | other.enosys_only) - (
            (self.names - self.enosys_only) | (other.names - other.enosys_only)
        )
        return Recording(
            arch=self.arch,
            syscalls=dict(sorted(counts.items())),
            runs=self.runs + other.runs,
            socket_families=self.socket_families | other.socket_families,
            sources=_unique(self.sources + other.sources),
            notes=_unique(self.notes + other.notes),
            enosys_only=frozenset(enosys & both_seen),
        )

    def to_json(self) -> dict[str, Any]:
        """The recording as a JSON-ready mapping (stable key order)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "arch": self.arch,
            "runs": self.runs,
            "syscalls": dict(sorted(self.syscalls.items())),
            "socket_families": sorted(self.socket_families),
            "enosys_only": sorted(self.enosys_only),
            "sources": list(self.sources),
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "<recording>") -> Recording:
        """Read a mapping written by :meth:`to_json`; bad input raises SeawallError."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SeawallError(f"{where}: not a seawall seccomp recording")
        try:
            syscalls = data["syscalls"]
            if not isinstance(syscalls, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in syscalls.items()
            ):
                raise ValueError("syscalls must map names to non-negative counts")
            return cls(
                arch=str(data["arch"]),
                syscalls=dict(syscalls),
                runs=int(data.get("runs", 1)),
                socket_families=frozenset(int(f) for f in data.get("socket_families", ())),
                sources=tuple(str(s) for s in data.get("sources", ())),
                notes=tuple(str(n) for n in data.get("notes", ())),
                enosys_only=frozenset(str(n) for n in data.get("enosys_only", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SeawallError(f"{where}: invalid recording: {exc}") from None


def merge_all(recordings: Iterable[Recording]) -> Recording:
    """Merge several recordings of the same architecture into one."""
    merged: Recording | None = None
    for recording in recordings:
        merged = recording if merged is None else merged.merge(recording)
    if merged is None:
        raise SeawallError("no recordings to merge")
    return merged


def load_recording(path: str | os.PathLike[str]) -> Recording:
    """Read a recording file."""
    where = os.fspath(path)
    try:
        text = Path(where).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(where, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeawallError(f"{where}: not JSON: {exc.msg} at line {exc.lineno}") from None
    return Recording.from_json(data, where)


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write JSON through a temporary file and ``os.replace``: never a half-written file."""
    from seawall.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
