"""``seawall harden`` without a Docker engine: diff, write, idempotence, pragmas, bad input."""

from __future__ import annotations

import json
import os
import resource
import signal
from pathlib import Path

import pytest
from harden_helpers import DEMO, copy_project, seawall, tree

from seawall.config import Config
from seawall.errors import FixError
from seawall.harden.plan import (
    BACKED_OUT_REASON,
    Change,
    Hardener,
    assess,
    find_targets,
    planned_changes,
    with_pragmas,
    without_pragmas,
)
from seawall.harden.workspace import FileChange, Workspace, commit


def test_diff_prints_changes_and_writes_nothing(tmp_path: Path) -> None:
    project = copy_project(DEMO, tmp_path)
    before = tree(project)
    proc = seawall("harden", str(project), "--diff", "--no-config")
    assert proc.returncode == 0, proc.stderr
    assert tree(project) == before
    out = proc.stdout
    assert "+    read_only: true" in out
    assert "+USER 10001:10001" in out
    assert "-ADD index.html" in out and "+COPY index.html" in out
    overall = next(line for line in out.splitlines() if line.startswith("overall"))
    score_before, score_after = (int(x) for x in overall.split()[1:])
    assert score_before < 50 and score_after >= 80


def test_harden_writes_all_files_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    project = copy_project(DEMO, tmp_path)
    proc = seawall("harden", str(project), "--no-config")
    assert proc.returncode == 0, proc.stderr
    assert "hardened: 4 file(s) written" in proc.stdout
    compose = (project / "docker-compose.yml").read_text()
    assert compose.count("read_only: true") == 3
    assert compose.count("- ALL") == 3
    assert "# A small project that works" in compose  # comments kept
    for service in ("web", "worker", "store"):
        assert "USER 10001:10001" in (project / service / "Dockerfile").read_text()
    hardened = tree(project)
    again = seawall("harden", str(project), "--no-config")
    assert again.returncode == 0, again.stderr
    assert "hardened: 0 file(s) written" in again.stdout
    assert tree(project) == hardened


def test_backed_out_change_is_a_pragma_that_stops_its_fix(tmp_path: Path) -> None:
    project = copy_project(DEMO, tmp_path)
    targets = find_targets(project, [])
    config = Config()
    before = assess(targets, targets.root, config)
    changes = planned_changes(before)
    read_only = next(c for c in changes if c.rule_id == "CR003" and c.services == ("store",))
    with Workspace(project) as workspace:
        hardener = Hardener(targets, workspace, config)
        full = hardener.harden()
        partial = hardener.harden(frozenset({read_only}))
        again = hardener.harden()
    assert full.files == again.files  # every pass starts again from the originals
    compose = next(f for f in partial.files if f.path == "docker-compose.yml").fixed
    assert compose.count("read_only: true") == 2
    assert f"  # seawall: ignore=CR003 -- {BACKED_OUT_REASON}\n  store:" in compose
    store_after = [f for f in partial.after.by_owner()["store"] if f.rule_id == "CR003"]
    assert len(store_after) == 1  # still counted against the score
    assert partial.backed_out == frozenset({read_only})
    assert (project / "docker-compose.yml").read_text() == (DEMO / "docker-compose.yml").read_text()


def test_pragmas_round_trip_keep_indentation() -> None:
    text = "services:\n  web:\n    image: x\n  db:\n    image: y\n"
    changes = [
        Change("c.yml", 2, "CR003", "t", ("web",)),
        Change("c.yml", 2, "CR004", "t", ("web",)),
        Change("c.yml", 4, "CR003", "t", ("db",)),
    ]
    marked = with_pragmas(text, changes)
    assert marked.splitlines()[1] == f"  # seawall: ignore=CR003,CR004 -- {BACKED_OUT_REASON}"
    assert marked.splitlines()[4].startswith("  # seawall: ignore=CR003 --")
    assert without_pragmas(marked) == text
    assert without_pragmas("# seawall: ignore=CR003 -- my own reason\n") == (
        "# seawall: ignore=CR003 -- my own reason\n"
    )


def test_commit_refuses_a_file_changed_on_disk_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\n")
    (tmp_path / "b.txt").write_text("two\n")
    changes = [
        FileChange("a.txt", "one\n", "ONE\n"),
        FileChange("b.txt", "stale\n", "TWO\n"),
        FileChange("new.txt", None, "new\n", 0o600),
    ]
    with pytest.raises(FixError, match=r"b\.txt: changed on disk"):
        commit(tmp_path, changes)
    assert (tmp_path / "a.txt").read_text() == "one\n"
    assert not (tmp_path / "new.txt").exists()


def test_commit_rolls_back_when_a_write_fails(tmp_path: Path) -> None:
    # A file-size limit makes the second write fail even for root (EFBIG, SIGXFSZ ignored).
    (tmp_path / "a.txt").write_text("one\n")
    (tmp_path / "b.txt").write_text("two\n")
    changes = [
        FileChange("a.txt", "one\n", "ONE\n"),
        FileChange("new.txt", None, "new\n", 0o644),
        FileChange("b.txt", "two\n", "x" * 4096),
    ]
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, hard))
    try:
        with pytest.raises(FixError, match="nothing changed"):
            commit(tmp_path, changes)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert (tmp_path / "a.txt").read_text() == "one\n"
    assert (tmp_path / "b.txt").read_text() == "two\n"
    assert not (tmp_path / "new.txt").exists()


