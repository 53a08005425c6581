"""``seawall db update``: fetch OSV ecosystem data over HTTP(S) and build the database.

For each ecosystem the OSV bucket layout is used: ``<base>/<Ecosystem>/all.zip`` in full, or,
when the database already holds that ecosystem and ``<base>/<Ecosystem>/modified_id.csv`` is
offered, only the records modified since the last update (``<base>/<Ecosystem>/<ID>.json``).
The whole update is one atomic build: any failure (HTTP error, a download that stops half-way,
a corrupt zip) leaves the previous database untouched. Where and when is recorded per source.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from seawall.vuln.build import building
from seawall.vuln.db import SourceInfo, Writer, iso_time, parse_time, utcnow
from seawall.vuln.errors import ImportFailed
from seawall.vuln.importer import Document, ImportStats, Progress, documents, load_documents

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("Debian", "Ubuntu", "Alpine", "PyPI", "npm", "Go", "Maven")
_INCREMENTAL_LIMIT = 5000  # more changed records than this: the zip is cheaper
_CHUNK = 1 << 16


@dataclass
class UpdateStats(ImportStats):
    """An import's figures plus how each ecosystem was fetched (``full`` or ``incremental``)."""

    modes: dict[str, str] = field(default_factory=dict)
    bytes_downloaded: int = 0
    replaced_corrupt: bool = False  # the previous file was unreadable: rebuilt from scratch


def _url(base: str, *parts: str) -> str:
    return base.rstrip("/") + "/" + "/".join(urllib.parse.quote(p) for p in parts)


def _open(url: str, timeout: float) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": "seawall-db-update"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise ImportFailed(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ImportFailed(f"{url}: download failed: {reason}") from None


def _fetch_bytes(url: str, timeout: float) -> bytes:
    with _open(url, timeout) as response:
        try:
            return response.read()
        except (http.client.HTTPException, OSError) as exc:
            raise ImportFailed(f"{url}: download stopped half-way ({exc!r})") from None


def _fetch_optional(url: str, timeout: float) -> bytes | None:
    """The body at ``url``, or None when the server says it has no such file (404)."""
    try:
        return _fetch_bytes(url, timeout)
    except ImportFailed as exc:
        if "HTTP 404" in str(exc):
            return None
        raise


def _download(
    url: str, dest: Path, timeout: float, progress: Progress | None, label: str
) -> tuple[str, int]:
    """Stream ``url`` to ``dest``; returns (sha256, size). Short bodies are errors."""
    digest = hashlib.sha256()
    done = 0
    with _open(url, timeout) as response, dest.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        try:
            while block := response.read(_CHUNK):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(label, done, total)
        except (http.client.HTTPException, OSError) as exc:
            raise ImportFailed(
                f"{url}: download stopped half-way after {done} bytes ({type(exc).__name__})"
            ) from None
    if total is not None and done != total:
        raise ImportFailed(f"{url}: download stopped half-way ({done} of {total} bytes)")
    return digest.hexdigest(), done


def _changed_ids(csv_text: str, since: str) -> list[str]:
    """Ids in ``modified_id.csv`` (``<iso-time>,<id>`` lines) modified after ``since``."""
    cutoff = parse_time(since)
    ids = []
    for line in csv_text.splitlines():
        stamp, _, ident = line.strip().partition(",")
        if not ident:
            continue
        try:
            when = parse_time(stamp)
        except ValueError:
            raise ImportFailed(f"modified_id.csv: bad line {line[:80]!r}") from None
        if when > cutoff:
            ids.append(ident.rsplit("/", 1)[-1])
    return ids


def _incremental(
    writer: Writer,
    base: str,
    eco: str,
    source: str,
    since: str,
    stats: UpdateStats,
    timeout: float,
    progress: Progress | None,
) -> int | None:
    """Apply changed records; None when incremental is not possible (no csv, too many)."""
    csv = _fetch_optional(_url(base, eco, "modified_id.csv"), timeout)
    if csv is None:
        return None
    ids = _changed_ids(csv.decode("utf-8", "replace"), since)
    if len(ids) > _INCREMENTAL_LIMIT:
        return None

    def docs() -> Iterator[Document]:
        for ident in ids:
            url = _url(base, eco, f"{ident}.json")
            body = _fetch_optional(url, timeout)
            if body is None:  # listed but gone (e.g. removed upstream): count it, go on
                stats.skip(url, "listed in modified_id.csv but not found (HTTP 404)")
                continue
            stats.bytes_downloaded += len(body)
            yield url, body

    return load_documents(writer, docs(), source, stats, progress, total=len(ids))


def update(
    db_path: str | Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    ecosystems: Sequence[str] = DEFAULT_ECOSYSTEMS,
    incremental: bool = True,
    progress: Progress | None = None,
    now: datetime | None = None,
    timeout: float = 60.0,
) -> UpdateStats:
    """Download OSV data for ``ecosystems`` from ``base_url`` into the database, atomically."""
    started = time.perf_counter()
    moment = now or utcnow()
    stats = UpdateStats()
    target = Path(db_path)
    # A corrupt file holds nothing worth keeping and the download brings everything back.
    with building(target, fresh=False, now=moment, rebuild_corrupt=True) as writer:
        stats.replaced_corrupt = writer.replaced_corrupt
        for eco in ecosystems:
            source = f"osv:{eco}"
            previous = writer.source(source)
            skipped_before = stats.skipped
            stored: int | None = None
            sha = None
            location = _url(base_url, eco, "all.zip")
            if incremental and previous is not None and previous.last_modified:
                stored = _incremental(
                    writer, base_url, eco, source, previous.last_modified, stats, timeout, progress
                )
                if stored is not None:
                    stats.modes[eco] = "incremental"
                    location = _url(base_url, eco, "modified_id.csv")
            if stored is None:
                stats.modes[eco] = "full"
                fd, tmp_name = tempfile.mkstemp(
                    dir=target.parent, prefix=".download.", suffix=".zip"
                )
                os.close(fd)
                tmp = Path(tmp_name)
                try:
                    sha, size = _download(location, tmp, timeout, progress, f"{eco} all.zip")
                    stats.bytes_downloaded += size
                    writer.delete_source(source)
                    stored = load_documents(writer, documents(tmp), source, stats, progress)
                finally:
                    with suppress(FileNotFoundError):
                        tmp.unlink()
            writer.set_source(
                SourceInfo(
                    name=source,
                    location=location,
                    sha256=sha,
                    fetched_at=iso_time(moment),
                    last_modified=writer.max_modified(source),
                    records=writer.count(source),
                    skipped=stats.skipped - skipped_before,
                )
            )
            stats.sources.append(source)
        stats.total_records = writer.count()
    stats.seconds = time.perf_counter() - started
    return stats
