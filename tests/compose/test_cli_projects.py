"""``seawall check`` groups a folder's Compose files into projects as ``docker compose`` reads them,
and a finding on a value written in an override file points at that file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from compose_helpers import write_files

from seawall.cli import main
from seawall.parsers.compose import discover_projects, group_projects

BASE = "services:\n  web:\n    image: nginx:1.27\n    read_only: true\n"


def _check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *argv, "--no-config", "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _located(report: dict[str, Any], root: Path) -> list[tuple[str, str, int]]:
    return sorted(
        (f["code"], Path(f["path"]).resolve().relative_to(root.resolve()).as_posix(), f["line"])
        for f in report["findings"]
    )


@pytest.mark.parametrize(
    ("base", "override"),
    [
        ("compose.yaml", "compose.override.yaml"),
        ("compose.yml", "compose.override.yml"),
        ("docker-compose.yml", "docker-compose.override.yml"),
        ("docker-compose.yaml", "docker-compose.override.yaml"),
    ],
)
def test_finding_in_the_override_file_points_at_it(
    base: str, override: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(
        tmp_path,
        {base: BASE, override: "services:\n  web:\n    user: '10'\n    privileged: true\n"},
    )
    code, report = _check(capsys, str(tmp_path), "--select", "CR001,CR002,CR003")
    assert code == 1
    assert report["errors"] == []
    # The override's `user` cures CR002 (merged), its `privileged` is reported where it is written.
    assert _located(report, tmp_path) == [("CR001", override, 4)]


def test_variant_file_is_merged_over_the_base_and_base_findings_are_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(
        tmp_path,
        {
            "docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n",
            "docker-compose.override.yml": "services:\n  web:\n    read_only: true\n",
            "docker-compose.prod.yml": "services:\n  web:\n    pid: host\n",
        },
    )
    code, report = _check(capsys, str(tmp_path), "--select", "CR003,CR011")
    assert code == 1
    # CR003 fires in the prod project only (the override sets read_only for the default one);
    # CR011 is written in the prod file and reported there.
    assert _located(report, tmp_path) == [
        ("CR003", "docker-compose.yml", 2),
        ("CR011", "docker-compose.prod.yml", 3),
    ]


def test_shared_base_finding_is_not_repeated_per_variant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
            "compose.dev.yaml": "services:\n  web:\n    environment: [A=1]\n",
            "compose.prod.yaml": "services:\n  web:\n    environment: [A=2]\n",
        },
    )
    code, report = _check(capsys, str(tmp_path), "--select", "CR001")
    assert code == 1
    assert _located(report, tmp_path) == [("CR001", "compose.yaml", 4)]


def test_error_in_a_shared_base_is_reported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: [\n",
            "compose.prod.yaml": "services:\n  web:\n    pid: host\n",
        },
    )
    code, report = _check(capsys, str(tmp_path))
    assert code == 2
    assert len(report["errors"]) == 1
    assert report["errors"][0]["path"].endswith("compose.yaml")


def test_second_primary_file_is_checked_on_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(
        tmp_path,
        {
            "compose.yaml": BASE,
            "docker-compose.yml": "services:\n  old:\n    image: a:1\n    network_mode: host\n",
        },
    )
    code, report = _check(capsys, str(tmp_path), "--select", "CR010")
    assert code == 1
    assert _located(report, tmp_path) == [("CR010", "docker-compose.yml", 4)]


def test_explicit_variant_file_is_checked_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
            "compose.ci.yaml": "services:\n  test:\n    image: a:1\n    ipc: host\n",
        },
    )
    code, report = _check(capsys, str(tmp_path / "compose.ci.yaml"), "--select", "CR001,CR012")
    assert code == 1
    assert _located(report, tmp_path) == [("CR012", "compose.ci.yaml", 4)]


def test_grouping(tmp_path: Path) -> None:
    names = [
        "a/compose.yaml",
        "a/compose.override.yaml",
        "a/docker-compose.override.yml",
        "a/docker-compose.yml",
        "a/compose.prod.yaml",
        "a/stack.yaml",
        "b/compose.override.yml",
        "b/docker-compose.test.yml",
    ]
    write_files(tmp_path, {name: "services: {}\n" for name in names})
    got = group_projects([tmp_path / n for n in names])
    assert [[p.relative_to(tmp_path).as_posix() for p in files] for files in got] == [
        ["a/compose.yaml", "a/compose.override.yaml"],
        ["a/docker-compose.yml"],
        ["a/compose.yaml", "a/docker-compose.override.yml"],
        ["a/compose.yaml", "a/compose.prod.yaml"],
        ["a/stack.yaml"],
        ["b/compose.override.yml"],
        ["b/docker-compose.test.yml"],
    ]
    # A folder read directly takes only compose-named files.
    assert [p.name for p in discover_projects(tmp_path / "a")[-1]] == [
        "compose.yaml",
        "compose.prod.yaml",
    ]


def test_walking_finds_every_name_the_loader_groups(tmp_path: Path) -> None:
    from seawall.parsers.compose import is_compose_name
    from seawall.targets.discover import discover

    names = [
        "compose.yaml",
        "compose.override.yml",
        "docker-compose.prod.yml",
        "docker-compose-ci.yaml",
        "compose-dev.yaml",
        "compose_test.yml",
        "docker-compose_local.yml",
    ]
    write_files(tmp_path, {name: "services: {}\n" for name in [*names, "stack.yml"]})
    found = sorted(p.name for p in discover([tmp_path]).compose_files)
    assert found == sorted(names)
    assert all(is_compose_name(n) for n in names) and not is_compose_name("stack.yml")
