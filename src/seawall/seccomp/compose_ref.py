"""The compose text edit that makes a service use a profile file: ``security_opt: seccomp=…``.

The edit goes into the file where the service is written, keeps comments and layout (the
``fixes.compose.yamledit`` toolkit), replaces an existing ``seccomp`` option, and otherwise adds
one item to ``security_opt`` (creating the key when absent). The reference is relative to the
compose file's directory and starts with ``./``. docker-compose v1 opens it relative to its
working directory, so run it from the project directory (Compose v2 resolves it against the
project directory itself).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.errors import FixError
from seawall.model.fix import Edit
from seawall.parsers.yamldoc import YScalar, YSeq

if TYPE_CHECKING:
    from seawall.parsers.compose import ComposeProject


def profile_reference(project: ComposeProject, service: str, profile: Path) -> str:
    """``./seccomp/web.json``: the profile path as written in the service's compose file."""
    node = project.services[service].node
    base = project.base_dir(node.origin)
    relative = Path(os.path.relpath(profile.resolve(), base.resolve())).as_posix()
    return relative if relative.startswith("../") else "./" + relative


def security_opt_edit(project: ComposeProject, service: str, profile: Path) -> Edit:
    """The edit adding (or replacing) ``seccomp=<profile>`` in the service's ``security_opt``.

    Raises FixError when the service cannot be edited as text (flow style, merged from another
    file or an anchor); the message says why.
    """
    from seawall.fixes.compose.yamledit import (
        NotEditable,
        append_item,
        detect_style,
        insert_entry,
        quote,
        replace_scalar,
    )

    if service not in project.services:
        raise FixError(f"no service {service!r} in the compose project")
    node = project.services[service].node
    path = node.origin.path
    source = project.sources.get(path)
    if source is None:
        raise FixError(f"service {service!r}: its file {path} was not loaded")
    text = source.text
    option = "seccomp=" + profile_reference(project, service, profile)
    what = f"service {service!r}"
    try:
        style = detect_style(text, project.root if path == project.compose_files[0] else None)
        current = node.get("security_opt")
        if current is None:
            return insert_entry(text, node, "security_opt", [quote(option)], path, style, what)
        if not isinstance(current, YSeq):
            raise NotEditable(f"{what}: security_opt is not a list")
        for item in current.items:
            if isinstance(item, YScalar) and _is_seccomp(item.value):
                return replace_scalar(text, item, option, path, what)
        return append_item(text, current, [quote(option)], path, style, what)
    except NotEditable as exc:
        raise FixError(f"cannot reference the profile in {path}: {exc.reason}") from None


def security_opt_edits(project: ComposeProject, profiles: Mapping[str, Path]) -> list[Edit]:
    """One :func:`security_opt_edit` per service of ``profiles`` (service name → profile file)."""
    return [security_opt_edit(project, name, path) for name, path in sorted(profiles.items())]


def _is_seccomp(value: object) -> bool:
    return isinstance(value, str) and value.replace(":", "=", 1).startswith("seccomp=")
