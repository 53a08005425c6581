"""Reading target files safely: size cap, binary detection, UTF-8, clear one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

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
            # Read what fstat announced (asking for the 5 MiB cap each time made Python allocate
            # and release 5 MiB per file: 40 us); a file that grew after the fstat, a device or a
            # pipe (size 0) is read on, still bounded by the cap.
            data = stream.read(size + 1)
            if len(data) > size:
                data += stream.read(max_bytes + 1 - len(data))
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
