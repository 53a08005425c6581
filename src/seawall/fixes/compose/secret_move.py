"""Moving literal secrets out of a service's ``environment`` into Compose secrets.

For each literal secret ``NAME`` the image reads as ``NAME_FILE`` (from the known-images table):
the variable becomes ``NAME_FILE: /run/secrets/<service>_<name>``, the service lists the secret,
the top-level ``secrets:`` declares it with ``file: ./<service>_<name>.secret``, and the value goes
into that new file (mode 0600; the plan lists it in ``.gitignore``). The value is never shown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from seawall.fixes.compose.image_needs import service_needs
from seawall.fixes.compose.yamledit import (
    NotEditable,
    Value,
    check_block,
    content_end,
    insert_entry,
    render,
    replace_scalar,
)
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.yamldoc import YMap, YNode, YScalar, YSeq

if TYPE_CHECKING:
    from seawall.fixes.compose.service_edit import Place, ServiceEditor
    from seawall.parsers.compose import ComposeService, EnvVar
    from seawall.rules._base import Context

SECRET_FILE_MODE = 0o600
_UNSAFE_NAME = re.compile(r"[^a-z0-9_.-]+")


def _secret_name(service: str, var: str) -> str:
    return _UNSAFE_NAME.sub("_", f"{service}_{var}".lower()).strip("._-") or "secret"


def _variable_node(env: YNode, name: str) -> tuple[str, YNode] | None:
    """("map", value) or ("list", item) for ``name`` in a raw environment node."""
    if isinstance(env, YMap):
        entry = env.entries.get(name)
        return ("map", entry.value) if entry is not None else None
    if isinstance(env, YSeq):
        for item in env.items:
            if isinstance(item, YScalar) and str(item.value).split("=", 1)[0].strip() == name:
                return "list", item
    return None


def move_secrets(editor: ServiceEditor, service: ComposeService, ctx: Context) -> Fix:
    """The fix moving every movable literal secret of ``service`` (one fix per service)."""
    from seawall.rules.workload._common import secret_kind

    title = f"move literal secrets of service '{service.name}' into Compose secrets files"
    needs = service_needs(service.image, service.has_build)
    literal = [
        v for v in service.environment if secret_kind(v.name, v.value) and v.source == "environment"
    ]
    if not literal:
        return Fix.display_only(f"{title} (not applied: the values come from env_file files)")
    if needs is None or not needs.file_env:
        image = "the image built here" if service.has_build else f"image {service.image!r}"
        return Fix.display_only(
            f"{title} (not applied: {image} is not known to read *_FILE variables; the "
            "application must read the secret file)"
        )
    movable = [v for v in literal if v.name in needs.file_env]
    if not movable:
        return Fix.display_only(f"{title} (not applied: the image reads no *_FILE for these)")
    try:
        edits = _edits(editor, service, movable)
    except NotEditable as exc:
        return Fix.display_only(f"{title} (not applied: {exc.reason})")
    names = ", ".join(v.name for v in movable)
    return Fix.unsafe(
        f"move {names} of service '{service.name}' into Compose secrets "
        "(new files mode 0600, listed in .gitignore)",
        *edits,
    )


def _edits(editor: ServiceEditor, service: ComposeService, movable: list[EnvVar]) -> list[Edit]:
    project = editor.files.project
    found = editor.where("environment")
    if found is None:
        raise NotEditable("'environment' is not written in the service's own mapping")
    place, env_entry = found
    check_block(place.text, env_entry.value, "environment")
    env_names = {v.name for v in service.environment}
    edits: list[Edit] = []
    declared: dict[str, str] = {}
    for var in movable:
        name = _secret_name(service.name, var.name)
        if name in project.secrets or f"{var.name}_FILE" in env_names:
            raise NotEditable(f"secret {name!r} or {var.name}_FILE already exists")
        located = _variable_node(env_entry.value, var.name)
        if located is None:
            raise NotEditable(f"{var.name} is not written in the service's own environment")
        form, node = located
        target = f"/run/secrets/{name}"
        if form == "list":
            edits.append(
                replace_scalar(place.text, node, f"{var.name}_FILE={target}", place.path, var.name)
            )
        else:
            assert isinstance(env_entry.value, YMap)
            key_origin = env_entry.value.entries[var.name].key_origin
            if (
                not isinstance(node, YScalar)
                or "\n" in place.text[key_origin.span.start : node.origin.span.end]
            ):
                raise NotEditable(f"{var.name} is not a one-line value")
            edits.append(
                Edit(
                    Span(key_origin.span.start, content_end(place.text, node)),
                    f"{var.name}_FILE: {target}",
                    place.path,
                )
            )
        file_name = f"{name}.secret"
        new_path = project.base_dir(var.origin) / file_name
        if new_path.exists():
            raise NotEditable(f"{new_path} already exists")
        edits.append(Edit(Span(0, 0), var.value, str(new_path), SECRET_FILE_MODE, sensitive=True))
        declared[name] = f"./{file_name}"
    edits.extend(_service_list(editor, list(declared)))
    edits.append(_top_level(editor, place, declared))
    return edits


def _service_list(editor: ServiceEditor, names: list[str]) -> list[Edit]:
    from seawall.fixes.compose.service_edit import scalar_texts

    found = editor.where("secrets")
    existing: list[str] = []
    if found is not None and not (isinstance(found[1].value, YSeq) and not found[1].value.flow):
        existing = scalar_texts(found[0].text, found[1].value)
    return editor.add_items("secrets", existing, names)


def _top_level(editor: ServiceEditor, place: Place, declared: dict[str, str]) -> Edit:
    files = editor.files
    top = files.top(place.path)
    if top is None:
        raise NotEditable("the file's top level is not a mapping")
    body: dict[str, Value] = {name: {"file": path} for name, path in declared.items()}
    secrets = top.entries.get("secrets")
    if secrets is None:
        text = place.text
        sep = "" if text.endswith("\n") or not text else "\n"
        return Edit.insert(
            len(text), sep + "secrets:" + render(body, 0, place.style) + "\n", place.path
        )
    if not isinstance(secrets.value, YMap):
        raise NotEditable("the top-level 'secrets' is not a block mapping")
    check_block(place.text, secrets.value, "top-level 'secrets'")
    parts = [
        insert_entry(place.text, secrets.value, name, value, place.path, place.style, "secrets")
        for name, value in body.items()
    ]
    return Edit(parts[0].span, "".join(p.content for p in parts), place.path)
