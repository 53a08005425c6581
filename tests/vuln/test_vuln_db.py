"""The database: import counts, bad input skipped and counted, atomicity, locks, corruption, age."""

from __future__ import annotations

import fcntl
import json
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from osv_records import NOW, pkg, record

from seawall.vuln.db import VulnDB, default_path, open_for_scan
from seawall.vuln.errors import DatabaseError, ImportFailed, StaleDatabaseError
from seawall.vuln.importer import import_paths


def test_corpus_import_counts(corpus_db: Path) -> None:
    with VulnDB.open(corpus_db) as db:
        status = db.status()
        assert dict(status.ecosystems)["Go"] == 200
        assert dict(status.ecosystems)["PyPI"] >= 199
        # DSA-3029-1 is in two corpus folders: stored once.
        assert status.records == 428 and status.withdrawn == 2
        assert db.raw("GO-2025-3528")["aliases"] == ["CVE-2024-40635", "GHSA-265r-hfxg-fhmg"]
        sources = {s.location.rsplit("/", 1)[-1]: s for s in status.sources}
        assert sources["golang-vulndb"].records == 200
        # 13 non-record JSON files plus the schema-invalid nointroduced-* record.
        assert sources["osv-schema"].skipped == 14


def test_malformed_records_are_skipped_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = record("GOOD-1", [pkg("npm", "lib", ("introduced", "0"))])
    (folder / "good.json").write_text(json.dumps(good))
    (folder / "broken.json").write_text('{"id": "BROKEN-1", ')
    (folder / "noid.json").write_text(json.dumps({"modified": "2026-01-01T00:00:00Z"}))
    bad_event = record("BAD-1", [pkg("npm", "lib", ("introduced", "0"), ("patched", "1"))])
    (folder / "badevent.json").write_text(json.dumps(bad_event))
    no_intro = record("BAD-2", [pkg("npm", "lib", ("fixed", "1.0.0"))])
    (folder / "nointro.json").write_text(json.dumps(no_intro))
    (folder / "list.json").write_text(json.dumps([good | {"id": "GOOD-2"}, 42]))
    (folder / "bad.yaml").write_text("id: [unclosed\n")
    stats = import_paths(tmp_path / "v.db", [folder], now=NOW)
    assert (stats.records, stats.skipped, stats.files) == (2, 6, 7)
    reasons = dict(stats.examples)
    assert "unknown event 'patched'" in reasons[str(folder / "badevent.json")]
    assert "no 'introduced'" in reasons[str(folder / "nointro.json")]
    assert "not valid JSON" in reasons[str(folder / "broken.json")]
    with VulnDB.open(tmp_path / "v.db") as db:
        assert db.status().records == 2


def test_zip_import_and_reimport_replaces(tmp_path: Path, osv_corpus: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((osv_corpus / "golang-vulndb").glob("GO-*.json"))[:50]:
            zf.write(path, path.name)
    db_path = tmp_path / "v.db"
    assert import_paths(db_path, [archive], now=NOW).records == 50
    stats = import_paths(db_path, [archive], now=NOW)
    assert stats.total_records == 50  # same source again: replaced, not duplicated
    with VulnDB.open(db_path) as db:
        (src,) = db.sources()
        assert src.sha256 and len(src.sha256) == 64 and src.records == 50


def _snapshot(db_path: Path) -> tuple[int, str]:
    with VulnDB.open(db_path) as db:
        return db.status().records, db.meta("built_at") or ""


def test_corrupt_zip_fails_and_keeps_previous_database(tmp_path: Path, corpus_db: Path) -> None:
    db_path = tmp_path / "v.db"
    db_path.write_bytes(corpus_db.read_bytes())
    before = _snapshot(db_path)
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("A-1.json", json.dumps(record("A-1", [pkg("npm", "x", ("introduced", "0"))])))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[:-30])
    for bad in (truncated, tmp_path / "missing.zip"):
        with pytest.raises(ImportFailed):
            import_paths(db_path, [good, bad], now=NOW + timedelta(days=1))
        assert _snapshot(db_path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".v.db.lock")) == [
        "good.zip",
        "truncated.zip",
        "v.db",
    ]


def test_interrupted_import_keeps_previous_database(tmp_path: Path, osv_corpus: Path) -> None:
    db_path = tmp_path / "v.db"
    import_paths(db_path, [osv_corpus / "osv-dev-testdata"], now=NOW)
    before = _snapshot(db_path)

    def interrupt(label: str, done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_paths(db_path, [osv_corpus / "golang-vulndb"], progress=interrupt)
    assert _snapshot(db_path) == before
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_second_import_while_one_runs_fails(tmp_path: Path, osv_corpus: Path) -> None:
    db_path = tmp_path / "v.db"
    with open(tmp_path / ".v.db.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(ImportFailed, match="another import"):
            import_paths(db_path, [osv_corpus / "osv-dev-testdata"])
    assert not db_path.exists()


def test_locked_database_is_a_clear_error(tmp_path: Path, corpus_db: Path) -> None:
    db_path = tmp_path / "v.db"
    db_path.write_bytes(corpus_db.read_bytes())
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError, match="locked"):
            VulnDB.open(db_path, timeout=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    VulnDB.open(db_path).close()


def test_corrupt_or_foreign_database_is_a_clear_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="corrupt"):
        VulnDB.open(garbage)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(DatabaseError):
        VulnDB.open(foreign)
    with pytest.raises(DatabaseError, match="no vulnerability database"):
        VulnDB.open(tmp_path / "absent.db")
    # Importing on top of a corrupt file fails without touching it.
    with pytest.raises(DatabaseError):
        import_paths(garbage, [tmp_path / "absent.db"])
    assert garbage.read_bytes().startswith(b"this is not sqlite")


def test_stale_database_is_refused_unless_allowed(corpus_db: Path) -> None:
    fresh_now = NOW + timedelta(days=6)
    stale_now = NOW + timedelta(days=8)
    open_for_scan(corpus_db, now=fresh_now).close()
    with pytest.raises(StaleDatabaseError, match=r"8\.0 days old"):
        open_for_scan(corpus_db, now=stale_now)
    open_for_scan(corpus_db, now=stale_now, allow_stale=True).close()
    open_for_scan(corpus_db, now=stale_now, max_age=timedelta(days=30)).close()


def test_default_path_honours_seawall_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEAWALL_DB", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"
    monkeypatch.delenv("SEAWALL_DB")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".cache" / "seawall" / "vuln.db"


def test_replace_rebuilds_from_given_paths_only(tmp_path: Path, osv_corpus: Path) -> None:
    db_path = tmp_path / "v.db"
    import_paths(db_path, [osv_corpus / "golang-vulndb"], now=NOW)
    stats = import_paths(db_path, [osv_corpus / "osv-dev-testdata"], replace=True, now=NOW)
    assert stats.total_records == 4


def test_pypa_yaml_originals_import_like_their_json(tmp_path: Path, osv_corpus: Path) -> None:
    pypa = osv_corpus / "pypa-advisory-database"
    from_yaml = import_paths(tmp_path / "y.db", [pypa / "yaml"], now=NOW)
    from_json = import_paths(tmp_path / "j.db", [pypa / "json"], now=NOW)
    assert from_yaml.skipped == 0 and from_yaml.records == from_json.records == 199
    with VulnDB.open(tmp_path / "y.db") as y, VulnDB.open(tmp_path / "j.db") as j:
        for name in ("aiohttp", "django", "jinja2"):
            assert y.affected("PyPI", name) == j.affected("PyPI", name)
        assert y.vulns(["PYSEC-2023-250"]) == j.vulns(["PYSEC-2023-250"])
