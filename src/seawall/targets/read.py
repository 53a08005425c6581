"""Reading target files safely: size cap, binary detection, UTF-8, clear one-line errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from seawall.errors import SourceError
from seawall.model.source import SourceFile

MAX_TEXT_BYTES = 5 * 1024 * 1024


def display_path(path: Path, root: Path | None = None) -> str:
    """The path shown to users: relative to ``root`` (or the cwd) when inside it, forward slashes."""
    base = root or os.getcwd()
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        rel = str(path)
    if rel.startswith(".."):
        rel = str(path)
    return rel.replace(os.sep, "/")


def read_bounded(stream: BinaryIO, announced: int, cap: int) -> bytes:
    """All of ``stream``, but never more than ``cap + 1`` bytes (the caller refuses more than ``cap``).

    It asks for the size ``stat`` announced, not for the cap: Python allocates what a read asks
    for, and asking for the cap cost an allocation of megabytes per file. A file that grew since,
    a device or a pipe (size 0) is read on, still bounded.
    """
    data = stream.read(min(announced, cap) + 1)
    if len(data) > announced:
        data += stream.read(cap + 1 - len(data))
    return data


def read_text_file(path: Path, shown: str, max_bytes: int = MAX_TEXT_BYTES) -> SourceFile:
    """Read a text target or raise SourceError with a one-line reason."""
    try:
        with open(path, "rb") as stream:  # one open and one fstat: this runs for every target
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:
                raise SourceError(
                    shown,
                    f"file too large ({size / 1048576:.1f} MiB; limit {max_bytes // 1048576} MiB)",
                )
            data = read_bounded(stream, size, max_bytes)
        if len(data) > max_bytes:  # grew after the fstat
            raise SourceError(shown, f"file too large (limit {max_bytes // 1048576} MiB)")
    except SourceError:
        raise
    except IsADirectoryError:
        raise SourceError(shown, "is a directory") from None
    except PermissionError:
        raise SourceError(shown, "permission denied") from None
    except FileNotFoundError:
        raise SourceError(shown, "no such file") from None
    except OSError as exc:
        raise SourceError(shown, f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in data[:65536]:
        raise SourceError(shown, "binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(shown, f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    return SourceFile(shown, text)
