"""The merged filesystem view of an image: layers applied in order with OCI whiteout semantics.

Every path remembers the layer that wrote its current version; versions removed by a later
layer (whiteout, opaque directory, or being overwritten) are kept as :class:`Removal` records so
that rules can report secrets that are deleted from the final view but still shipped in a layer.
Paths are normalized with chroot semantics (``..`` never climbs above the root) and nothing here
touches the host filesystem.
"""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple


class Kind(Enum):
    """What a filesystem entry is."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char-device"
    BLOCK = "block-device"
    FIFO = "fifo"


class FileEntry(NamedTuple):
    """One path as written by one layer. ``path`` has no leading slash; ``layer`` is 0-based.

    An immutable NamedTuple rather than a frozen dataclass: one is built per tar entry, and a
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field) cost 5x as much.
    """

    path: str
    kind: Kind
    mode: int
    size: int
    uid: int
    gid: int
    link: str
    layer: int

    @property
    def setuid(self) -> bool:
        """Regular file with the set-user-id bit."""
        return self.kind is Kind.FILE and bool(self.mode & stat.S_ISUID)

    @property
    def setgid(self) -> bool:
        """Regular file with the set-group-id bit."""
        return self.kind is Kind.FILE and bool(self.mode & stat.S_ISGID)

    @property
    def world_writable(self) -> bool:
        """Writable by any user (symlinks are always 0777 and do not count)."""
        return self.kind in (Kind.FILE, Kind.DIR) and bool(self.mode & stat.S_IWOTH)

    @property
    def sticky(self) -> bool:
        """The restricted-deletion (sticky) bit."""
        return bool(self.mode & stat.S_ISVTX)

    @property
    def executable(self) -> bool:
        """Any execute bit on a regular file."""
        return self.kind is Kind.FILE and bool(self.mode & 0o111)


@dataclass(frozen=True, slots=True)
class Removal:
    """A version of a path hidden from the final view by layer ``removed_in`` (still shipped)."""

    entry: FileEntry
    removed_in: int
    how: str  # "whiteout" | "opaque" | "overwritten"


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something a well-formed layer does not contain: traversal, absolute paths, devices…"""

    layer: int
    name: str
    kind: str  # "absolute-path" | "path-traversal" | "link-escapes-root" | "device" | ...
    detail: str


def normalize(name: str) -> tuple[str, bool]:
    """Normalize a tar member name; returns the path and whether ``..`` tried to leave the root."""
    # Fast path for the usual "./usr/bin/" form: no empty, "." or ".." part left after
    # dropping the leading "./" and one trailing "/" (no part may start with a dot).
    clean = name[2:] if name.startswith("./") else name
    if clean.endswith("/"):
        clean = clean[:-1]
    if (
        clean
        and clean[0] not in "./"
        and "/." not in clean
        and "//" not in clean
        and not clean.endswith("/")
    ):
        return clean, False
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


def link_escapes_root(path: str, target: str) -> bool:
    """Whether a relative symlink target climbs above the root from ``path``'s directory."""
    if target.startswith("/"):
        return False
    depth = len(posixpath.dirname(path).split("/")) if posixpath.dirname(path) else 0
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


@dataclass
class LayerDelta:
    """What one layer tar contained, before it is applied on the layers below."""

    index: int
    entries: dict[str, FileEntry] = field(default_factory=dict)
    whiteouts: set[str] = field(default_factory=set)
    opaque_dirs: set[str] = field(default_factory=set)
    captured: dict[str, Any] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)


