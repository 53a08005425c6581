"""``db update`` against a real HTTP server on 127.0.0.1 serving OSV-style zips."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from osv_records import NOW, pkg, record

from seawall.vuln.db import VulnDB
from seawall.vuln.download import update
from seawall.vuln.errors import ImportFailed


@dataclass
class Bucket:
    """What the server serves: path → bytes; ``truncate`` paths are cut half-way."""

    files: dict[str, bytes] = field(default_factory=dict)
    truncate: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    url: str = ""


def _handler(bucket: Bucket) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            bucket.requests.append(self.path)
            body = bucket.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path in bucket.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def bucket() -> Iterator[Bucket]:
    served = Bucket()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()
    server.server_close()


def _zip(paths: list[Path]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in paths:
            zf.write(path, path.name)
    return buf.getvalue()


@pytest.fixture
def go_zip(osv_corpus: Path) -> bytes:
    return _zip(sorted((osv_corpus / "golang-vulndb").glob("GO-*.json")))


def test_full_update_then_incremental(bucket: Bucket, go_zip: bytes, tmp_path: Path) -> None:
    db_path = tmp_path / "v.db"
    bucket.files["/Go/all.zip"] = go_zip
    stats = update(db_path, base_url=bucket.url, ecosystems=["Go"], now=NOW)
    assert stats.modes == {"Go": "full"} and stats.records == 200
    assert stats.bytes_downloaded == len(go_zip)
    with VulnDB.open(db_path) as db:
        (src,) = db.sources()
        assert src.location == f"{bucket.url}/Go/all.zip" and src.records == 200
        assert src.fetched_at == "2026-11-22T12:00:00Z"
        newest = src.last_modified
        assert newest is not None
    # The bucket now offers modified_id.csv: one new record, newer than anything imported.
    new = record("GO-2099-0001", [pkg("Go", "example.com/new", ("introduced", "0"))])
    new["modified"] = "2099-01-01T00:00:00Z"
    bucket.files["/Go/GO-2099-0001.json"] = json.dumps(new).encode()
    bucket.files["/Go/modified_id.csv"] = (
        "2099-01-02T00:00:00Z,GO-2099-0404\n"  # listed but not served: skipped and counted
        f"2099-01-01T00:00:00Z,GO-2099-0001\n{newest},GO-2026-6119\n".encode()
    )
    bucket.requests.clear()
    stats = update(db_path, base_url=bucket.url, ecosystems=["Go"], now=NOW)
    assert stats.modes == {"Go": "incremental"} and (stats.records, stats.skipped) == (1, 1)
    assert bucket.requests == [
        "/Go/modified_id.csv",
        "/Go/GO-2099-0404.json",
        "/Go/GO-2099-0001.json",
    ]
    with VulnDB.open(db_path) as db:
        (src,) = db.sources()
        assert (src.records, src.last_modified) == (201, "2099-01-01T00:00:00Z")
    # --full downloads the zip again and forgets records it no longer holds.
    stats = update(db_path, base_url=bucket.url, ecosystems=["Go"], incremental=False, now=NOW)
    assert stats.modes == {"Go": "full"} and stats.total_records == 200


def test_download_that_fails_half_way_keeps_previous_db(
    bucket: Bucket, go_zip: bytes, tmp_path: Path
) -> None:
    db_path = tmp_path / "v.db"
    bucket.files["/Go/all.zip"] = go_zip
    update(db_path, base_url=bucket.url, ecosystems=["Go"], now=NOW)
    before = db_path.read_bytes()
    bucket.files["/PyPI/all.zip"] = go_zip
    bucket.truncate.add("/PyPI/all.zip")
    with pytest.raises(ImportFailed, match="half-way"):
        update(db_path, base_url=bucket.url, ecosystems=["Go", "PyPI"], incremental=False)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".v.db.lock", "v.db"]


def test_missing_ecosystem_and_corrupt_zip(bucket: Bucket, tmp_path: Path) -> None:
    db_path = tmp_path / "v.db"
    with pytest.raises(ImportFailed, match="HTTP 404"):
        update(db_path, base_url=bucket.url, ecosystems=["npm"])
    bucket.files["/npm/all.zip"] = b"PK\x03\x04 definitely not a zip"
    with pytest.raises(ImportFailed, match="corrupt or truncated zip"):
        update(db_path, base_url=bucket.url, ecosystems=["npm"])
    assert not db_path.exists()


def test_unreachable_server(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="download failed"):
        update(tmp_path / "v.db", base_url="http://127.0.0.1:9", ecosystems=["Go"], timeout=2)


def test_ecosystem_names_are_url_quoted(bucket: Bucket, tmp_path: Path) -> None:
    rec = record("RHSA-2099:0001", [pkg("Red Hat", "kernel", ("introduced", "0"))])
    bucket.files["/Red%20Hat/all.zip"] = _zip_bytes({"RHSA-2099:0001.json": rec})
    stats = update(tmp_path / "v.db", base_url=bucket.url + "/", ecosystems=["Red Hat"])
    assert stats.records == 1


def _zip_bytes(members: dict[str, object]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, json.dumps(data))
    return buf.getvalue()


def test_update_rebuilds_a_corrupt_database(bucket: Bucket, go_zip: bytes, tmp_path: Path) -> None:
    db_path = tmp_path / "v.db"
    db_path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    bucket.files["/Go/all.zip"] = go_zip
    stats = update(db_path, base_url=bucket.url, ecosystems=["Go"], now=NOW)
    assert stats.replaced_corrupt and stats.total_records == 200
    with VulnDB.open(db_path) as db:
        assert db.status().records == 200
    # A healthy database is updated in place, not replaced.
    assert not update(db_path, base_url=bucket.url, ecosystems=["Go"], now=NOW).replaced_corrupt


def test_cli_update_takes_mirror_and_ecosystems_from_configuration(
    bucket: Bucket, go_zip: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from seawall.cli import main

    bucket.files["/Go/all.zip"] = go_zip
    config = tmp_path / ".seawall.toml"
    config.write_text(
        f'[vulns]\ndb = "cache/v.db"\nbase-url = "{bucket.url}"\necosystems = ["Go"]\n'
        "max-age-days = 3\n"
    )
    assert main(["db", "update", "--config", str(config)]) == 0
    assert "Go (full): 200 record(s) stored" in capsys.readouterr().out
    assert bucket.requests == ["/Go/all.zip"]
    assert main(["db", "status", "--config", str(config), "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["path"] == str(tmp_path / "cache" / "v.db") and status["records"] == 200
    # Incremental next time: the mirror offers modified_id.csv with nothing newer.
    bucket.files["/Go/modified_id.csv"] = b"2000-01-01T00:00:00Z,GO-2000-0001\n"
    assert main(["db", "update", "--config", str(config)]) == 0
    assert "Go (incremental): 0 record(s) stored" in capsys.readouterr().out
