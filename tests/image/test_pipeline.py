"""Streamed layers: bounded inflation (zlib and isal) and the fetch/inflate/hash/walk threads."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import threading
import zlib
from pathlib import Path

import pytest
import zstandard

from seawall.errors import SourceError
from seawall.image import inflate
from seawall.image.inflate import CHUNK, gzip_backend, plain_chunks
from seawall.image.load import load_image
from seawall.image.pipeline import LayerPipeline
from seawall.image.streams import Budget

BACKENDS = ["zlib", "isal"]


def _need_isal() -> None:
    """isal is in the test extra: missing it fails under CI and skips elsewhere."""
    if os.environ.get("CI") == "true":
        import isal  # noqa: F401
    else:
        pytest.importorskip("isal")


def _content(size: int) -> bytes:
    """Half compressible text, half incompressible bytes: both inflater paths are exercised."""
    text = b"".join(b"line %d of a layer file\n" % i for i in range(size // 48))
    noise = hashlib.shake_256(b"seawall").digest(size - len(text))
    return text + noise


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    if request.param == "zlib":
        monkeypatch.setenv("SEAWALL_GZIP", "zlib")
        assert gzip_backend()[0] is zlib.decompressobj
    else:
        _need_isal()
        monkeypatch.delenv("SEAWALL_GZIP", raising=False)
        assert gzip_backend()[0] is not zlib.decompressobj
    return str(request.param)


def _inflate(blob: bytes, read_size: int = 1 << 16) -> list[bytes]:
    return list(plain_chunks(io.BytesIO(blob), "test", read_size=read_size))


def test_gzip_members_padding_and_chunk_bound(backend: str) -> None:
    data = _content(3 << 20)
    blob = gzip.compress(data[:100_000]) + gzip.compress(data[100_000:]) + b"\0" * 5000
    for read_size in (7, 4096, 1 << 19):  # member and padding boundaries fall anywhere
        chunks = _inflate(blob, read_size)
        assert b"".join(chunks) == data
        assert max(map(len, chunks)) <= CHUNK


def test_a_bomb_comes_out_in_bounded_chunks(backend: str) -> None:
    bomb = gzip.compress(bytes(64 << 20), compresslevel=9)
    assert len(bomb) < 100_000
    sizes = [len(chunk) for chunk in _inflate(bomb, 1 << 20)]
    assert sum(sizes) == 64 << 20
    assert max(sizes) == CHUNK  # one 64 KiB read expands to 64 MiB, handed out 1 MiB at a time


@pytest.mark.parametrize(
    "blob",
    [
        gzip.compress(b"x" * 100_000)[:-10],  # truncated: no trailer
        gzip.compress(b"x" * 100_000)[:30],  # truncated inside the data
        b"\x1f\x8b" + b"garbage" * 50,
        gzip.compress(b"abc") + b"not a gzip member",
        gzip.compress(b"abc")[:-8] + b"\0\0\0\0\3\0\0\0",  # CRC mismatch
    ],
    ids=["no-trailer", "cut", "garbage", "trailing-junk", "bad-crc"],
)
def test_corrupt_gzip_raises_one_error_type(backend: str, blob: bytes) -> None:
    with pytest.raises((zlib.error, EOFError)):
        _inflate(blob)


def test_zstd_and_plain_pass_through() -> None:
    data = _content(2 << 20)
    packed = zstandard.ZstdCompressor().compress(data)
    assert b"".join(_inflate(packed)) == data
    assert b"".join(_inflate(data)) == data
    assert _inflate(b"") == []


def _pipe(blob: bytes, limit: int = 1 << 40, hash_blob: bool = False) -> LayerPipeline:
    return LayerPipeline(io.BytesIO(blob), "test", Budget("test", limit), hash_blob)


def _helpers_alive() -> list[str]:
    names = ("seawall-fetch", "seawall-inflate", "seawall-hash")
    return [t.name for t in threading.enumerate() if t.name in names]


def test_pipeline_hashes_every_byte_while_the_walker_skips(backend: str) -> None:
    data = _content(5 << 20)
    blob = gzip.compress(data, compresslevel=1)
    pipe = _pipe(blob, hash_blob=True)
    stream = pipe.stream
    try:
        assert stream.read(10) == data[:10]
        assert stream.seek(3 << 20, io.SEEK_CUR) == 10 + (3 << 20)
        assert stream.tell() == 10 + (3 << 20)
        assert stream.read(5) == data[10 + (3 << 20) : 15 + (3 << 20)]
        with pytest.raises(OSError, match="backward"):
            stream.seek(0)
        digest, count, blob_digest = pipe.finish()  # the walker stops long before the end
    finally:
        pipe.stop()
    assert digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert count == len(data)
    assert blob_digest == "sha256:" + hashlib.sha256(blob).hexdigest()
    assert _helpers_alive() == []


def test_seek_past_the_end_stops_at_the_end() -> None:
    pipe = _pipe(b"0123456789")
    try:
        assert pipe.stream.seek(100, io.SEEK_CUR) == 10
        assert pipe.stream.read(1) == b""
        assert pipe.finish()[1] == 10
    finally:
        pipe.stop()


def test_budget_exhausted_in_the_reader_reaches_the_walker_and_finish() -> None:
    pipe = _pipe(gzip.compress(bytes(8 << 20)), limit=3 << 20)
    try:
        with pytest.raises(SourceError, match="decompression bomb"):
            while pipe.stream.read(1 << 20):
                pass
        with pytest.raises(SourceError, match="decompression bomb"):
            pipe.finish()
    finally:
        pipe.stop()
    assert _helpers_alive() == []


class _FailingSource(io.RawIOBase):
    """A blob whose connection breaks after some data."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self._data.readinto(buffer)
        if not n:
            raise ConnectionResetError("connection reset by peer")
        return n


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_a_broken_fetch_is_the_error_seen(compress: bool) -> None:
    data = _content(1 << 20)
    blob = gzip.compress(data) if compress else data
    pipe = LayerPipeline(_FailingSource(blob), "test", Budget("test", 1 << 40))  # type: ignore[arg-type]
    try:
        with pytest.raises(ConnectionResetError):
            while pipe.stream.read(1 << 16):
                pass
        with pytest.raises(ConnectionResetError):
            pipe.finish()
    finally:
        pipe.stop()


