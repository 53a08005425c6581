"""The forward-only tar reader agrees with tarfile on ustar, GNU and pax archives."""

from __future__ import annotations

import io
import tarfile

import pytest

from seawall.image.tarstream import TarFormatError, TarReader

LONG = "very/" * 30 + "long-name.txt"  # > 100 bytes: prefix (ustar), 'L' (GNU) or pax path


def _archive(fmt: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:

        def add(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", **extra) -> None:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            for key, value in extra.items():
                setattr(info, key, value)
            tar.addfile(info, io.BytesIO(data) if data else None)

        add("dir", tarfile.DIRTYPE, mode=0o1777)
        add("dir/file", data=b"hello" * 300, mode=0o4755, uid=1000, gid=1000)
        add(LONG, data=b"long")
        target = "../" + LONG if fmt != tarfile.USTAR_FORMAT else "../file"
        add("dir/link", tarfile.SYMTYPE, linkname=target)
        add("dir/hard", tarfile.LNKTYPE, linkname="dir/file")
        add("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3)
        add("fifo", tarfile.FIFOTYPE)
        if fmt != tarfile.USTAR_FORMAT:
            add("bigid", data=b"x", uid=2**24)  # needs base-256 (GNU) or pax
            add("ünïcödé-" + "x" * 120, data=b"u")
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_matches_tarfile(fmt: int) -> None:
    data = _archive(fmt)
    expected = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for info in tar:
            body = tar.extractfile(info).read() if info.isreg() else b""
            expected.append(
                (
                    info.name,
                    info.mode,
                    info.uid,
                    info.size if info.isreg() else 0,
                    info.linkname,
                    body,
                )
            )
    reader = TarReader(io.BytesIO(data))
    got = []
    for entry in reader:
        body = reader.read() if entry.type == "file" else b""
        got.append(
            (entry.name.rstrip("/"), entry.mode, entry.uid, entry.size, entry.linkname, body)
        )
    assert got == expected
    kinds = [e.type for e in TarReader(io.BytesIO(data))]
    assert kinds[:7] == ["dir", "file", "file", "symlink", "hardlink", "char", "fifo"]


def test_partial_body_reads_then_skip() -> None:
    data = _archive(tarfile.PAX_FORMAT)
    reader = TarReader(io.BytesIO(data))
    names = []
    for entry in reader:
        names.append(entry.name)
        if entry.type == "file":
            reader.read(3)  # the rest of the body is skipped by the next iteration
    assert names[1] == "dir/file" and len(names) == 9


def test_bad_checksum_and_truncation() -> None:
    data = bytearray(_archive(tarfile.USTAR_FORMAT))
    data[0] ^= 0xFF
    with pytest.raises(TarFormatError, match="checksum"):
        list(TarReader(io.BytesIO(bytes(data))))
    good = _archive(tarfile.USTAR_FORMAT)
    with pytest.raises(TarFormatError, match="unexpected end"):
        list(TarReader(io.BytesIO(good[:1000])))
