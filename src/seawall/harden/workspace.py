"""A temporary copy of the project folder where fixes are applied and verified before the
originals are touched, and the all-or-nothing copy back."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from seawall.errors import FixError, SeawallError, SourceError

# Tooling state never needed to build or run the project; copying .git could be large.
SKIPPED = (".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")


@dataclass(frozen=True)
class FileChange:
    """One file the hardening changes: ``original`` None means the file is created."""

    path: str  # relative to the project folder, forward slashes
    original: str | None
    fixed: str
    mode: int | None = None  # permission bits for a created file


class Workspace:
    """A copy of ``original`` under a temporary folder (same folder name, so the Compose project
    name and relative paths stay the same); removed on close."""

    def __init__(self, original: Path) -> None:
        self.original = original.resolve()
        self._tmp = Path(tempfile.mkdtemp(prefix="seawall-harden-"))
        self.root = self._tmp / self.original.name
        try:
            shutil.copytree(
                self.original,
                self.root,
                symlinks=False,  # a link to outside must not let a fix write through to it
                ignore=shutil.ignore_patterns(*SKIPPED),
                ignore_dangling_symlinks=True,
            )
            _make_writable(self.root)
        except (OSError, shutil.Error) as exc:
            self.close()
            raise SourceError(
                str(original), f"cannot copy the project folder: {_reason(exc)}"
            ) from None

    def path(self, relative: str) -> Path:
        """The workspace copy of a project-relative path."""
        return self.root / relative

    def read(self, relative: str) -> str | None:
        """The text of a workspace file (None when absent)."""
        try:
            return self.path(relative).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, relative: str, text: str) -> None:
        """Replace a workspace file's text."""
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def remove(self, relative: str) -> None:
        """Delete a workspace file if present."""
        with contextlib.suppress(FileNotFoundError):
            self.path(relative).unlink()

    def close(self) -> None:
        """Remove the temporary folder."""
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _make_writable(root: Path) -> None:
    """Give the owner write access throughout the copy: a read-only original must not stop the
    fixes in the workspace (writing it back is refused in :func:`commit`)."""
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and not mode & stat.S_IWUSR:
                os.chmod(path, stat.S_IMODE(mode) | stat.S_IWUSR)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
        first = exc.args[0][0] if exc.args[0] else ("?", "?", "?")
        return f"{first[0]}: {first[2]}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def commit(root: Path, changes: list[FileChange]) -> None:
    """Write every change into the project folder ``root``, all or nothing.

    A file that changed on disk since it was read stops everything before anything is written;
    a failing write restores the files already written. A symlinked file is written through
    its link (the link stays). Existing files keep their permission bits.
    """
    from seawall.atomic import write_text_atomic

    targets: list[tuple[FileChange, Path, int | None]] = []
    for change in changes:
        target = (root / change.path).resolve()
        current = _current_text(target)
        if current != change.original:
            raise FixError(f"{change.path}: changed on disk while hardening; nothing written")
        if change.original is not None and not target.stat().st_mode & 0o222:
            raise FixError(f"{change.path}: the file is read-only; nothing written")
        mode = stat.S_IMODE(target.stat().st_mode) if change.original is not None else change.mode
        targets.append((change, target, mode))
    written: list[tuple[FileChange, Path, int | None]] = []
    try:
        for change, target, mode in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(target, change.fixed)
            written.append((change, target, mode))
            if mode is not None:
                os.chmod(target, mode)
    except (OSError, SeawallError) as exc:
        for change, target, mode in reversed(written):
            with contextlib.suppress(OSError, SeawallError):
                if change.original is None:
                    target.unlink()
                else:
                    write_text_atomic(target, change.original)
                    if mode is not None:
                        os.chmod(target, mode)
        if isinstance(exc, SeawallError):
            raise FixError(f"cannot write hardened files (nothing changed): {exc}") from None
        raise FixError(f"cannot write hardened files (nothing changed): {_reason(exc)}") from None


def _current_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"cannot read: {_reason(exc)}") from None
