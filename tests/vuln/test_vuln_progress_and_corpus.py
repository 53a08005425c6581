"""The stderr progress line, and importing the whole shared OSV folder without a crash."""

from __future__ import annotations

import io
from pathlib import Path

from osv_records import NOW

from seawall.vuln.importer import import_paths
from seawall.vuln.progress import StderrProgress


def test_progress_draws_only_when_enabled() -> None:
    quiet = io.StringIO()
    StderrProgress(quiet)("file:x", 5, 10)  # a StringIO is not a terminal
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    bar = StderrProgress(shown, enabled=True)
    bar("Go all.zip", 10, 10)
    bar.close()
    text = shown.getvalue()
    assert "Go all.zip [" + "#" * 30 + "] 10/10" in text and text.endswith("\r\x1b[K")


def test_import_progress_reports_the_total(tmp_path: Path, osv_corpus: Path) -> None:
    import zipfile

    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((osv_corpus / "golang-vulndb").glob("GO-*.json")):
            zf.write(path, path.name)
    calls: list[tuple[int, int | None]] = []
    import_paths(tmp_path / "v.db", [archive], progress=lambda _l, d, t: calls.append((d, t)))
    assert calls[-1] == (200, 200) and (100, 200) in calls


def test_whole_osv_corpus_imports_without_crashing(tmp_path: Path, osv_corpus: Path) -> None:
    stats = import_paths(tmp_path / "all.db", [osv_corpus], now=NOW)
    # Every valid record (golang 200, PyPA JSON 199 + YAML 199, osv-schema 30, osv.dev 4, two
    # converted from the tracker sample) is kept; non-record JSON (schema, ecosystems, raw GHSA
    # input) and the one schema-invalid record are counted as skipped.
    assert stats.records == 634
    assert stats.skipped == 14
    assert stats.total_records == 430  # the YAML originals share ids with the JSON copies
