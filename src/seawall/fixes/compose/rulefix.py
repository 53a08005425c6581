"""The fixes the CR rules attach to their findings on Compose services.

``service_fix(ctx, workload, kind)`` returns the Fix for one kind of hardening, or None when the
workload is not a Compose service (``docker inspect`` workloads have nothing to edit). A fix that
cannot be written as a clean text edit (flow style, anchors, merge keys, interpolation, an image
whose needs are unknown) is returned DISPLAY_ONLY with the reason in its title.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seawall.fixes.compose.image_needs import GENERIC_TMPFS, service_needs
from seawall.fixes.compose.service_edit import ServiceEditor, files_of, scalar_texts
from seawall.fixes.compose.yamledit import NotEditable, quote
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span

if TYPE_CHECKING:
    from seawall.parsers.compose import ComposeProject, ComposeService
    from seawall.rules._base import Context
    from seawall.workload import Workload

LOOPBACK = "127.0.0.1"


def _project(ctx: Context, workload: Workload) -> ComposeProject | None:
    project = ctx.extra.get("compose_project")
    if project is None or workload.kind != "compose-service":
        return None
    if workload.name not in project.services:
        return None
    return project


def guarded(title: str, build: Callable[[], list[Edit]], *, safe: bool = False) -> Fix:
    """A fix from ``build``; DISPLAY_ONLY with the reason when the edit cannot be made."""
    try:
        edits = build()
    except NotEditable as exc:
        return Fix.display_only(f"{title} (not applied: {exc.reason})")
    if not edits:
        return Fix.display_only(f"{title} (nothing to edit)")
    return Fix.safe(title, *edits) if safe else Fix.unsafe(title, *edits)


def service_fix(ctx: Context, workload: Workload, kind: str, **detail: Any) -> Fix | None:
    """The fix of ``kind`` for a Compose service workload, or None for other workloads."""
    project = _project(ctx, workload)
    if project is None:
        return None
    editor = files_of(project, ctx.extra).editor(workload.name)
    service = project.services[workload.name]
    return _KINDS[kind](editor, service, workload, ctx, detail)


# ---------------------------------------------------------------- one function per kind


def _privileged(editor: ServiceEditor, *_: Any) -> Fix:
    def build() -> list[Edit]:
        found = editor.where("privileged")
        if found is not None and len(found[0].node.entries) == 1:
            return [editor.set("privileged", "false")]  # the only key: the mapping must stay
        return [editor.delete("privileged")]

    return guarded("remove 'privileged: true'", build)


def runs_as_root(workload: Workload) -> bool:
    """Whether the service's process starts as root (no user, or a root user)."""
    from seawall.rules.workload._common import is_root_user

    user = workload.user.value
    if user is None:
        return workload.image_user is None or is_root_user(workload.image_user)
    return is_root_user(user)


def privileged_container_ports(service: ComposeService) -> bool:
    """Whether the service listens on a container port below 1024 (published or exposed)."""
    from seawall.parsers.compose_syntax import list_of, scalar_text

    targets = [p.target for p in service.ports]
    targets.extend(scalar_text(e) or "" for e in list_of(service.get("expose"), "expose"))
    for target in targets:
        low = target.split("/", 1)[0].split("-", 1)[0]
        if low.isdigit() and 0 < int(low) < 1024:
            return True
    return False


def needed_caps(service: ComposeService, workload: Workload) -> tuple[list[str], str]:
    """The capabilities to add back after dropping ALL, with why."""
    if not runs_as_root(workload):
        return [], "the service runs as a non-root user"
    needs = service_needs(service.image, service.has_build)
    caps: list[str] = []
    why = []
    if needs is not None:
        caps.extend(needs.caps)
        why.append(needs.caps_reason)
    elif service.has_build or service.image:
        why.append("image not in the known-needs table")
    if privileged_container_ports(service) and "NET_BIND_SERVICE" not in caps:
        caps.append("NET_BIND_SERVICE")
        why.append("it listens on a port below 1024")
    return sorted(caps), "; ".join(why)


def _cap_drop(editor: ServiceEditor, service: ComposeService, workload: Workload, *_: Any) -> Fix:
    caps, why = needed_caps(service, workload)

    def build() -> list[Edit]:
        edits = [editor.put("cap_drop", ["ALL"])]
        if caps:
            current = {c.value for c in workload.cap_add.value}
            missing = [c for c in caps if c not in current]
            found = editor.where("cap_add")
            existing = scalar_texts(found[0].text, found[1].value) if found else []
            edits.extend(editor.add_items("cap_add", existing, missing))
        return edits

    added = f" and add back {', '.join(caps)}" if caps else ""
    reason = f" ({why})" if why else ""
    return guarded(f"drop all capabilities{added}{reason}", build)


