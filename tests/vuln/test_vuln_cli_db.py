"""``seawall db import|update|status`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seawall.cli import main


def test_import_then_status(
    tmp_path: Path, osv_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "v.db")
    code = main(["db", "import", "--db", db, str(osv_corpus / "osv-schema")])
    out, err = capsys.readouterr()
    assert code == 0
    assert "imported 30 record(s) from 1 source(s)" in out
    assert "skipped 14 invalid record(s)" in err and "nointroduced" not in err.split("\n")[0]
    assert main(["db", "status", "--db", db, "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    # 30 valid records, two ids twice (linter test data reuses them): 28 stored.
    assert status["records"] == 28 and status["stale"] is False
    assert status["ecosystems"]["npm"] >= 1
    assert main(["db", "status", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "records:  28" in text and "file:" in text


def test_status_marks_a_stale_database(
    tmp_path: Path, osv_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "v.db")
    main(["db", "import", "--db", db, str(osv_corpus / "osv-dev-testdata")])
    capsys.readouterr()
    assert main(["db", "status", "--db", db, "--max-age-days", "0"]) == 0
    assert "STALE" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "status", "--db", "{tmp}/absent.db"],
        ["db", "import", "--db", "{tmp}/v.db", "{tmp}/missing-folder"],
        ["db", "import", "--db", "{tmp}/v.db", "{tmp}/bad.zip"],
        ["db", "status", "--db", "{tmp}/bad.zip"],
        [
            "db",
            "update",
            "--db",
            "{tmp}/v.db",
            "--base-url",
            "http://127.0.0.1:9",
            "--timeout",
            "2",
        ],
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    (tmp_path / "bad.zip").write_bytes(b"not a zip at all")
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("seawall: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_db_without_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db"]) == 2
