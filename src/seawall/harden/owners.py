"""Which service a finding belongs to: by where it is written in a Compose file, or by the
Dockerfile a service builds from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.harden.score import PROJECT
from seawall.model.finding import Finding

if TYPE_CHECKING:
    from seawall.parsers.compose import ComposeProject, ComposeService


@dataclass(frozen=True)
class Ownership:
    """Services of a project, the text regions each is written in, and the Dockerfiles they build.

    Paths are display paths (relative to the project folder).
    """

    services: tuple[str, ...] = ()
    regions: Mapping[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)
    dockerfiles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def owners(self, finding: Finding) -> tuple[str, ...]:
        """The services a finding belongs to (``(project)`` when none)."""
        path = finding.location.path
        if path in self.dockerfiles:
            return self.dockerfiles[path]
        span = finding.location.span
        if span is not None:
            for start, end, service in self.regions.get(path, ()):
                if start <= span.start < end:
                    return (service,)
        return (PROJECT,)

    def group(self, findings: list[Finding]) -> dict[str, list[Finding]]:
        """Findings by owner; a finding in a shared Dockerfile counts for every service using it."""
        grouped: dict[str, list[Finding]] = {}
        for finding in findings:
            for owner in self.owners(finding):
                grouped.setdefault(owner, []).append(finding)
        return grouped


def ownership(project: ComposeProject, root: Path, prefix: str = "") -> Ownership:
    """Build the ownership map of a loaded project; display paths are relative to ``root``;
    service names get ``prefix`` (to tell projects apart when several are hardened together)."""
    from seawall.parsers.yamldoc import YMap, parse_yaml
    from seawall.targets.read import display_path

    regions: dict[str, tuple[tuple[int, int, str], ...]] = {}
    for shown, source in project.sources.items():
        doc = parse_yaml(source)
        services = doc.get("services") if isinstance(doc, YMap) else None
        if not isinstance(services, YMap):
            continue
        regions[shown] = tuple(
            (entry.key_origin.span.start, entry.value.origin.span.end, prefix + name)
            for name, entry in services.entries.items()
            if name in project.services
        )
    dockerfiles: dict[str, tuple[str, ...]] = {}
    for name, service in project.services.items():
        path = dockerfile_of(project, service)
        if path is not None:
            shown = display_path(path, root)
            dockerfiles[shown] = (*dockerfiles.get(shown, ()), prefix + name)
    return Ownership(tuple(prefix + s for s in project.services), regions, dockerfiles)


def dockerfile_of(project: ComposeProject, service: ComposeService) -> Path | None:
    """The local Dockerfile a service builds from (None: no build, remote or inline)."""
    from seawall.parsers.compose_syntax import scalar_text
    from seawall.parsers.yamldoc import YMap, YScalar

    node = service.get("build")
    if isinstance(node, YScalar):
        context_text, name, origin = scalar_text(node), None, node.origin
    elif isinstance(node, YMap):
        context_node = node.get("context")
        context_text = scalar_text(context_node) if context_node is not None else None
        name = scalar_text(node.get("dockerfile"))
        if node.get("dockerfile_inline") is not None:
            return None
        origin = context_node.origin if context_node is not None else node.origin
    else:
        return None
    context = context_text or "."
    if "://" in context or context.startswith(("git@", "github.com/")):
        return None
    folder = project.base_dir(origin) / context
    dockerfile = Path(name or "Dockerfile")
    return dockerfile if dockerfile.is_absolute() else folder / dockerfile
