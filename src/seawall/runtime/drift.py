"""Drift: a container started by Compose against the compose files it came from.

Compose labels (``com.docker.compose.project``, ``…service``, ``…project.config_files``) lead
back to the files; the service is loaded with the Compose loader and both sides become
``Workload`` values, so each hardening setting is compared on the same terms. A finding points
at the compose file line where the setting was declared ("declared read_only, running writable").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.model.finding import Report
from seawall.model.source import SourceFile
from seawall.runtime.containers import ContainerRecord

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.workload import Field, Workload

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
CONFIG_FILES = "com.docker.compose.project.config_files"
WORKING_DIR = "com.docker.compose.project.working_dir"


@dataclass(frozen=True)
class Difference:
    """One hardening setting that differs; ``declared_field`` locates it in the compose file."""

    setting: str
    declared: str
    running: str
    declared_field: Field[Any]


@dataclass(frozen=True)
class DriftCase:
    """A compose-started container with its declared and running workloads."""

    container: str
    service: str
    project: str
    declared: Workload | None  # None: the service is no longer in the compose files
    running: Workload
    compose_file: str
    differences: tuple[Difference, ...]
    sources: Mapping[str, SourceFile] = field(default_factory=dict)  # for excerpts and lines


def _seccomp_kind(value: str | None) -> str:
    if value is None or value == "":
        return "default profile"
    if value.strip().lower() == "unconfined":
        return "unconfined"
    return "custom profile"


def _set(values: Iterable[str]) -> str:
    items = sorted(set(values))
    return "[" + ", ".join(items) + "]" if items else "none"


def _bytes(value: int | None) -> str:
    return "unlimited" if value is None else f"{value} bytes"


def _ports(w: Workload) -> str:
    out = set()
    for item in w.ports.value:
        port = item.value
        if port.published is None:
            continue  # exposed only
        where = "*" if port.all_interfaces else (port.host_ip or "*").strip("[]")
        out.add(f"{where}:{port.published}->{port.target}/{port.protocol}")
    return _set(out)


def _mounts(w: Workload) -> str:
    out = set()
    for entry in w.mounts.value:
        mount = entry.value
        if mount.target.startswith("/run/secrets/") or mount.type == "volume":
            continue  # compose secrets and (anonymous) volumes are managed by compose itself
        out.add(f"{mount.target}:{'ro' if mount.read_only else 'rw'}")
    for tmpfs in w.tmpfs.value:
        out.add(f"{tmpfs.value.split(':', 1)[0]}:tmpfs")
    return _set(out)


def _healthcheck(w: Workload) -> str:
    check = w.healthcheck.value
    return "none" if check is None or check.disabled else "defined"


def _restart(w: Workload) -> str:
    policy = w.restart.value
    return policy.name + (f":{policy.max_attempts}" if policy.max_attempts else "")


def _flag(on: str, off: str) -> Callable[[bool], str]:
    return lambda value: on if value else off


# (setting, field name on Workload, how to render a comparable value)
COMPARISONS: tuple[tuple[str, str, Callable[[Workload], str]], ...] = (
    ("user", "user", lambda w: w.user.value or "image default"),
    ("privileged", "privileged", lambda w: _flag("privileged", "unprivileged")(w.privileged.value)),
    (
        "read_only",
        "read_only_rootfs",
        lambda w: _flag("read-only", "writable")(w.read_only_rootfs.value),
    ),
    (
        "no-new-privileges",
        "no_new_privileges",
        lambda w: _flag("set", "not set")(w.no_new_privileges.value),
    ),
    ("cap_add", "cap_add", lambda w: _set(f.value for f in w.cap_add.value)),
    ("cap_drop", "cap_drop", lambda w: _set(f.value for f in w.cap_drop.value)),
    ("seccomp", "seccomp", lambda w: _seccomp_kind(w.seccomp.value)),
    ("network_mode host", "host_network", lambda w: _flag("host", "own")(w.host_network.value)),
    ("pid host", "host_pid", lambda w: _flag("host", "own")(w.host_pid.value)),
    ("ipc host", "host_ipc", lambda w: _flag("host", "own")(w.host_ipc.value)),
    ("uts host", "host_uts", lambda w: _flag("host", "own")(w.host_uts.value)),
    ("userns_mode", "userns", lambda w: w.userns.value or "default"),
    ("memory limit", "memory", lambda w: _bytes(w.memory.value)),
    ("cpus", "cpus", lambda w: "unlimited" if w.cpus.value is None else f"{w.cpus.value:g}"),
    ("pids_limit", "pids", lambda w: "unlimited" if w.pids.value is None else str(w.pids.value)),
    ("devices", "devices", lambda w: _set(f.value for f in w.devices.value)),
    ("ports", "ports", _ports),
    ("mounts", "mounts", _mounts),
    ("healthcheck", "healthcheck", _healthcheck),
    ("restart", "restart", _restart),
)


def compare(declared: Workload, running: Workload) -> tuple[Difference, ...]:
    """Every hardening setting whose running value differs from the declared one."""
    differences = []
    for setting, attribute, render in COMPARISONS:
        want, have = render(declared), render(running)
        if want != have:
            differences.append(Difference(setting, want, have, getattr(declared, attribute)))
    return tuple(differences)


def compose_containers(containers: Sequence[ContainerRecord]) -> list[ContainerRecord]:
    """Containers that carry Compose's project, service and config-file labels."""
    return [c for c in containers if {PROJECT, SERVICE, CONFIG_FILES} <= set(c.labels)]