def test_commit_writes_through_a_symlink_and_keeps_modes(tmp_path: Path) -> None:
    real = tmp_path / "real.yml"
    real.write_text("x: 1\n")
    os.chmod(real, 0o640)
    (tmp_path / "link.yml").symlink_to("real.yml")
    commit(
        tmp_path,
        [FileChange("link.yml", "x: 1\n", "x: 2\n"), FileChange("s/secret", None, "pw\n", 0o600)],
    )
    assert (tmp_path / "link.yml").is_symlink()
    assert real.read_text() == "x: 2\n"
    assert oct(real.stat().st_mode & 0o777) == oct(0o640)
    assert oct((tmp_path / "s" / "secret").stat().st_mode & 0o777) == oct(0o600)


def test_unreachable_daemon_is_one_line_and_leaves_files_alone(tmp_path: Path) -> None:
    project = copy_project(DEMO, tmp_path)
    before = tree(project)
    proc = seawall(
        "harden", str(project), "--verify", env={"DOCKER_HOST": "unix:///nonexistent.sock"}
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("seawall: error: cannot reach Docker daemon")
    assert "Traceback" not in proc.stderr
    assert tree(project) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep-working"], "--keep-working needs --verify"),
        (["--verify", "--verify-timeout", "0"], "--verify-timeout must be positive"),
    ],
)
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    project = copy_project(DEMO, tmp_path)
    proc = seawall("harden", str(project), *args)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"seawall: error: {message}"


def test_missing_path_and_unparsable_project(tmp_path: Path) -> None:
    proc = seawall("harden", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "no such file or directory" in proc.stderr
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  a:\n    image: x\n  a:\n    image: y\n"
    )
    before = tree(tmp_path)
    proc = seawall("harden", str(tmp_path))
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.count("\n") == 1 and "duplicate key 'a'" in proc.stderr
    assert tree(tmp_path) == before


def test_verify_needs_one_compose_project(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    proc = seawall("harden", str(tmp_path), "--verify")
    assert proc.returncode == 2
    assert "--verify needs exactly one Compose project" in proc.stderr


def test_read_only_original_is_hardened_in_the_workspace_but_never_overwritten(
    tmp_path: Path,
) -> None:
    project = copy_project(DEMO, tmp_path)
    compose = project / "docker-compose.yml"
    os.chmod(compose, 0o444)
    before = tree(project)
    diff = seawall("harden", str(project), "--diff", "--no-config")
    assert diff.returncode == 0 and "+    read_only: true" in diff.stdout, diff.stderr
    proc = seawall("harden", str(project), "--no-config")
    assert proc.returncode == 2
    assert proc.stderr == (
        "seawall: error: docker-compose.yml: the file is read-only; nothing written\n"
    )
    assert tree(project) == before


def test_a_dockerfile_without_compose_is_scored_under_its_path(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm\nADD app.py /app/\n")
    proc = seawall("harden", str(tmp_path), "--no-config")
    assert proc.returncode == 0, proc.stderr
    row = proc.stdout.splitlines()[1].split()
    assert row[0] == "Dockerfile" and int(row[1]) < int(row[2])
    fixed = (tmp_path / "Dockerfile").read_text()
    assert "COPY app.py /app/" in fixed and fixed.rstrip().endswith("USER 10001:10001")


def test_json_output_is_one_versioned_document(tmp_path: Path) -> None:
    project = copy_project(DEMO, tmp_path)
    before = tree(project)
    proc = seawall("harden", str(project), "--diff", "--format", "json", "--no-config")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["version"] == 1 and document["written"] is False
    assert document["verify"] is None
    assert document["score"]["before"] < document["score"]["after"]
    web = next(s for s in document["services"] if s["name"] == "web")
    assert any(item.startswith("CR003 ") for item in web["resolved"])
    assert {f["path"] for f in document["files"]} == {
        "docker-compose.yml",
        "web/Dockerfile",
        "worker/Dockerfile",
        "store/Dockerfile",
    }
    assert tree(project) == before
    proc = seawall("harden", str(project), "-F", "json", "--no-config")
    assert proc.returncode == 0 and json.loads(proc.stdout)["written"] is True
    assert tree(project) != before


def test_several_projects_are_told_apart_and_build_contexts_resolve_per_project(
    tmp_path: Path,
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "compose.yaml").write_text("services:\n  web:\n    build: .\n")
        (tmp_path / name / "Dockerfile").write_text("FROM debian:bookworm\nADD x /x\n")
    proc = seawall("harden", str(tmp_path), "--no-config")
    assert proc.returncode == 0, proc.stderr
    rows = [line.split()[0] for line in proc.stdout.splitlines()[1:3]]
    assert rows == ["a/compose.yaml:web", "b/compose.yaml:web"]
    for name in ("a", "b"):
        assert "COPY x /x" in (tmp_path / name / "Dockerfile").read_text()
        assert "read_only: true" in (tmp_path / name / "compose.yaml").read_text()
