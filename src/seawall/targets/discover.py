"""Walking paths to find what to check: Dockerfiles and Compose files."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

from seawall.targets.dockerfile import is_dockerfile_name

# Folders that hold tooling state or third-party code, never a project's own container files.
# Hidden folders such as .devcontainer are walked on purpose.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".terraform",
    }
)
COMPOSE_PATTERNS = (
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
    "compose.*.yaml",
    "compose.*.yml",
    "docker-compose.*.yaml",
    "docker-compose.*.yml",
    "docker-compose-*.yaml",
    "docker-compose-*.yml",
    # The other variant spellings the Compose loader groups (parsers.compose.is_compose_name).
    "compose-*.yaml",
    "compose-*.yml",
    "compose_*.yaml",
    "compose_*.yml",
    "docker-compose_*.yaml",
    "docker-compose_*.yml",
)


def is_compose_name(name: str) -> bool:
    """Whether a file name is a Compose file by convention."""
    if "compose" not in name or not name.endswith((".yaml", ".yml")):
        return False  # every pattern has both: most names are ruled out without fnmatch
    return any(fnmatch.fnmatchcase(name, p) for p in COMPOSE_PATTERNS)


class Discovered:
    """Targets found under the given paths, in a stable order."""

    __slots__ = ("compose_files", "dockerfiles", "missing")

    def __init__(self) -> None:
        self.dockerfiles: list[Path] = []
        self.compose_files: list[Path] = []
        self.missing: list[Path] = []


def _walk_files(top: str) -> Iterator[tuple[str, str]]:
    """(folder, file name) of every non-folder entry under ``top``, in sorted pre-order.

    Folders in SKIP_DIRS and symbolic links to folders are not entered; unreadable folders are
    skipped. ``os.walk`` gives the same order but costs an ``lstat`` per folder to spot links,
    which ``scandir`` entries already know.
    """
    try:
        with os.scandir(top) as listing:
            entries = sorted(listing, key=_entry_name)
    except OSError:
        return
    folders: list[str] = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if not is_folder:
            yield top, entry.name
        elif entry.name not in SKIP_DIRS and not entry.is_symlink():
            folders.append(entry.path)
    for folder in folders:
        yield from _walk_files(folder)


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _excluded(path: Path, exclude: tuple[str, ...]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) for p in exclude)


def discover(
    paths: list[Path], *, forced_type: str | None = None, exclude: tuple[str, ...] = ()
) -> Discovered:
    """Find targets. Explicit files are always taken (typed by name or ``forced_type``)."""
    found = Discovered()

    def list_for(name: str, explicit: bool) -> list[Path] | None:
        """Where a file of this name goes, or None; a walk decides before building any Path."""
        if forced_type == "dockerfile":
            return found.dockerfiles if explicit or is_dockerfile_name(name) else None
        if forced_type == "compose":
            return found.compose_files if explicit or is_compose_name(name) else None
        if is_compose_name(name):
            return found.compose_files
        if is_dockerfile_name(name):
            return found.dockerfiles
        if explicit:
            return found.compose_files if name.endswith((".yaml", ".yml")) else found.dockerfiles
        return None

    for path in paths:
        if not path.exists() and not path.is_symlink():
            found.missing.append(path)
            continue
        if path.is_dir():
            for root, name in _walk_files(os.fspath(path)):
                wanted = list_for(name, explicit=False)
                if wanted is None:
                    continue
                candidate = Path(os.path.join(root, name))
                if exclude and _excluded(candidate, exclude):
                    continue
                wanted.append(candidate)
        else:
            wanted = list_for(path.name, explicit=True)  # never None for an explicit file
            if wanted is not None:
                wanted.append(path)
    return found
