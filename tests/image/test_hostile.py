"""Hostile archives are data: nothing touches the host, memory and work stay bounded."""

from __future__ import annotations

import gzip
import io
import tarfile
import uuid
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.errors import SourceError
from seawall.image.audit import audit_image
from seawall.image.limits import Limits
from seawall.image.load import load_image


def _raw_member(name: str, kind: bytes, data: bytes = b"", linkname: str = "", size=None) -> bytes:
    info = tarfile.TarInfo("placeholder")
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if size is None else size
    info.mode = 0o644
    header = bytearray(info.tobuf(format=tarfile.USTAR_FORMAT))
    encoded = name.encode()
    header[0:100] = encoded.ljust(100, b"\0")[:100]
    _checksum(header)
    padding = b"\0" * ((512 - len(data) % 512) % 512)
    return bytes(header) + data + padding


def _checksum(header: bytearray) -> None:
    header[148:156] = b" " * 8
    total = sum(header)
    header[148:156] = f"{total:06o}\0 ".encode()


def _end() -> bytes:
    return b"\0" * 1024


def _image(kit, tmp_path: Path, layers: list[bytes], diff_ids: bool = True) -> Path:
    spec = kit.spec(layers=[[] for _ in layers], raw_layers=layers, diff_ids=diff_ids)
    return kit.docker_save(spec, tmp_path / "hostile.tar")


def test_traversal_absolute_links_and_devices_are_data(kit, tmp_path: Path) -> None:
    marker = f"seawall-evil-{uuid.uuid4().hex}"
    layer = b"".join(
        [
            _raw_member(f"../../../../../tmp/{marker}", tarfile.REGTYPE, b"pwned"),
            _raw_member(f"/tmp/{marker}-abs", tarfile.REGTYPE, b"pwned"),
            _raw_member("evil-link", tarfile.SYMTYPE, linkname="../../../../etc/shadow"),
            _raw_member("lnk", tarfile.LNKTYPE, linkname="does/not/exist"),
            _raw_member("dev/sda", tarfile.BLKTYPE),
            _end(),
        ]
    )
    image = load_image(str(_image(kit, tmp_path, [layer])))
    assert not Path(f"/tmp/{marker}").exists() and not Path(f"/tmp/{marker}-abs").exists()
    kinds = sorted({a.kind for a in image.fs.anomalies})
    assert kinds == [
        "absolute-path",
        "device",
        "hardlink-missing-target",
        "link-escapes-root",
        "path-traversal",
    ]
    # Traversal is clamped at the image root, as container runtimes do when applying layers.
    assert image.fs.get(f"tmp/{marker}") is not None
    assert image.fs.resolve("evil-link") == "etc/shadow"
    report = audit_image(image, Config(select=("IMG022",)))
    assert len(report.findings) == 5
    assert {f.rule_id for f in report.findings} == {"IMG022"}


def _gnu_sparse(name: str, realsize: int, chunk: bytes) -> bytes:
    """An old-GNU sparse member: one data chunk at offset 0, claiming ``realsize`` bytes."""
    info = tarfile.TarInfo(name)
    info.size = len(chunk)
    header = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    header[156:157] = tarfile.GNUTYPE_SPARSE
    header[386:398] = f"{0:011o}\0".encode()  # sparse[0].offset
    header[398:410] = f"{len(chunk):011o}\0".encode()  # sparse[0].numbytes
    header[482:483] = b"\0"  # not extended
    header[483:495] = b"\x80" + realsize.to_bytes(11, "big")  # realsize, GNU base-256
    _checksum(header)
    return bytes(header) + chunk + b"\0" * ((512 - len(chunk) % 512) % 512)


def test_huge_sparse_file_is_not_read(kit, tmp_path: Path) -> None:
    terabyte = 1 << 40
    layer = _gnu_sparse("root/.env", terabyte, b"A" * 512) + _end()
    image = load_image(str(_image(kit, tmp_path, [layer])))
    entry = image.fs.get("root/.env")
    assert entry.size == terabyte
    assert image.fs.content("root/.env") is None  # over the capture cap: body never read


def test_decompression_bomb_is_refused(kit, tmp_path: Path) -> None:
    zeros = io.BytesIO()
    with tarfile.open(fileobj=zeros, mode="w") as tar:
        info = tarfile.TarInfo("zeros")
        info.size = 64 << 20
        tar.addfile(info, io.BytesIO(b"\0" * info.size))
    bomb = gzip.compress(zeros.getvalue(), compresslevel=9)
    assert len(bomb) < 200_000
    path = _image(kit, tmp_path, [bomb], diff_ids=False)
    with pytest.raises(SourceError, match="decompression bomb"):
        load_image(str(path), limits=Limits(max_total_bytes=16 << 20))
    # Within a larger budget the same layer is fine (and its body is never kept).
    assert load_image(str(path)).fs.get("zeros").size == 64 << 20


def test_entry_count_is_bounded(kit, tmp_path: Path) -> None:
    layer = b"".join(_raw_member(f"f{i}", tarfile.REGTYPE) for i in range(300)) + _end()
    path = _image(kit, tmp_path, [layer])
    with pytest.raises(SourceError, match="more than 100 archive entries"):
        load_image(str(path), limits=Limits(max_entries=100))


def test_oversized_extended_header_is_refused(kit, tmp_path: Path) -> None:
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    info.size = 512 << 20  # tarfile would read this much into memory
    header = info.tobuf(format=tarfile.USTAR_FORMAT)
    path = _image(kit, tmp_path, [header + b"\0" * 512], diff_ids=False)
    with pytest.raises(SourceError, match=r"corrupt archive.*extended header"):
        load_image(str(path))


@pytest.mark.parametrize(
    "blob",
    [
        gzip.compress(b"\0" * 4096)[:-10],  # truncated gzip
        b"\x1f\x8b" + b"garbage" * 50,  # bad gzip
        b"\x28\xb5\x2f\xfd" + b"garbage" * 50,  # bad zstd
        b"x" * 2048,  # not a tar
    ],
    ids=["truncated-gzip", "bad-gzip", "bad-zstd", "not-tar"],
)
def test_corrupt_layers_give_source_errors(kit, tmp_path: Path, blob: bytes) -> None:
    path = _image(kit, tmp_path, [blob], diff_ids=False)
    with pytest.raises(SourceError, match="layer 0"):
        load_image(str(path))


def test_truncated_member_data(kit, tmp_path: Path) -> None:
    layer = _raw_member("big", tarfile.REGTYPE, b"x" * 100, size=10 << 20)[:1024]
    path = _image(kit, tmp_path, [layer], diff_ids=False)
    with pytest.raises(SourceError, match="layer 0"):
        load_image(str(path))
