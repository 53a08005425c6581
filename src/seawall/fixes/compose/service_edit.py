"""Editing one service of a loaded Compose project: find where each key is written, set it,
add list items, delete it — in the file that holds it.

A service may be written in several files (base and override files). A key is edited where it
is written when that place is the service's own mapping in one of the project's files; a key
that came from a YAML merge key (``<<``), an anchor shared with other services or ``extends``
is not edited (NotEditable, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seawall.fixes.compose.yamledit import (
    NotEditable,
    Style,
    Value,
    append_item,
    check_block,
    delete_entry,
    detect_style,
    insert_entry,
    replace_scalar_text,
    replace_value,
)
from seawall.model.fix import Edit
from seawall.parsers.yamldoc import YEntry, YMap, YNode, YScalar, YSeq

if TYPE_CHECKING:
    from seawall.parsers.compose import ComposeProject


@dataclass(frozen=True)
class Place:
    """A mapping written in one file, with that file's text and style."""

    path: str
    text: str
    node: YMap
    style: Style


class ProjectFiles:
    """The raw (unmerged) parse of each YAML file of a project, cached per project."""

    def __init__(self, project: ComposeProject) -> None:
        self.project = project
        self._roots: dict[str, YNode | None] = {}
        self._styles: dict[str, Style] = {}
        self._editors: dict[str, ServiceEditor] = {}
        # One file without include: the loaded tree is the file's own (same spans), no re-parse.
        if len(project.compose_files) == 1 and "include" not in project.root:
            self._roots[project.compose_files[0]] = project.root

    def root(self, path: str) -> YNode | None:
        """The raw parse of a project file (None when it is not YAML)."""
        if path not in self._roots:
            from seawall.errors import SeawallError
            from seawall.parsers.yamldoc import parse_yaml

            source = self.project.sources.get(path)
            try:
                self._roots[path] = parse_yaml(source) if source is not None else None
            except SeawallError:
                self._roots[path] = None
        return self._roots[path]

    def text(self, path: str) -> str:
        """A project file's text."""
        return self.project.sources[path].text

    def style(self, path: str) -> Style:
        """A file's indentation style."""
        if path not in self._styles:
            self._styles[path] = detect_style(self.text(path), self.root(path))
        return self._styles[path]

    def top(self, path: str) -> YMap | None:
        """A file's top-level mapping."""
        root = self.root(path)
        return root if isinstance(root, YMap) else None

    def editor(self, service: str) -> ServiceEditor:
        """The (cached) editor of one service."""
        found = self._editors.get(service)
        if found is None:
            found = self._editors[service] = ServiceEditor(self, service)
        return found

    def service_places(self, name: str) -> list[Place]:
        """The mappings of service ``name`` in every file of the project, in load order."""
        places = []
        origin = self.project.services[name].node.origin
        paths = list(self.project.compose_files)
        if origin.path not in paths:  # a service of an included file is edited there
            paths.insert(0, origin.path)
        for path in paths:
            top = self.top(path)
            services = top.get("services") if top is not None else None
            node = services.get(name) if isinstance(services, YMap) else None
            if isinstance(node, YMap):
                places.append(Place(path, self.text(path), node, self.style(path)))
        return places


def files_of(project: ComposeProject, cache: dict[str, Any]) -> ProjectFiles:
    """The ProjectFiles of ``project``, kept in ``cache`` (a rule context's ``extra``)."""
    found = cache.get("compose_files")
    if not isinstance(found, ProjectFiles) or found.project is not project:
        found = cache["compose_files"] = ProjectFiles(project)
    return found