class FileSystem:
    """The merged view of all layers applied so far."""

    def __init__(self, max_symlink_hops: int = 40) -> None:
        self._entries: dict[str, FileEntry] = {}
        self._children: dict[str, set[str]] = {}
        self._captured: dict[tuple[int, str], Any] = {}
        self.removed: list[Removal] = []
        self.anomalies: list[Anomaly] = []
        self.layer_count = 0
        self._max_hops = max_symlink_hops

    # -- building -------------------------------------------------------------------------

    def apply(self, delta: LayerDelta) -> None:
        """Apply one layer on top: opaque dirs and whiteouts first (they hide lower layers only)."""
        layer = delta.index
        for directory in sorted(delta.opaque_dirs):
            for child in sorted(self._children.get(directory, ())):
                self._remove_tree(child, layer, "opaque")
        for path in sorted(delta.whiteouts):
            self._remove_tree(path, layer, "whiteout")
        for path in sorted(delta.entries):
            self._add(delta.entries[path])
        for path, value in delta.captured.items():
            self._captured[(layer, path)] = value
        self.anomalies.extend(delta.anomalies)
        self.layer_count = max(self.layer_count, layer + 1)

    def _add(self, entry: FileEntry) -> None:
        path = entry.path
        # A lower-layer regular file where this layer needs a directory is replaced by it. An
        # existing directory ancestor ends the walk: its own ancestors were checked when added.
        ancestor = path.rpartition("/")[0]
        while ancestor:
            lower = self._entries.get(ancestor)
            if lower is not None:
                if lower.kind is Kind.DIR:
                    break
                if lower.kind is not Kind.SYMLINK:
                    self._remove_tree(ancestor, entry.layer, "overwritten")
            ancestor = ancestor.rpartition("/")[0]
        old = self._entries.get(path)
        if old is not None:
            if old.kind is Kind.DIR and entry.kind is Kind.DIR:
                self._entries[path] = entry  # new metadata, children stay
                return
            self._remove_tree(path, entry.layer, "overwritten")
        elif entry.kind is not Kind.DIR:
            # An implicit directory (children but no entry of its own) replaced by a non-directory.
            for child in sorted(self._children.get(path, ())):
                self._remove_tree(child, entry.layer, "overwritten")
        self._entries[path] = entry
        self._link_parent(path)

    def _link_parent(self, path: str) -> None:
        while True:
            parent = path.rpartition("/")[0]
            siblings = self._children.setdefault(parent, set())
            if path in siblings:
                return
            siblings.add(path)
            if not parent:
                return
            path = parent

    def _remove_tree(self, path: str, layer: int, how: str) -> None:
        stack = [path]
        while stack:
            current = stack.pop()
            stack.extend(self._children.pop(current, ()))
            entry = self._entries.pop(current, None)
            if entry is not None:
                self.removed.append(Removal(entry, layer, how))
        parent = self._children.get(posixpath.dirname(path))
        if parent is not None:
            parent.discard(path)

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[FileEntry]:
        return iter(self._entries.values())

    def get(self, path: str) -> FileEntry | None:
        """The entry at ``path`` in the final view, without following symlinks."""
        return self._entries.get(normalize(path)[0])

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists after following symlinks."""
        resolved = self.resolve(path)
        return resolved is not None and (resolved == "" or resolved in self._entries)

    def children(self, path: str) -> list[str]:
        """Paths directly below ``path`` in the final view."""
        return sorted(self._children.get(normalize(path)[0], ()))

    def resolve(self, path: str) -> str | None:
        """Follow symlinks inside the image root (chroot semantics); None on a loop."""
        pending = [p for p in reversed(path.split("/"))]
        resolved: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = "/".join([*resolved, part])
            entry = self._entries.get(candidate)
            if entry is not None and entry.kind is Kind.SYMLINK:
                hops += 1
                if hops > self._max_hops:
                    return None
                if entry.link.startswith("/"):
                    resolved = []
                pending.extend(reversed(entry.link.split("/")))
                continue
            resolved.append(part)
        return "/".join(resolved)

    def lookup(self, path: str) -> FileEntry | None:
        """The entry at ``path`` after following symlinks (and hard links to their target)."""
        resolved = self.resolve(path)
        if not resolved:
            return None
        entry = self._entries.get(resolved)
        if entry is not None and entry.kind is Kind.HARDLINK:
            return self._entries.get(normalize(entry.link)[0], entry)
        return entry

    def content(self, path: str) -> Any:
        """What was captured from the final version of ``path`` (bytes, parsed data) or None."""
        resolved = self.resolve(path)
        if not resolved:
            return None
        entry = self._entries.get(resolved)
        if entry is None:
            return None
        return self._captured.get((entry.layer, resolved))

    def content_at(self, layer: int, path: str) -> Any:
        """What was captured from ``path`` as layer ``layer`` wrote it, or None."""
        return self._captured.get((layer, path))

    def captured_paths(self) -> Iterator[tuple[int, str]]:
        """Every (layer, path) with captured content, in layer order."""
        return iter(sorted(self._captured))

    def all_versions(self) -> Iterator[tuple[FileEntry, Removal | None]]:
        """Every version of every path ever written: the final ones, then the removed ones."""
        for entry in self._entries.values():
            yield entry, None
        for removal in self.removed:
            yield removal.entry, removal
