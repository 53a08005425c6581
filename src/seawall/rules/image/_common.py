"""Helpers shared by IMG rules: JSON pointers, root users, secret-looking names and tokens."""

from __future__ import annotations

import weakref

from seawall import secrets
from seawall.image import sensitive
from seawall.image.filesystem import FileEntry, FileSystem, Kind, Removal

_Version = tuple[FileEntry, Removal | None]
# One pass over every file version per image, shared by the six sensitive-file rules.
_BY_CATEGORY: weakref.WeakKeyDictionary[FileSystem, dict[sensitive.Sensitive, list[_Version]]] = (
    weakref.WeakKeyDictionary()
)


def sensitive_versions(fs: FileSystem, category: sensitive.Sensitive) -> list[_Version]:
    """Every version of a file or hard link in ``category``, in any layer (deleted ones too)."""
    grouped = _BY_CATEGORY.get(fs)
    if grouped is None:
        grouped = {}
        for entry, removal in fs.all_versions():
            if entry.kind is Kind.FILE or entry.kind is Kind.HARDLINK:
                found = sensitive.classify(entry.path)
                if found is not None:
                    grouped.setdefault(found, []).append((entry, removal))
        _BY_CATEGORY[fs] = grouped
    return grouped.get(category, [])


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def file_pointer(layer: int, path: str) -> str:
    """``/layers/<n>/files/<path>``: the path is kept readable (its slashes are not escaped)."""
    return f"/layers/{layer}/files/{path}"


def where(entry: FileEntry, removal: Removal | None) -> str:
    """'in layer 2' or 'in layer 2 (deleted in layer 3, still shipped in layer 2)'."""
    text = f"in layer {entry.layer}"
    if removal is not None:
        verb = "deleted" if removal.how in ("whiteout", "opaque") else "overwritten"
        text += f" ({verb} in layer {removal.removed_in}, still shipped in layer {entry.layer})"
    return text


def is_root_user(user: str) -> bool:
    """``""``, ``root``, ``0`` and any ``root:<group>`` / ``0:<group>`` run as uid 0."""
    name = user.strip().split(":", 1)[0]
    return name in ("", "root", "0")


def secret_like_name(name: str) -> bool:
    """Whether an environment / build-arg name looks like it holds a credential."""
    return secrets.is_secret_name(name)


def placeholder(value: str) -> bool:
    """Values that are clearly not secrets: empty, a variable reference, a secret-file path."""
    return not secrets.is_literal_secret_value(value)


def find_tokens(text: str) -> list[str]:
    """Kinds of well-known credential formats present in ``text`` (never the values)."""
    return list(dict.fromkeys(kind.name for kind, _, _ in secrets.find_tokens(text)))
