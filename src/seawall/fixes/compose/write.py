"""Writing a fix plan: every file or none.

Each file is checked first (unchanged on disk since it was read, writable, new files still
absent), then written through a temporary file in its own folder and renamed over it, keeping
its permission bits; a symlinked compose file is written at its target so the link stays. If any
step fails, files already written are restored and files already created are removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from seawall.errors import FixError
from seawall.fixes.compose.plan import ComposeFixPlan, FileChange


def _check(change: FileChange) -> int:
    """The mode to write ``change`` with, after checking the file is as the plan expects."""
    if change.created:
        if os.path.lexists(change.path):
            raise FixError(f"{change.display}: appeared on disk while fixing; nothing written")
        assert change.mode is not None
        return change.mode
    try:
        info = change.path.stat()
        current = change.path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FixError(f"{change.display}: removed while fixing; nothing written") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FixError(f"{change.display}: cannot read: {exc}") from None
    if current.replace("\r\n", "\n") != (change.original or "").replace("\r\n", "\n"):
        raise FixError(f"{change.display}: changed on disk while fixing; nothing written")
    if not info.st_mode & 0o222 or not os.access(change.path, os.W_OK):
        raise FixError(f"{change.display}: the file is read-only; nothing written")
    return stat.S_IMODE(info.st_mode)


def _replace(path: Path, text: str, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_plan(plan: ComposeFixPlan) -> None:
    """Write every change of ``plan`` atomically, or leave every file as it was (FixError)."""
    modes = [_check(change) for change in plan.changes]
    done: list[tuple[FileChange, int]] = []
    try:
        for change, mode in zip(plan.changes, modes, strict=True):
            _check(change)  # again, just before the rename: the window stays as small as it can
            _replace(change.path, change.fixed, mode)
            done.append((change, mode))
    except (OSError, FixError) as exc:
        for change, mode in reversed(done):
            with contextlib.suppress(OSError):
                if change.original is None:
                    change.path.unlink()
                else:
                    _replace(change.path, change.original, mode)
        if isinstance(exc, FixError):
            raise
        where = getattr(exc, "filename", None) or "a file"
        raise FixError(f"cannot write fixes ({where}: {exc.strerror}); nothing written") from None
