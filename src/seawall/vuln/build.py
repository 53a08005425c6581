"""Atomic database builds: a lock, a temporary file beside the live one, and ``os.replace``.

A failed or interrupted build leaves the previous database exactly as it was; a second build
started while one runs fails at once instead of waiting.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from seawall.vuln.db import Writer, utcnow
from seawall.vuln.errors import CorruptDatabaseError, ImportFailed


@contextmanager
def building(
    db_path: Path, *, fresh: bool, now: datetime | None = None, rebuild_corrupt: bool = False
) -> Iterator[Writer]:
    """Yield a ``Writer`` on a temporary copy (or a new file when ``fresh``); publish on success.

    With ``rebuild_corrupt`` a live file that is not a readable database starts a new one
    (``Writer.replaced_corrupt`` is then True); otherwise that is a ``CorruptDatabaseError``.
    """
    folder = db_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / f".{db_path.name}.lock", "w")  # noqa: SIM115 - held for the build
    except OSError as exc:
        raise ImportFailed(f"{db_path}: cannot write the database folder: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ImportFailed(f"{db_path}: another import or update is running") from None
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{db_path.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # sqlite creates the file itself
        writer = None
        try:
            if fresh or not db_path.exists():
                writer = Writer.create(tmp)
            else:
                try:
                    writer = Writer.copy_of(db_path, tmp)
                except CorruptDatabaseError:
                    if not rebuild_corrupt:
                        raise
                    tmp.unlink(missing_ok=True)
                    writer = Writer.create(tmp)
                    writer.replaced_corrupt = True
            try:
                yield writer
                writer.finish(now or utcnow())
            except sqlite3.Error as exc:  # e.g. disk full: one line, previous file untouched
                raise ImportFailed(f"{db_path}: could not build the database: {exc}") from None
            writer = None
            os.replace(tmp, db_path)
        finally:
            if writer is not None:
                writer.abort()
            with suppress(FileNotFoundError):
                tmp.unlink()
    finally:
        lock.close()