class ServiceEditor:
    """Edits to one service's keys."""

    def __init__(self, files: ProjectFiles, service: str) -> None:
        self.files = files
        self.service = service
        self.places = files.service_places(service)
        self.merged = files.project.services[service].node

    def home(self) -> Place:
        """Where new keys go: the service's mapping in the file that defines it."""
        origin = self.merged.origin
        for place in self.places:
            if place.path == origin.path and place.node.origin.span == origin.span:
                self._check_place(place)
                return place
        raise NotEditable(
            f"service '{self.service}' is not written as a mapping of its own; edit it by hand"
        )

    def _check_place(self, place: Place) -> None:
        check_block(place.text, place.node, f"service '{self.service}'")

    def where(self, key: str) -> tuple[Place, YEntry] | None:
        """The place and entry where the effective value of ``key`` is written, None if absent."""
        entry = self.merged.entries.get(key)
        if entry is None:
            return None
        for place in reversed(self.places):
            own = place.node.entries.get(key)
            if own is not None and own.key_origin == entry.key_origin:
                inside = place.node.origin.span
                span = own.key_origin.span
                if not (inside.start <= span.start and span.end <= inside.end):
                    break  # merged in from an anchor (``<<: *x``)
                self._check_place(place)
                return place, own
        raise NotEditable(
            f"service '{self.service}': {key!r} comes from a YAML merge key (<<), an anchor "
            "or extends; edit it where it is defined"
        )

    def value(self, key: str) -> YNode | None:
        """The merged (effective) value of ``key``."""
        return self.merged.get(key)

    # -- edits

    def set(self, key: str, yaml_text: str) -> Edit:
        """Set ``key`` to a scalar written as ``yaml_text`` (replacing or inserting it)."""
        found = self.where(key)
        if found is None:
            home = self.home()
            return insert_entry(
                home.text, home.node, key, yaml_text, home.path, home.style, self._what()
            )
        place, entry = found
        if isinstance(entry.value, YScalar):
            return replace_scalar_text(
                place.text, entry.value, yaml_text, place.path, self._what(key)
            )
        return replace_value(
            place.text, place.node, key, yaml_text, place.path, place.style, self._what(key)
        )

    def put(self, key: str, value: Value) -> Edit:
        """Set ``key`` to a rendered value (list or mapping), replacing or inserting it."""
        found = self.where(key)
        if found is None:
            home = self.home()
            return insert_entry(
                home.text, home.node, key, value, home.path, home.style, self._what()
            )
        place, _entry = found
        return replace_value(
            place.text, place.node, key, value, place.path, place.style, self._what(key)
        )

    def add_items(self, key: str, existing: list[str], missing: list[str]) -> list[Edit]:
        """Make list ``key`` hold ``missing`` too: append to a block list, otherwise rewrite it
        as a block list of ``existing + missing`` (``existing`` are YAML texts of its items)."""
        if not missing:
            return []
        found = self.where(key)
        if found is None:
            home = self.home()
            return [
                insert_entry(
                    home.text,
                    home.node,
                    key,
                    list[Value](missing),
                    home.path,
                    home.style,
                    self._what(),
                )
            ]
        place, entry = found
        node = entry.value
        if isinstance(node, YSeq) and not node.flow:
            return [
                append_item(place.text, node, missing, place.path, place.style, self._what(key))
            ]
        return [
            replace_value(
                place.text,
                place.node,
                key,
                list[Value]([*existing, *missing]),
                place.path,
                place.style,
                self._what(key),
            )
        ]

    def delete(self, key: str) -> Edit:
        """Delete ``key`` where it is written."""
        found = self.where(key)
        if found is None:
            raise NotEditable(f"service '{self.service}': no {key!r} to delete")
        place, _entry = found
        return delete_entry(place.text, place.node, key, place.path, self._what(key))

    def _what(self, key: str | None = None) -> str:
        return f"service '{self.service}'" + (f" {key!r}" if key else "")


def scalar_texts(text: str, node: YNode | None) -> list[str]:
    """The YAML texts of a list's scalar items (or of a single scalar), as written."""
    if node is None:
        return []
    items = node.items if isinstance(node, YSeq) else (node,)
    out = []
    for item in items:
        if not isinstance(item, YScalar):
            raise NotEditable("the list holds a mapping item")
        out.append(text[item.origin.span.start : item.origin.span.end])
    return out