def _no_new_privileges(editor: ServiceEditor, *_: Any) -> Fix:
    from seawall.parsers.compose_syntax import list_of, scalar_text

    def build() -> list[Edit]:
        found = editor.where("security_opt")
        if found is not None:
            place, entry = found
            for item in list_of(entry.value, "security_opt"):
                text = (scalar_text(item) or "").replace("=", ":", 1)
                if text.split(":", 1)[0].strip().lower() == "no-new-privileges":
                    from seawall.fixes.compose.yamledit import replace_scalar

                    return [
                        replace_scalar(
                            place.text,
                            item,
                            "no-new-privileges:true",
                            place.path,
                            "security_opt",
                        )
                    ]
            existing = scalar_texts(place.text, entry.value)
            return editor.add_items("security_opt", existing, ["no-new-privileges:true"])
        return editor.add_items("security_opt", [], ["no-new-privileges:true"])

    return guarded("set security_opt no-new-privileges:true", build)


def _read_only(editor: ServiceEditor, service: ComposeService, workload: Workload, *_: Any) -> Fix:
    needs = service_needs(service.image, service.has_build)
    paths = list(needs.tmpfs if needs is not None else GENERIC_TMPFS)
    covered = {m.value.target.rstrip("/") or "/" for m in workload.mounts.value}
    covered.update((t.value.split(":", 1)[0].rstrip("/") or "/") for t in workload.tmpfs.value)
    missing = [p for p in paths if p not in covered]

    def build() -> list[Edit]:
        edits = [editor.set("read_only", "true")]
        found = editor.where("tmpfs")
        existing = scalar_texts(found[0].text, found[1].value) if found else []
        edits.extend(editor.add_items("tmpfs", existing, missing))
        return edits

    where = f" with tmpfs {', '.join(missing)}" if missing else ""
    why = f" ({needs.tmpfs_reason})" if needs is not None else ""
    return guarded(f"make the root filesystem read-only{where}{why}", build)


def _user(editor: ServiceEditor, service: ComposeService, *_: Any) -> Fix:
    needs = service_needs(service.image, service.has_build)
    if needs is None or needs.user is None:
        if needs is not None:
            reason = needs.user_reason
        elif service.has_build:
            reason = "the image is built here: give its Dockerfile a non-root USER"
        else:
            reason = f"image {service.image!r} is not known to support a non-root user"
        return Fix.display_only(f"set 'user:' to an unprivileged UID:GID (not applied: {reason})")
    user = needs.user
    return guarded(
        f"run as user {user!r} ({needs.user_reason})",
        lambda: [editor.set("user", quote(user))],
    )


def _limit(
    editor: ServiceEditor, service: ComposeService, workload: Workload, ctx: Context, detail: Any
) -> Fix:
    from seawall.parsers.yamldoc import YMap

    top_key, deploy_key, value = detail["top_key"], detail["deploy_key"], detail["value"]
    deploy_text = quote(str(value), "'") if deploy_key == "cpus" else str(value)

    def build() -> list[Edit]:
        deploy = editor.value("deploy")
        resources = deploy.get("resources") if isinstance(deploy, YMap) else None
        limits = resources.get("limits") if isinstance(resources, YMap) else None
        if top_key in editor.merged.entries or not isinstance(resources, YMap):
            return [editor.set(top_key, str(value))]
        if isinstance(limits, YMap) and deploy_key in limits.entries:
            return [_deploy_limit(editor, deploy_key, deploy_text)]
        # ``deploy_new`` False (pids): docker-compose 1.x rejects a new limits.pids key.
        if not detail.get("deploy_new", True):
            return [editor.set(top_key, str(value))]
        return [_deploy_limit(editor, deploy_key, deploy_text)]

    return guarded(f"set {top_key} {value}", build)


