"""Writing a text file whole or not at all, as every seawall output and fix does."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from seawall.errors import SeawallError


def write_text_atomic(
    path: str | os.PathLike[str], text: str, *, sync: bool = False, what: str = "write"
) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder and a rename.

    Readers see the old file or the new one, never half of one. An existing file keeps its
    permission bits (a fixed Dockerfile stays 0644); a new one gets what ``open`` would give
    (0666 less the umask), not ``mkstemp``'s 0600. A device, pipe or socket (``/dev/stdout``,
    ``/dev/null``) is written in place: renaming over it would replace it with a regular file.
    ``sync`` flushes the data to disk before the rename. Errors are one line: "PATH: cannot WHAT".
    """
    target = Path(path)
    try:
        info: os.stat_result | None = os.stat(target)
    except OSError:
        info = None
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        _write_in_place(target, text, what)
        return
    mode = stat.S_IMODE(info.st_mode) if info is not None else _new_file_mode()
    folder = target.parent if str(target.parent) else Path(".")
    try:
        import tempfile  # only when writing: it pulls in shutil, bz2 and random (~9 ms)

        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SeawallError(f"{target}: cannot {what}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SeawallError(f"{target}: cannot {what}: {exc.strerror or exc}") from None
        raise


def _write_in_place(target: Path, text: str, what: str) -> None:
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise SeawallError(f"{target}: cannot {what}: {exc.strerror or exc}") from None


def _new_file_mode() -> int:
    """The permission bits ``open`` gives a new file: 0666 less the process umask."""
    umask = os.umask(0o022)  # reading the umask means setting it; restored at once
    os.umask(umask)
    return 0o666 & ~umask
