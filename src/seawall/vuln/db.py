"""The offline vulnerability database: SQLite built from OSV records.

Tables: ``meta`` (schema version, build time), ``source`` (where data came from and when),
``vuln`` (one row per OSV record, raw JSON kept zlib-compressed for reports), ``affected`` (one
row per affected package, indexed by ecosystem and name) and ``alias`` (every id and alias of a
record, to merge duplicates and to borrow severities). Readers open the file read-only; writers
build a temporary copy and replace the file atomically (see ``seawall.vuln.importer``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from seawall.vuln.errors import CorruptDatabaseError, DatabaseError, StaleDatabaseError
from seawall.vuln.osv import Affected, Record, affected_from_json, affected_to_json, normalize_name

SCHEMA_VERSION = "1"
DEFAULT_MAX_AGE = timedelta(days=7)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE source (
    name TEXT PRIMARY KEY, location TEXT NOT NULL, sha256 TEXT, fetched_at TEXT NOT NULL,
    last_modified TEXT, records INTEGER NOT NULL, skipped INTEGER NOT NULL
);
CREATE TABLE vuln (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, modified TEXT NOT NULL, published TEXT,
    withdrawn TEXT, summary TEXT NOT NULL, canonical TEXT NOT NULL, aliases TEXT NOT NULL,
    severity TEXT NOT NULL, raw BLOB NOT NULL
);
CREATE TABLE affected (
    vuln_id TEXT NOT NULL, eco_base TEXT NOT NULL, release TEXT NOT NULL, name TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE alias (alias TEXT NOT NULL, vuln_id TEXT NOT NULL);
"""
# Created after a fresh bulk load (faster than maintaining them row by row).
_INDEXES = """
CREATE INDEX IF NOT EXISTS affected_lookup ON affected (eco_base, name);
CREATE INDEX IF NOT EXISTS affected_vuln ON affected (vuln_id);
CREATE INDEX IF NOT EXISTS alias_alias ON alias (alias);
CREATE INDEX IF NOT EXISTS alias_vuln ON alias (vuln_id);
"""


def default_path() -> Path:
    """``$SEAWALL_DB`` if set, else ``~/.cache/seawall/vuln.db``."""
    env = os.environ.get("SEAWALL_DB")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "seawall" / "vuln.db"


def utcnow() -> datetime:
    """The current time in UTC (one place, so callers can inject their own)."""
    return datetime.now(UTC)


