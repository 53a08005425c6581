"""Rewriting a flat Compose network into ``frontend`` and an internal ``backend``.

Who uses whom comes from the service graph (``depends_on``, ``links``, host names in the
environment and command, shared secrets, client images): datastores go on ``backend`` only;
every other service goes on ``frontend``, and also on ``backend`` when it uses a datastore. So
every pair that talks keeps a common network, and an edge service that does not use a datastore
can no longer reach it. ``backend`` is ``internal: true`` (no route out) unless a datastore
publishes ports, which an internal network cannot do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seawall.fixes.compose.service_edit import ServiceEditor, files_of
from seawall.fixes.compose.yamledit import NotEditable, Value, check_block, insert_entry, render
from seawall.model.fix import Edit, Fix
from seawall.parsers.yamldoc import YMap

if TYPE_CHECKING:
    from seawall.compose_graph import ServiceGraph
    from seawall.parsers.compose import ComposeProject

FRONTEND = "frontend"
BACKEND = "backend"


def plan_networks(graph: ServiceGraph) -> dict[str, list[str]]:
    """The networks each service joins."""
    stores = {n for n, s in graph.services.items() if s.datastore}
    plan: dict[str, list[str]] = {}
    for name in graph.services:
        if name in stores:
            plan[name] = [BACKEND]
        elif any(graph.uses(name, store) for store in stores):
            plan[name] = [FRONTEND, BACKEND]
        else:
            plan[name] = [FRONTEND]
    return plan


def segmentation_fix(project: ComposeProject, graph: ServiceGraph, cache: dict[str, Any]) -> Fix:
    """The fix (one per project, cached in ``cache``) that segments the project's network."""
    cached = cache.get("compose_segmentation_fix")
    if isinstance(cached, tuple) and cached[0] is project:
        return cached[1]
    fix = _build(project, graph, cache)
    cache["compose_segmentation_fix"] = (project, fix)
    return fix


def _build(project: ComposeProject, graph: ServiceGraph, cache: dict[str, Any]) -> Fix:
    title = f"split the network into '{FRONTEND}' and an internal '{BACKEND}'"
    for service in project.services.values():
        if service.network_mode is not None or "networks" in service.node:
            return Fix.display_only(
                f"{title} (not applied: service '{service.name}' already chooses its network; "
                "design the networks by hand)"
            )
    if project.inactive_services:
        return Fix.display_only(
            f"{title} (not applied: services of inactive profiles would lose their peers)"
        )
    if not any(s.datastore for s in graph.services.values()):
        return Fix.display_only(f"{title} (not applied: no datastore to isolate)")
    published = sorted(
        n
        for n, s in graph.services.items()
        if s.datastore and any(p.published for p in project.services[n].ports)
    )
    internal = not published
    plan = plan_networks(graph)
    files = files_of(project, cache)
    try:
        edits = [_service_networks(files.editor(name), nets) for name, nets in plan.items()]
        edits.append(_declare(project, files, internal))
    except NotEditable as exc:
        return Fix.display_only(f"{title} (not applied: {exc.reason})")
    if not internal:
        title = (
            f"split the network into '{FRONTEND}' and '{BACKEND}' ('{BACKEND}' not internal: "
            f"{', '.join(published)} publish ports)"
        )
    return Fix.unsafe(title, *edits)


def _service_networks(editor: ServiceEditor, nets: list[str]) -> Edit:
    home = editor.home()
    value: Value = list[Value](nets)
    return insert_entry(
        home.text,
        home.node,
        "networks",
        value,
        home.path,
        home.style,
        f"service '{editor.service}'",
    )


def _declare(project: ComposeProject, files: Any, internal: bool) -> Edit:
    path = project.compose_files[0]
    text = files.text(path)
    style = files.style(path)
    backend: Value = {"internal": "true"} if internal else None
    body: dict[str, Value] = {FRONTEND: None, BACKEND: backend}
    top = files.top(path)
    if top is None:
        raise NotEditable("the top level is not a mapping")
    networks = top.entries.get("networks")
    if networks is None:
        sep = "" if text.endswith("\n") or not text else "\n"
        return Edit.insert(len(text), sep + "networks:" + render(body, 0, style) + "\n", path)
    node = networks.value
    if not isinstance(node, YMap):
        raise NotEditable("the top-level 'networks' is not a block mapping")
    check_block(text, node, "top-level 'networks'")
    if FRONTEND in node.entries or BACKEND in node.entries:
        raise NotEditable(f"networks '{FRONTEND}' or '{BACKEND}' already exist")
    parts = [insert_entry(text, node, k, v, path, style, "networks") for k, v in body.items()]
    return Edit(parts[0].span, "".join(p.content for p in parts), path)
