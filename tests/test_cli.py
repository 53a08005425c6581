"""The command line as a user runs it: exit codes, formats, bad input, fixes, baseline, config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def seawall(
    *args: str, cwd: Path | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "seawall", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        input=input_text,
        timeout=120,
    )


ROOT_DF = "FROM debian:bookworm-slim\nUSER root\n"
CLEAN_DF = 'FROM debian:bookworm-slim\nUSER 10001\nHEALTHCHECK CMD ["true"]\nCMD ["true"]\n'


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_exit_1_on_findings_and_0_when_clean(tmp_path: Path) -> None:
    write(tmp_path, "bad/Dockerfile", ROOT_DF)
    result = seawall("check", "--select", "DF001", str(tmp_path / "bad"))
    assert result.returncode == 1, result.stderr
    assert "DF001" in result.stdout and "USER root" in result.stdout
    write(tmp_path, "good/Dockerfile", CLEAN_DF)
    result = seawall("check", "--select", "DF001", str(tmp_path / "good"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_fail_on_threshold_and_exit_zero(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", ROOT_DF)
    assert (
        seawall("check", "--select", "DF001", "--fail-on", "critical", str(tmp_path)).returncode
        == 0
    )
    assert seawall("check", "--select", "DF001", "--exit-zero", str(tmp_path)).returncode == 0


def test_json_output_fields(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", ROOT_DF)
    result = seawall("check", "--select", "DF001", "--format", "json", str(tmp_path / "Dockerfile"))
    data = json.loads(result.stdout)
    (finding,) = data["findings"]
    assert finding["code"] == "DF001" and finding["line"] == 2 and finding["column"] == 1
    assert finding["end_line"] == 2 and finding["end_column"] == 10
    assert "DL3002" in finding["aliases"]
    assert any(r["id"] == "4.1" for r in finding["references"])


def test_output_file_written(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", ROOT_DF)
    out = tmp_path / "report.sarif"
    result = seawall(
        "check",
        "--select",
        "DF001",
        "--format",
        "sarif",
        "-o",
        str(out),
        str(tmp_path / "Dockerfile"),
    )
    assert result.returncode == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Dockerfile", b"FROM a\n\x00\x01\x02binary", "binary"),
        ("Dockerfile", b"FROM a\nRUN echo \xff\xfe\n", "not UTF-8"),
        ("Dockerfile", b"FROM a\nRUN <<EOF\necho\n", "unterminated heredoc"),
        ("Dockerfile", b"FROM a\nFROBNICATE x\n", "unknown instruction"),
    ],
)
def test_bad_input_is_one_line_error_exit_2(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    write(tmp_path, "other/Dockerfile", ROOT_DF)
    result = seawall("check", "--select", "DF001", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    error_lines = [line for line in result.stdout.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and message in error_lines[0]
    assert "other/Dockerfile:2:1: DF001" in result.stdout  # the other target was still checked


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    with path.open("wb") as handle:
        handle.write(b"FROM a\n")
        handle.write(b"# padding padding padding padding\n" * (50 * 1024 * 1024 // 35))
    result = seawall("check", str(path))
    assert result.returncode == 2 and "too large" in result.stdout


def test_empty_file_windows_file_and_missing_path(tmp_path: Path) -> None:
    write(tmp_path, "empty/Dockerfile", "")
    assert seawall("check", str(tmp_path / "empty")).returncode == 0
    win = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\nUSER ContainerUser\n"
    write(tmp_path, "win/Dockerfile", win)
    result = seawall("check", str(tmp_path / "win"))
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    result = seawall("check", str(tmp_path / "missing"))
    assert result.returncode == 2 and "no such file" in result.stdout
    (tmp_path / "link").mkdir()
    (tmp_path / "link" / "Dockerfile").symlink_to(tmp_path / "nowhere")
    write(tmp_path, "link/sub/Dockerfile", ROOT_DF)
    result = seawall("check", "--select", "DF001", str(tmp_path / "link"))
    assert result.returncode == 2 and "link/Dockerfile: error: no such file" in result.stdout
    assert "sub/Dockerfile:2:1: DF001" in result.stdout


def test_inline_suppressions_own_and_peer(tmp_path: Path) -> None:
    for pragma in (
        "# seawall: ignore=DF001 -- builder image",
        "# hadolint ignore=DL3002",
        "#trivy:ignore:DS-0002",
    ):
        write(tmp_path, "Dockerfile", f"FROM debian:bookworm-slim\n{pragma}\nUSER root\n")
        result = seawall("check", "--select", "DF001", str(tmp_path / "Dockerfile"))
        assert result.returncode == 0, (pragma, result.stdout)
        assert "1 suppressed" in result.stdout
    write(
        tmp_path,
        "Dockerfile",
        "#checkov:skip=CKV_DOCKER_8:reason\nFROM debian:bookworm-slim\nUSER root\n",
    )
    assert seawall("check", "--select", "DF001", str(tmp_path / "Dockerfile")).returncode == 0


def test_config_file_and_unknown_keys(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", ROOT_DF)
    write(tmp_path, ".seawall.toml", 'select = ["DF001"]\nfail-on = "critical"\n')
    assert seawall("check", ".", cwd=tmp_path).returncode == 0
    write(tmp_path, ".seawall.toml", 'selcet = ["DF001"]\n')
    result = seawall("check", ".", cwd=tmp_path)
    assert result.returncode == 2 and "unknown configuration key" in result.stderr
    assert "Traceback" not in result.stderr
    write(tmp_path, ".seawall.toml", '[severity]\nDF001 = "critical"\n')
    result = seawall("check", "--select", "DF001", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(result.stdout)["findings"][0]["severity"] == "critical"


def test_baseline_create_and_use(tmp_path: Path) -> None:
    write(tmp_path, "Dockerfile", ROOT_DF)
    baseline = tmp_path / "baseline.json"
    result = seawall("baseline", "create", "--select", "DF001", "-o", str(baseline), str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "USER root" not in baseline.read_text()  # fingerprints, never source text
    result = seawall("check", "--select", "DF001", "--baseline", str(baseline), str(tmp_path))
    assert result.returncode == 0 and "1 baselined" in result.stdout
    write(tmp_path, "new/Dockerfile", ROOT_DF.replace("bookworm", "trixie"))
    result = seawall("check", "--select", "DF001", "--baseline", str(baseline), str(tmp_path))
    assert result.returncode == 1


def test_rules_listing_and_rule_doc() -> None:
    result = seawall("rules", "--format", "json")
    rules = json.loads(result.stdout)["rules"]
    df001 = next(r for r in rules if r["id"] == "DF001")
    assert "DL3002" in df001["aliases"] and df001["severity"] == "high"
    doc = seawall("rule", "DL3002")
    assert doc.returncode == 0 and "DF001" in doc.stdout and "## Why is this bad?" in doc.stdout
    assert seawall("rule", "NOPE999").returncode == 2


def test_usage_errors_exit_2() -> None:
    assert seawall("check", "--format", "xml").returncode == 2
    assert seawall().returncode == 2
    assert seawall("--version").stdout.startswith("seawall ")