def iso_time(moment: datetime) -> str:
    """A UTC time as written in the database: ``2026-11-22T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Parse an ISO-8601 time as written in the database or in OSV records."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SourceInfo:
    """One data source of the database: a file, folder or downloaded zip."""

    name: str
    location: str
    sha256: str | None
    fetched_at: str
    last_modified: str | None
    records: int
    skipped: int


@dataclass(frozen=True)
class DBStatus:
    """What ``seawall db status`` shows."""

    path: str
    built_at: datetime
    schema_version: str
    records: int
    withdrawn: int
    ecosystems: tuple[tuple[str, int], ...]  # (ecosystem base, advisories naming it)
    sources: tuple[SourceInfo, ...]
    size_bytes: int

    def age(self, now: datetime | None = None) -> timedelta:
        """How long ago the database was built."""
        return (now or utcnow()) - self.built_at


@dataclass(frozen=True)
class AffectedRow:
    """An ``affected`` row: the record id, the release it names, and the parsed entry."""

    vuln_id: str
    release: str
    affected: Affected


@dataclass(frozen=True)
class VulnRow:
    """A ``vuln`` row without the raw JSON."""

    id: str
    modified: str
    published: str | None
    withdrawn: str | None
    summary: str
    canonical: str
    aliases: tuple[str, ...]
    severity: dict[str, Any]


def _translate(path: Path, exc: sqlite3.Error) -> DatabaseError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return DatabaseError(f"{path}: the vulnerability database is locked by another process")
    if any(sign in text for sign in ("not a database", "malformed", "disk image", "no such")):
        return CorruptDatabaseError(
            f"{path}: the vulnerability database is corrupt ({text}); rebuild it with "
            "'seawall db update' or 'seawall db import --replace PATH...'"
        )
    return DatabaseError(f"{path}: vulnerability database error: {text}")


@lru_cache(maxsize=16384)
def _decode_affected(text: str) -> Affected:
    return affected_from_json(json.loads(text))


class VulnDB:
    """A read-only handle on a vulnerability database file."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, timeout: float = 2.0) -> VulnDB:
        """Open a database for reading; raises ``DatabaseError`` if missing, corrupt or locked."""
        db_path = Path(path) if path is not None else default_path()
        if not db_path.is_file():
            raise DatabaseError(
                f"{db_path}: no vulnerability database; create one with 'seawall db import PATH' "
                "or 'seawall db update'"
            )
        try:
            conn = sqlite3.connect(
                f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout
            )
            db = cls(db_path, conn)
            version = db.meta("schema_version")
        except sqlite3.Error as exc:
            raise _translate(db_path, exc) from None
        if version != SCHEMA_VERSION:
            conn.close()
            raise CorruptDatabaseError(
                f"{db_path}: database schema {version!r} is not {SCHEMA_VERSION!r}; rebuild it"
            )
        return db

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> VulnDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise _translate(self.path, exc) from None

    def meta(self, key: str) -> str | None:
        """One value of the ``meta`` table."""
        with self._guard():
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def built_at(self) -> datetime:
        """When the database file was last built or updated."""
        value = self.meta("built_at")
        if value is None:
            raise DatabaseError(f"{self.path}: database has no build time; rebuild it")
        return parse_time(value)

    def check_fresh(
        self, max_age: timedelta = DEFAULT_MAX_AGE, now: datetime | None = None
    ) -> None:
        """Raise ``StaleDatabaseError`` when the database is older than ``max_age``."""
        age = (now or utcnow()) - self.built_at
        if age > max_age:
            days = age.total_seconds() / 86400
            raise StaleDatabaseError(
                f"{self.path}: vulnerability database is {days:.1f} days old (maximum "
                f"{max_age.total_seconds() / 86400:g}); run 'seawall db update' or allow a stale "
                "database explicitly"
            )

    def affected(self, ecosystem_base: str, name: str) -> list[AffectedRow]:
        """Every affected entry naming this package in this ecosystem (any release)."""
        key = normalize_name(ecosystem_base, name)
        with self._guard():
            rows = self._conn.execute(
                "SELECT vuln_id, release, data FROM affected WHERE eco_base = ? AND name = ?",
                (ecosystem_base, key),
            ).fetchall()
        return [AffectedRow(r[0], r[1], _decode_affected(r[2])) for r in rows]

    def affected_many(
        self, ecosystem_base: str, names: Iterable[str]
    ) -> dict[str, list[AffectedRow]]:
        """Affected entries for many package names of one ecosystem, keyed by lookup name."""
        keys = sorted({normalize_name(ecosystem_base, n) for n in names})
        out: dict[str, list[AffectedRow]] = {k: [] for k in keys}
        with self._guard():
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for vuln_id, name, release, data in self._conn.execute(
                    "SELECT vuln_id, name, release, data FROM affected "
                    f"WHERE eco_base = ? AND name IN ({marks})",
                    [ecosystem_base, *chunk],
                ):
                    out[name].append(AffectedRow(vuln_id, release, _decode_affected(data)))
        return out

    def vulns(self, ids: Iterable[str]) -> dict[str, VulnRow]:
        """The ``vuln`` rows of these ids (missing ids are left out)."""
        wanted = sorted(set(ids))
        out: dict[str, VulnRow] = {}
        with self._guard():
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._conn.execute(
                    "SELECT id, modified, published, withdrawn, summary, canonical, aliases, "
                    f"severity FROM vuln WHERE id IN ({marks})",
                    chunk,
                ):
                    out[row[0]] = VulnRow(
                        row[0], row[1], row[2], row[3], row[4], row[5],
                        tuple(json.loads(row[6])), json.loads(row[7]),
                    )  # fmt: skip
        return out

    def ids_with_alias(self, aliases: Iterable[str]) -> set[str]:
        """Ids of records that have any of ``aliases`` as their id, alias or upstream."""
        return {i for ids in self.alias_map(aliases).values() for i in ids}

    def alias_map(self, aliases: Iterable[str]) -> dict[str, set[str]]:
        """For each alias, the ids of records naming it as id, alias or upstream."""
        wanted = sorted(set(aliases))
        out: dict[str, set[str]] = {}
        with self._guard():
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for alias, vuln_id in self._conn.execute(
                    f"SELECT alias, vuln_id FROM alias WHERE alias IN ({marks})", chunk
                ):
                    out.setdefault(alias, set()).add(vuln_id)
        return out

    def raw(self, ident: str) -> dict[str, Any] | None:
        """The original OSV JSON of one record."""
        with self._guard():
            row = self._conn.execute("SELECT raw FROM vuln WHERE id = ?", (ident,)).fetchone()
        return json.loads(zlib.decompress(row[0])) if row else None

    def sources(self) -> tuple[SourceInfo, ...]:
        """Where the data came from, by source name."""
        with self._guard():
            rows = self._conn.execute(
                "SELECT name, location, sha256, fetched_at, last_modified, records, skipped "
                "FROM source ORDER BY name"
            ).fetchall()
        return tuple(SourceInfo(*r) for r in rows)

    def status(self) -> DBStatus:
        """Counts, ecosystems, sources and age."""
        with self._guard():
            records, withdrawn = self._conn.execute(
                "SELECT COUNT(*), COUNT(withdrawn) FROM vuln"
            ).fetchone()
            ecosystems = self._conn.execute(
                "SELECT eco_base, COUNT(DISTINCT vuln_id) FROM affected GROUP BY eco_base "
                "ORDER BY eco_base"
            ).fetchall()
        return DBStatus(
            path=str(self.path),
            built_at=self.built_at,
            schema_version=self.meta("schema_version") or "",
            records=records,
            withdrawn=withdrawn,
            ecosystems=tuple((e, n) for e, n in ecosystems),
            sources=self.sources(),
            size_bytes=self.path.stat().st_size,
        )