def _deploy_limit(editor: ServiceEditor, key: str, text: str) -> Edit:
    """Set ``deploy.resources.limits.<key>`` (adding ``limits:`` when it is missing)."""
    from seawall.fixes.compose.yamledit import insert_entry, replace_scalar_text
    from seawall.parsers.yamldoc import YMap, YScalar

    found = editor.where("deploy")
    if found is None:
        raise NotEditable("no 'deploy' in the service's own mapping")
    place, entry = found
    deploy = entry.value
    resources = deploy.get("resources") if isinstance(deploy, YMap) else None
    if not isinstance(resources, YMap):
        raise NotEditable("'deploy.resources' is not a mapping")
    limits = resources.get("limits")
    what = f"service '{editor.service}' deploy.resources"
    if not isinstance(limits, YMap):
        return insert_entry(
            place.text, resources, "limits", {key: text}, place.path, place.style, what
        )
    current = limits.get(key)
    if isinstance(current, YScalar):
        return replace_scalar_text(place.text, current, text, place.path, what)
    return insert_entry(place.text, limits, key, text, place.path, place.style, what)


def _port(
    editor: ServiceEditor, service: ComposeService, workload: Workload, ctx: Context, detail: Any
) -> Fix:
    from seawall.compose_graph import datastore_kind

    location = detail["location"]
    port = next(
        (
            p
            for p in service.ports
            if p.origin.path == location.path and p.origin.span == location.span
        ),
        None,
    )
    if port is None:
        return Fix.display_only(f"publish on {LOOPBACK} (not applied: port not found)")
    if datastore_kind(service) is None:
        return Fix.display_only(
            f"publish on {LOOPBACK} (not applied: binding an internet-facing port to "
            f"{LOOPBACK} makes it unreachable from other machines; choose the interface)"
        )
    return port_fix(editor, port)


def port_fix(editor: ServiceEditor, port: Any) -> Fix:
    """Bind one published port (a PortSpec) to the loopback address."""
    return guarded(
        f"bind published port {port.published}->{port.target} to {LOOPBACK}",
        lambda: [_bind_loopback(editor, port)],
    )


def project_fix(ctx: Context, project: ComposeProject, kind: str, **detail: Any) -> Fix:
    """The fix of a project-wide (DC) finding: ``port`` (service, port) or ``segmentation``."""
    files = files_of(project, ctx.extra)
    if kind == "port":
        return port_fix(files.editor(detail["service"]), detail["port"])
    from seawall.fixes.compose.segmentation import segmentation_fix

    return segmentation_fix(project, detail["graph"], ctx.extra)


def _bind_loopback(editor: ServiceEditor, port: Any) -> Edit:
    from seawall.fixes.compose.yamledit import insert_entry, replace_scalar
    from seawall.parsers.yamldoc import YMap, YScalar, YSeq

    found = editor.where("ports")
    if found is None:
        raise NotEditable("the port is not written in the service's own mapping")
    place, entry = found
    if not isinstance(entry.value, YSeq):
        raise NotEditable("'ports' is not a list")
    for item in entry.value.items:
        if item.origin != port.origin:
            continue
        what = f"service '{editor.service}' port"
        if isinstance(item, YScalar):
            suffix = "" if port.protocol == "tcp" else f"/{port.protocol}"
            written = place.text[item.origin.span.start : item.origin.span.end]
            if written.lower().endswith("/" + port.protocol):
                suffix = "/" + written.rsplit("/", 1)[1].strip("'\"")
            value = f"{LOOPBACK}:{port.published}:{port.target}{suffix}"
            return replace_scalar(place.text, item, value, place.path, what)
        if isinstance(item, YMap) and set(item.entries) <= {"target", "published", "protocol"}:
            # The short form: docker-compose 1.x does not accept host_ip in the long form.
            from seawall.fixes.compose.yamledit import check_block, content_end

            check_block(place.text, item, what)
            suffix = "" if port.protocol == "tcp" else f"/{port.protocol}"
            short = quote(f"{LOOPBACK}:{port.published}:{port.target}{suffix}", '"')
            span = Span(item.origin.span.start, content_end(place.text, item))
            return Edit(span, short, place.path)
        if isinstance(item, YMap):
            host_ip = item.get("host_ip")
            if host_ip is not None:
                return replace_scalar(place.text, host_ip, LOOPBACK, place.path, what)
            return insert_entry(
                place.text, item, "host_ip", LOOPBACK, place.path, place.style, what
            )
    raise NotEditable("the port comes from another file or an anchor")


def _secrets(
    editor: ServiceEditor, service: ComposeService, workload: Workload, ctx: Context, _d: Any
) -> Fix:
    from seawall.fixes.compose.secret_move import move_secrets

    return move_secrets(editor, service, ctx)


_KINDS: dict[str, Callable[..., Fix]] = {
    "privileged": _privileged,
    "cap_drop": _cap_drop,
    "no_new_privileges": _no_new_privileges,
    "read_only": _read_only,
    "user": _user,
    "limit": _limit,
    "port": _port,
    "secrets": _secrets,
}
