"""Containers as the Engine reports them (running or not), plus the kernel's view when visible."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import docker


@dataclass(frozen=True)
class EffectiveState:
    """From ``/proc/<pid>/status`` of the container's init process on this host."""

    cap_eff: int
    cap_bnd: int
    no_new_privs: bool | None
    seccomp_mode: int | None  # 0 disabled, 1 strict, 2 filter
    uid: int | None

    @property
    def seccomp_enabled(self) -> bool | None:
        """Whether a seccomp filter is active; None when the kernel did not say."""
        return None if self.seccomp_mode is None else self.seccomp_mode != 0


@dataclass(frozen=True)
class ContainerRecord:
    """One container: its inspect document and (when on this host and running) its kernel state."""

    id: str
    name: str
    inspect: Mapping[str, Any]
    effective: EffectiveState | None = None

    @property
    def running(self) -> bool:
        """True when the Engine reports it running."""
        return bool(self.inspect.get("State", {}).get("Running"))

    @property
    def labels(self) -> Mapping[str, str]:
        """Container labels (compose labels among them)."""
        return self.inspect.get("Config", {}).get("Labels") or {}


def parse_status(text: str) -> EffectiveState | None:
    """Parse ``/proc/<pid>/status`` fields seawall cares about."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    try:
        cap_eff = int(fields["CapEff"], 16)
        cap_bnd = int(fields.get("CapBnd", "0"), 16)
    except (KeyError, ValueError):
        return None
    nnp = fields.get("NoNewPrivs")
    seccomp = fields.get("Seccomp")
    uid = fields.get("Uid", "").split()
    return EffectiveState(
        cap_eff=cap_eff,
        cap_bnd=cap_bnd,
        no_new_privs=None if nnp is None else nnp == "1",
        seccomp_mode=int(seccomp) if seccomp and seccomp.isdigit() else None,
        uid=int(uid[1]) if len(uid) > 1 and uid[1].isdigit() else None,
    )


def effective_state(pid: int) -> EffectiveState | None:
    """The kernel's view of a container process, or None when not readable here."""
    if pid <= 0:
        return None
    try:
        return parse_status(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None


def collect_containers(
    client: docker.DockerClient, local: bool
) -> tuple[list[ContainerRecord], list[str]]:
    """Every container (``all=True``) and the ids that vanished between listing and inspecting."""
    import docker.errors

    records: list[ContainerRecord] = []
    vanished: list[str] = []
    for summary in client.api.containers(all=True):
        cid = summary["Id"]
        try:
            doc = client.api.inspect_container(cid)
        except docker.errors.NotFound:
            vanished.append(cid)  # removed mid-audit: nothing left to judge
            continue
        name = str(doc.get("Name", cid)).lstrip("/") or cid[:12]
        state = effective_state(int(doc.get("State", {}).get("Pid") or 0)) if local else None
        records.append(ContainerRecord(id=cid, name=name, inspect=doc, effective=state))
    records.sort(key=lambda r: r.name)
    return records, vanished


def collect_images(
    client: docker.DockerClient, containers: list[ContainerRecord]
) -> dict[str, Mapping[str, Any]]:
    """``docker image inspect`` of each image some container uses, by image id."""
    import docker.errors

    images: dict[str, Mapping[str, Any]] = {}
    for record in containers:
        image_id = str(record.inspect.get("Image", ""))
        if not image_id or image_id in images:
            continue
        try:
            images[image_id] = client.api.inspect_image(image_id)
        except docker.errors.NotFound:
            continue
    return images