class Writer:
    """Writes records into a database file being built (not the live file)."""

    def __init__(self, conn: sqlite3.Connection, *, fresh: bool) -> None:
        self._conn = conn
        self._fresh = fresh
        self._written: set[str] = set()  # ids stored by this build, to replace repeats
        self.replaced_corrupt = False  # set by ``building`` when it started over

    @classmethod
    def create(cls, path: Path) -> Writer:
        """A new, empty database at ``path`` (which must not exist)."""
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        conn.execute("BEGIN")
        return cls(conn, fresh=True)

    @classmethod
    def copy_of(cls, live: Path, path: Path) -> Writer:
        """A writable copy of the live database ``live`` at ``path``."""
        dst = sqlite3.connect(path, isolation_level=None)
        try:
            src = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                src.backup(dst)
            finally:
                src.close()
            version = dst.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.Error as exc:
            dst.close()
            raise _translate(live, exc) from None
        if not version or version[0] != SCHEMA_VERSION:
            dst.close()
            raise CorruptDatabaseError(
                f"{live}: database schema is not {SCHEMA_VERSION!r}; rebuild it"
            )
        dst.execute("PRAGMA synchronous = OFF")
        dst.execute("BEGIN")
        return cls(dst, fresh=False)

    def delete_source(self, source: str) -> None:
        """Forget every record that came from ``source`` (before reloading it in full)."""
        if self._fresh:
            return
        ids = [r[0] for r in self._conn.execute("SELECT id FROM vuln WHERE source = ?", (source,))]
        self._delete(ids)

    def _delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for table, column in (("vuln", "id"), ("affected", "vuln_id"), ("alias", "vuln_id")):
                self._conn.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)

    def add(self, batch: Sequence[tuple[Record, bytes]], source: str) -> None:
        """Insert (or replace) parsed records with their original JSON text."""
        ids = [rec.id for rec, _ in batch]
        repeated = [i for i in ids if i in self._written]
        if repeated and self._fresh:
            for statement in filter(str.strip, _INDEXES.split(";")):
                self._conn.execute(statement)  # deletes need the indexes
            self._fresh = False
        self._delete(ids if not self._fresh else repeated)
        self._written.update(ids)
        unique = {rec.id: (rec, raw) for rec, raw in batch}  # the last copy of an id wins
        vulns, affected, aliases = [], [], []
        for rec, raw in unique.values():
            severity = {
                "scores": [[s.type, s.score] for s in rec.severity],
                "label": rec.database_specific.get("severity"),
            }
            vulns.append((
                rec.id, source, rec.modified, rec.published, rec.withdrawn, rec.summary,
                rec.canonical_id, json.dumps(list(rec.aliases) + list(rec.upstream)),
                json.dumps(severity), zlib.compress(raw, 1),
            ))  # fmt: skip
            for aff in rec.affected:
                entry = affected_to_json(aff)
                affected.append((
                    rec.id, aff.ecosystem_base, aff.release,
                    normalize_name(aff.ecosystem, aff.name), json.dumps(entry),
                ))  # fmt: skip
            for ident in {rec.id, *rec.aliases, *rec.upstream}:
                aliases.append((ident, rec.id))
        self._conn.executemany("INSERT OR REPLACE INTO vuln VALUES (?,?,?,?,?,?,?,?,?,?)", vulns)
        self._conn.executemany("INSERT INTO affected VALUES (?,?,?,?,?)", affected)
        self._conn.executemany("INSERT INTO alias VALUES (?,?)", aliases)

    def set_source(self, info: SourceInfo) -> None:
        """Record where a source came from and what it held."""
        self._conn.execute(
            "INSERT OR REPLACE INTO source VALUES (?,?,?,?,?,?,?)",
            (info.name, info.location, info.sha256, info.fetched_at, info.last_modified,
             info.records, info.skipped),
        )  # fmt: skip

    def source(self, name: str) -> SourceInfo | None:
        """A source as currently recorded in the file being built."""
        row = self._conn.execute(
            "SELECT name, location, sha256, fetched_at, last_modified, records, skipped "
            "FROM source WHERE name = ?",
            (name,),
        ).fetchone()
        return SourceInfo(*row) if row else None

    def count(self, source: str | None = None) -> int:
        """Records now in the file (from one source, if given)."""
        if source is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM vuln").fetchone()[0])
        row = self._conn.execute("SELECT COUNT(*) FROM vuln WHERE source = ?", (source,))
        return int(row.fetchone()[0])

    def max_modified(self, source: str) -> str | None:
        """The newest ``modified`` time among the records of ``source``."""
        stamps = [
            r[0]
            for r in self._conn.execute("SELECT modified FROM vuln WHERE source = ?", (source,))
        ]
        valid = []
        for stamp in stamps:
            try:
                valid.append((parse_time(stamp), stamp))
            except ValueError:
                continue
        return max(valid)[1] if valid else None

    def finish(self, built_at: datetime) -> None:
        """Create missing indexes, stamp the build time, commit and close."""
        for statement in filter(str.strip, _INDEXES.split(";")):
            self._conn.execute(statement)
        self._conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('built_at', ?)", (iso_time(built_at),)
        )
        self._conn.execute("COMMIT")
        self._conn.close()

    def abort(self) -> None:
        """Close without committing."""
        with suppress(sqlite3.Error):
            self._conn.close()


def open_for_scan(
    path: str | os.PathLike[str] | None = None,
    *,
    max_age: timedelta = DEFAULT_MAX_AGE,
    allow_stale: bool = False,
    now: datetime | None = None,
) -> VulnDB:
    """Open the database a scan will use, refusing a stale one unless ``allow_stale``."""
    db = VulnDB.open(path)
    if not allow_stale:
        try:
            db.check_fresh(max_age, now)
        except StaleDatabaseError:
            db.close()
            raise
    return db
