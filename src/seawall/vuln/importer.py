"""``seawall db import``: OSV records from JSON/YAML files, folders and ``all.zip`` archives.

Malformed and semantically invalid records are skipped and counted; an unreadable input (a
corrupt zip, a missing path) stops the import with a clear error and the previous database is
kept. Everything is written through ``seawall.vuln.build.building`` (atomic).
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from seawall.vuln.build import building
from seawall.vuln.db import SourceInfo, Writer, iso_time, utcnow
from seawall.vuln.errors import ImportFailed
from seawall.vuln.osv import InvalidRecord, Record, parse_record
from seawall.vuln.tracker import convert, is_tracker

Progress = Callable[[str, int, int | None], None]
"""Called as ``progress(label, done, total)``; ``total`` is None when unknown."""

BATCH = 2000
_MAX_EXAMPLES = 20


@dataclass
class ImportStats:
    """What an import did: records stored, records skipped (with a few reasons), time taken."""

    records: int = 0
    skipped: int = 0
    files: int = 0
    sources: list[str] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)  # (where, why) of skipped
    seconds: float = 0.0
    total_records: int = 0  # records in the database afterwards

    def skip(self, where: str, why: str) -> None:
        """Count one skipped record."""
        self.skipped += 1
        if len(self.examples) < _MAX_EXAMPLES:
            self.examples.append((where, why))


Document = tuple[str, bytes]  # (where it came from, raw bytes)


def _decode(where: str, payload: bytes) -> Iterator[tuple[str, Any]]:
    """Decoded objects of one JSON or YAML document; a list yields each element."""
    try:
        if where.endswith((".yaml", ".yml")):
            import yaml

            # BaseLoader keeps every scalar a string: YAML would turn "modified: 2024-01-29T…Z"
            # into a datetime and "versions: [1.10]" into the float 1.1.
            data: Any = yaml.load(payload, Loader=yaml.BaseLoader)
        else:
            data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRecord(f"not valid JSON/YAML: {str(exc).splitlines()[0]}") from None
    except Exception as exc:  # yaml.YAMLError and friends: malformed input, never fatal
        raise InvalidRecord(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield f"{where}[{i}]", item
    elif is_tracker(data):
        for item in convert(data, iso_time(utcnow())):
            yield f"{where}#{item['id']}", item
    else:
        yield where, data


def _encode(item: Any) -> bytes:
    return json.dumps(item, default=str).encode()


def _iter_zip(path: Path) -> Iterator[Document]:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.endswith((".json", ".yaml", ".yml")):
                    continue
                yield f"{path.name}:{info.filename}", archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ImportFailed(f"{path}: corrupt or truncated zip archive ({exc})") from None


def _iter_dir(path: Path) -> Iterator[Document]:
    for child in sorted(path.rglob("*")):
        if child.is_file() and child.suffix in (".json", ".yaml", ".yml"):
            yield from _iter_file(child)


def _iter_file(path: Path) -> Iterator[Document]:
    try:
        yield str(path), path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read: {exc.strerror}") from None


def documents(path: Path) -> Iterator[Document]:
    """The raw documents held by a file, folder or zip."""
    if path.is_dir():
        yield from _iter_dir(path)
    elif path.suffix == ".zip":
        yield from _iter_zip(path)
    elif path.is_file():
        yield from _iter_file(path)
    else:
        raise ImportFailed(f"{path}: no such file or folder")


def load_documents(
    writer: Writer,
    docs: Iterable[Document],
    source: str,
    stats: ImportStats,
    progress: Progress | None = None,
    total: int | None = None,
) -> int:
    """Parse documents and store valid records under ``source``; returns records stored."""
    batch: list[tuple[Record, bytes]] = []
    stored = 0
    for count, (where, payload) in enumerate(docs, 1):
        stats.files += 1
        try:
            items = list(_decode(where, payload))
            for item_where, item in items:
                # Keep the original bytes of a single JSON record; re-encode the rest.
                single = len(items) == 1 and item_where == where and not where.endswith("ml")
                try:
                    batch.append((parse_record(item), payload if single else _encode(item)))
                except InvalidRecord as exc:
                    stats.skip(item_where, str(exc))
        except InvalidRecord as exc:
            stats.skip(where, str(exc))
        if len(batch) >= BATCH:
            writer.add(batch, source)
            stored += len(batch)
            batch = []
        if progress is not None and count % 100 == 0:
            progress(source, count, total)
    if batch:
        writer.add(batch, source)
        stored += len(batch)
    if progress is not None:
        progress(source, stats.files, total)
    stats.records += stored
    return stored


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _count(path: Path) -> int | None:
    if path.suffix == ".zip" and path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(1 for i in archive.infolist() if not i.is_dir())
        except (zipfile.BadZipFile, OSError):
            return None
    return None


def import_paths(
    db_path: str | Path,
    paths: Sequence[str | Path],
    *,
    replace: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportStats:
    """Import OSV data from ``paths`` into the database at ``db_path``, atomically.

    Without ``replace`` the records are added to (or replace same-id records in) the existing
    database; with it the database is rebuilt from these paths alone. A path imported again
    replaces what it brought the last time.
    """
    started = time.perf_counter()
    moment = now or utcnow()
    stats = ImportStats()
    target = Path(db_path)
    with building(target, fresh=replace, now=moment) as writer:
        for raw_path in paths:
            path = Path(raw_path).resolve()
            source = f"file:{path}"
            writer.delete_source(source)
            skipped_before = stats.skipped
            stored = load_documents(
                writer, documents(path), source, stats, progress, total=_count(path)
            )
            writer.set_source(
                SourceInfo(
                    name=source,
                    location=str(path),
                    sha256=_sha256(path),
                    fetched_at=iso_time(moment),
                    last_modified=None,
                    records=stored,
                    skipped=stats.skipped - skipped_before,
                )
            )
            stats.sources.append(source)
        stats.total_records = writer.count()
    stats.seconds = time.perf_counter() - started
    return stats