def test_stop_ends_the_threads_while_queues_are_full() -> None:
    pipe = _pipe(gzip.compress(_content(40 << 20), compresslevel=1))
    assert pipe.stream.read(100)  # the walker takes one chunk and gives up (e.g. a bad header)
    pipe.stop()
    assert _helpers_alive() == []


def test_both_inflaters_load_the_same_image(kit, tmp_path: Path, monkeypatch) -> None:
    _need_isal()
    spec = kit.spec(
        layers=[
            [kit.file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"), kit.file("a", "1")],
            [kit.file("big", _content(3 << 20)), kit.whiteout("a")],
        ]
    )
    layout = str(kit.oci_layout(spec, tmp_path / "layout", compression="gzip"))
    images = []
    for choice in ("zlib", "isal"):
        monkeypatch.setenv("SEAWALL_GZIP", choice)
        images.append(load_image(layout))
    zlib_image, isal_image = images
    assert [layer.diff_id for layer in zlib_image.layers] == [
        layer.diff_id for layer in isal_image.layers
    ]
    assert (
        sorted(e.path for e in zlib_image.fs)
        == sorted(e.path for e in isal_image.fs)
        == [
            "big",
            "etc/os-release",
        ]
    )
    assert inflate._isal_backend() is not None


def _three_layer_layout(kit, path: Path) -> tuple[Path, list[Path]]:
    spec = kit.spec(
        layers=[
            [kit.file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n")],
            [kit.file("one", _content(2 << 20))],
            [kit.file("two", _content(6 << 20)), kit.whiteout("one")],
        ]
    )
    layout = kit.oci_layout(spec, path, compression="gzip")
    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads(
        (layout / "blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]).read_text()
    )
    blobs = [layout / "blobs/sha256" / d["digest"].split(":")[1] for d in manifest["layers"]]
    return layout, blobs


def test_layers_read_two_at_a_time_are_applied_in_order(kit, tmp_path: Path) -> None:
    layout, _ = _three_layer_layout(kit, tmp_path / "layout")
    image = load_image(str(layout))
    assert sorted(e.path for e in image.fs) == ["etc/os-release", "two"]
    assert [layer.index for layer in image.layers] == [0, 1, 2]
    assert image.layers[2].size > 6 << 20
    assert _helpers_alive() == []


@pytest.mark.parametrize("broken", [0, 1, 2])
def test_the_lowest_broken_layer_is_reported_and_the_rest_cancelled(
    kit, tmp_path: Path, broken: int
) -> None:
    layout, blobs = _three_layer_layout(kit, tmp_path / "layout")
    data = blobs[broken].read_bytes()
    blobs[broken].write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(SourceError, match=f"layer {broken}:"):
        load_image(str(layout))
    layer_workers = [t for t in threading.enumerate() if t.name.startswith("seawall-layer")]
    assert layer_workers == [] and _helpers_alive() == []
