"""Writing Compose fix plans: all files or none, and bad input gives one clear error with the
originals intact (file changed on disk, read-only file, symlinked file, duplicate keys)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.errors import FixError, ParseError
from seawall.fixes.compose import ComposeFixPlan, FileChange, plan_compose_fixes, write_plan
from seawall.model.finding import Report
from seawall.parsers.compose import LoadOptions

PROJECT = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: Xq9-s3cret-value
    # keep me
    privileged: true
"""


def _plan(path: Path, *rules: str) -> ComposeFixPlan:
    return plan_compose_fixes(
        [path],
        Config(select=rules or ("CR001", "CR024")),
        unsafe=True,
        options=LoadOptions(environ={}, display_root=path.parent),
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_write_keeps_mode_and_creates_secret_files(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(PROJECT)
    compose.chmod(0o640)
    plan = _plan(compose)
    assert {a.rule_id for a in plan.applied} == {"CR001", "CR024"}
    assert {a.service for a in plan.applied} == {"db"}
    write_plan(plan)
    assert stat.S_IMODE(compose.stat().st_mode) == 0o640
    assert "privileged" not in compose.read_text()
    assert "# keep me" not in compose.read_text()  # the comment described the deleted key
    assert stat.S_IMODE((tmp_path / "db_postgres_password.secret").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))


def test_file_changed_on_disk_after_planning(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(PROJECT)
    plan = _plan(compose)
    compose.write_text(PROJECT + "# edited meanwhile\n")
    before = _files(tmp_path)
    with pytest.raises(FixError, match="changed on disk while fixing; nothing written"):
        write_plan(plan)
    assert _files(tmp_path) == before  # no secret file, no .gitignore, the edit kept


def test_read_only_file(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(PROJECT)
    compose.chmod(0o444)
    plan = _plan(compose)
    before = _files(tmp_path)
    with pytest.raises(FixError, match="read-only"):
        write_plan(plan)
    assert _files(tmp_path) == before


def test_symlinked_compose_file_fixes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "stack.yaml").write_text(PROJECT)
    link_dir = tmp_path / "app"
    link_dir.mkdir()
    link = link_dir / "compose.yaml"
    link.symlink_to(real / "stack.yaml")
    plan = _plan(link, "CR001")
    [change] = plan.changes
    assert change.path == (real / "stack.yaml").resolve()
    write_plan(plan)
    assert link.is_symlink()
    assert "privileged" not in (real / "stack.yaml").read_text()


def test_duplicate_keys_are_refused_before_any_fix(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web:\n    image: a\n    image: b\n")
    with pytest.raises(ParseError, match="duplicate key 'image'"):
        _plan(compose)
    assert compose.read_text() == "services:\n  web:\n    image: a\n    image: b\n"


def test_a_failing_write_rolls_back_the_files_already_written(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("old\n")
    first.chmod(0o604)
    plan = ComposeFixPlan(
        files=(first,),
        changes=(
            FileChange(first, "a.yaml", "old\n", "new\n"),
            FileChange(tmp_path / "missing-dir" / "s.secret", "s.secret", None, "x", 0o600),
        ),
        applied=(),
        remaining=(),
        before=Report(),
        after=Report(),
    )
    # The new file's folder appears between the checks and the write: the write then fails.
    (tmp_path / "missing-dir").mkdir()
    (tmp_path / "missing-dir").chmod(0o500)
    if os.geteuid() == 0:  # root ignores permission bits: make the folder a file instead
        (tmp_path / "missing-dir").rmdir()
        (tmp_path / "missing-dir").write_text("not a folder")
    with pytest.raises(FixError, match="nothing written"):
        write_plan(plan)
    assert first.read_text() == "old\n"
    assert stat.S_IMODE(first.stat().st_mode) == 0o604


def test_cli_diff_writes_nothing_and_never_shows_the_secret(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(PROJECT)
    run = subprocess.run(
        [sys.executable, "-m", "seawall", "check", "--unsafe-fixes", "--diff", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "-    privileged: true" in run.stdout
    assert "+      POSTGRES_PASSWORD_FILE: /run/secrets/db_postgres_password" in run.stdout
    assert "new file db_postgres_password.secret (mode 0600; content not shown)" in run.stdout
    assert "Xq9-s3cret-value" not in run.stdout + run.stderr
    assert compose.read_text() == PROJECT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compose.yaml"]


def test_cli_unsafe_fixes_write_and_recheck(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(PROJECT)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "seawall",
            "check",
            "--unsafe-fixes",
            "--select",
            "CR001,CR024",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "fixed compose.yaml" in run.stderr
    assert "created db_postgres_password.secret" in run.stderr
    assert (tmp_path / ".gitignore").read_text() == "/db_postgres_password.secret\n"


def test_cli_duplicate_keys_exit_2_and_leave_the_file(tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: a\n    privileged: true\n    privileged: false\n"
    (tmp_path / "compose.yaml").write_text(text)
    run = subprocess.run(
        [sys.executable, "-m", "seawall", "check", "--unsafe-fixes", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "duplicate key 'privileged'" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert (tmp_path / "compose.yaml").read_text() == text


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_reports_never_show_the_secret_a_fix_would_write(fmt: str, tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(PROJECT)
    run = subprocess.run(
        [sys.executable, "-m", "seawall", "check", "--format", fmt, "--select", "CR024", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert "CR024" in run.stdout
    assert "Xq9-s3cret-value" not in run.stdout + run.stderr


def test_a_fix_whose_output_no_longer_loads_is_refused_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seawall.fixes.compose import rulefix
    from seawall.model.fix import Edit, Fix
    from seawall.model.source import Span

    def broken(editor: object, *_: object) -> Fix:
        text = (tmp_path / "compose.yaml").read_text()
        at = text.index("privileged")
        return Fix.unsafe("break the file", Edit(Span(at, at), "[", "compose.yaml"))

    monkeypatch.setitem(rulefix._KINDS, "privileged", broken)
    compose = tmp_path / "compose.yaml"
    compose.write_text(PROJECT)
    plan = plan_compose_fixes(
        [compose],
        Config(select=("CR001", "CR006")),
        unsafe=True,
        options=LoadOptions(environ={}, display_root=tmp_path),
    )
    assert [a.rule_id for a in plan.applied] == ["CR006"]
    assert [f.rule_id for f in plan.remaining] == ["CR001"]
    assert len(plan.notes) == 1 and plan.notes[0].startswith("break the file: not applied")
    assert "privileged: true" in plan.changes[0].fixed
