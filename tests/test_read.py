"""Reading a target: what fstat announces is read, and anything that grows stays bounded."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from seawall.errors import SourceError
from seawall.targets.read import read_text_file


def test_a_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\n" * 1000)
    assert read_text_file(path, "Dockerfile").text == "FROM alpine:3.20\n" * 1000


def test_a_file_at_the_cap_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"#" * 4096)
    assert len(read_text_file(path, "Dockerfile", max_bytes=4096).text) == 4096
    path.write_bytes(b"#" * 4097)
    with pytest.raises(SourceError, match="file too large"):
        read_text_file(path, "Dockerfile", max_bytes=4096)


def test_a_device_with_no_size_is_read_up_to_the_cap() -> None:
    # fstat gives 0 for a device: it is read on, and an endless one is cut at the cap.
    with pytest.raises(SourceError, match="file too large"):
        read_text_file(Path("/dev/zero"), "zero", max_bytes=1024)


def test_a_pipe_is_read_past_its_announced_size(tmp_path: Path) -> None:
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    body = b"FROM alpine:3.20\nRUN true\n" * 300  # more than one pipe read

    def feed() -> None:
        with open(fifo, "wb") as writer:
            writer.write(body)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        assert read_text_file(fifo, "Dockerfile").text == body.decode()
    finally:
        feeder.join(timeout=10)


def test_an_empty_pipe_reads_as_an_empty_file(tmp_path: Path) -> None:
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    closer = threading.Thread(target=lambda: open(fifo, "wb").close())
    closer.start()
    try:
        assert read_text_file(fifo, "Dockerfile").text == ""
    finally:
        closer.join(timeout=10)
