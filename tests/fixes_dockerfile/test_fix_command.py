"""``check --fix`` / ``--unsafe-fixes`` / ``--diff`` on Dockerfiles, end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.cli import main
from seawall.config import Config
from seawall.fixes.dockerfile import fix_dockerfile_text

ORIGINAL = (
    'FROM alpine:3.20\n# seawall: ignore=DF057\nRUN apk add curl\nRUN apk add git\nCMD ["sh"]\n'
)


@pytest.fixture()
def dockerfile(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(ORIGINAL)
    return path


def _run(*argv: str) -> int:
    return main(["check", "--select", "DF057,DF001", *argv])


def test_fix_applies_safe_fixes_only_and_honours_suppressions(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("--fix", str(dockerfile)) == 1  # DF001 (unsafe fix) remains
    capsys.readouterr()
    assert dockerfile.read_text() == ORIGINAL.replace(
        "RUN apk add git", "RUN apk add --no-cache git"
    )


def test_unsafe_fixes_add_the_user_too(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("--unsafe-fixes", str(dockerfile)) == 0
    capsys.readouterr()
    assert dockerfile.read_text() == (
        "FROM alpine:3.20\n# seawall: ignore=DF057\nRUN apk add curl\nRUN apk add --no-cache git\n"
        "RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app\n"
        'USER 10001:10001\nCMD ["sh"]\n'
    )


def test_diff_writes_nothing(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--unsafe-fixes", "--diff", str(dockerfile)) == 0
    out = capsys.readouterr().out
    assert "+USER 10001:10001\n" in out and "+RUN apk add --no-cache git\n" in out
    assert dockerfile.read_text() == ORIGINAL


def test_fix_dockerfile_text_is_the_same_fix_in_memory() -> None:
    result = fix_dockerfile_text(ORIGINAL, "Dockerfile", Config(), unsafe=True)
    assert result.changed and result.applied >= 2
    assert "RUN apk add curl\n" in result.fixed  # suppressed: left alone
    again = fix_dockerfile_text(result.fixed, "Dockerfile", Config(), unsafe=True)
    assert not again.changed and again.applied == 0