def drift_cases(
    containers: Sequence[ContainerRecord], images: dict[str, Any] | None = None
) -> tuple[list[DriftCase], list[str]]:
    """Drift of every compose-started container, and notes for projects that could not load."""
    from seawall.errors import ParseError, SourceError
    from seawall.runtime.inspect_adapter import from_inspect
    from seawall.targets.compose import load
    from seawall.workload import from_compose_service

    cases: list[DriftCase] = []
    notes: list[str] = []
    projects: dict[tuple[str, ...], Any] = {}
    for record in compose_containers(containers):
        labels = record.labels
        # compose v1 records file names relative to the project's working_dir label
        base = Path(labels.get(WORKING_DIR) or ".")
        files = tuple(str(base / f) for f in labels[CONFIG_FILES].split(",") if f)
        if files not in projects:
            try:
                projects[files] = load([Path(f) for f in files])
            except (SourceError, ParseError) as exc:
                projects[files] = None
                notes.append(f"drift not checked for project {labels[PROJECT]}: {exc}")
        project = projects[files]
        if project is None:
            continue
        image = (images or {}).get(str(record.inspect.get("Image", "")))
        running = from_inspect(record.inspect, image=image, effective=record.effective)
        service = project.services.get(labels[SERVICE])
        shown = project.compose_files[0]
        if service is None:
            cases.append(
                DriftCase(
                    record.name,
                    labels[SERVICE],
                    labels[PROJECT],
                    None,
                    running,
                    shown,
                    (),
                    dict(project.sources),
                )
            )
            continue
        declared = from_compose_service(service, project)
        cases.append(
            DriftCase(
                record.name,
                labels[SERVICE],
                labels[PROJECT],
                declared,
                running,
                shown,
                compare(declared, running),
                dict(project.sources),
            )
        )
    return cases, notes


def drift_findings(
    containers: Sequence[ContainerRecord], config: Config
) -> tuple[Report, list[str]]:
    """Run the drift rule on every compose-started container; also returns notes to show."""
    from seawall.engine import make_context, run_rules, select_rules
    from seawall.rules._base import TargetKind
    from seawall.rules.host.drift_rule import ComposeDrift

    report = Report()
    rules = [r for r in select_rules(config, TargetKind.DAEMON) if isinstance(r, ComposeDrift)]
    if not rules:
        return report, []
    cases, notes = drift_cases(containers)
    for case in cases:
        ctx = make_context(config, f"container/{case.container}")
        findings, errors = run_rules(rules, case, ctx)
        report.findings.extend(findings)
        report.errors.extend(errors)
        report.sources.update(case.sources)
    if not cases and not notes:
        notes.append("no container started by Compose: nothing to compare")
    return report, notes
