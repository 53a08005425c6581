"""Fixtures for the vulnerability tests: corpus paths, a database built from real OSV records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from osv_records import NOW

from corpus import CORPUS, require
from seawall.vuln.db import VulnDB
from seawall.vuln.importer import import_paths

OSV = CORPUS / "osv"


@pytest.fixture(scope="session")
def osv_corpus() -> Path:
    """The shared OSV corpus folder (skipped, or failed under CI, when absent)."""
    return require(OSV)


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory, osv_corpus: Path) -> Path:
    """A database imported from the real records of the corpus (Go, PyPA, osv-schema, osv.dev)."""
    path = tmp_path_factory.mktemp("corpusdb") / "vuln.db"
    import_paths(
        path,
        [
            osv_corpus / "golang-vulndb",
            osv_corpus / "pypa-advisory-database" / "json",
            osv_corpus / "osv-schema",
            osv_corpus / "osv-dev-testdata",
        ],
        now=NOW,
    )
    return path


@pytest.fixture
def open_corpus_db(corpus_db: Path) -> Any:
    """An open handle on the corpus database."""
    db = VulnDB.open(corpus_db)
    yield db
    db.close()


@pytest.fixture
def make_db(tmp_path: Path) -> Callable[..., VulnDB]:
    """Build a database from hand-made records and open it."""
    opened: list[VulnDB] = []

    def build(*records: dict[str, Any], name: str = "hand.db") -> VulnDB:
        folder = tmp_path / f"records-{name}"
        folder.mkdir()
        for i, rec in enumerate(records):
            (folder / f"{i:04d}-{rec.get('id', 'x')}.json").write_text(json.dumps(rec))
        import_paths(tmp_path / name, [folder], now=NOW)
        db = VulnDB.open(tmp_path / name)
        opened.append(db)
        return db

    yield build
    for db in opened:
        db.close()
