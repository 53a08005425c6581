"""Writing outputs and fixes whole or not at all, without changing what the file was."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from seawall.atomic import write_text_atomic
from seawall.cli import main
from seawall.errors import SeawallError


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("old\n")
    path.chmod(0o640)
    write_text_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_gets_what_open_would_give(tmp_path: Path, umask_027: None) -> None:
    path = tmp_path / "report.sarif"
    write_text_atomic(path, "{}\n", sync=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0666 less the umask, not 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif"]


def test_a_pipe_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    # ``--output /dev/stdout`` or a named pipe: renaming a temporary file over it would replace
    # the device or pipe with a regular file (it did happen to /dev/null on a test machine).
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read_all() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=read_all)
    reader.start()
    write_text_atomic(fifo, "report\n")
    reader.join(timeout=10)
    assert received == [b"report\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pipe"]  # no temporary left


def test_a_folder_that_does_not_exist_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SeawallError, match=r"report\.json: cannot write baseline: "):
        write_text_atomic(tmp_path / "missing" / "report.json", "{}", what="write baseline")


def test_fixing_a_dockerfile_keeps_its_permissions(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nADD app.txt /app/\n")
    dockerfile.chmod(0o644)
    main(["check", "--no-config", "--fix", str(dockerfile)])
    assert "COPY app.txt /app/" in dockerfile.read_text()  # the fix was written
    assert stat.S_IMODE(dockerfile.stat().st_mode) == 0o644
