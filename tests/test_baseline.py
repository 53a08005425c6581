"""Baselines: fingerprints without lines or secrets, counting, atomic writes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seawall.baseline import (
    Baseline,
    apply_baseline,
    create_baseline,
    load_baseline,
    write_baseline,
)
from seawall.config import Config
from seawall.engine import finalize
from seawall.errors import ConfigError, SeawallError
from seawall.model.finding import Finding, Report, Severity
from seawall.model.source import SourceFile, Span
from seawall.rules._base import Context, Rule, RuleMeta, TargetKind

SECRET = "hunter2-s3cr3t-value"


class EnvSecret(Rule[Any]):
    """## What it does
    Sample rule: reports ENV lines.
    """

    meta = RuleMeta(
        id="TB001",
        name="sample-env-secret",
        title="Sample: secret in ENV",
        severity=Severity.HIGH,
        targets=frozenset({TargetKind.DOCKERFILE}),
        remediation="Use a build secret.",
    )


RULE = EnvSecret()


def findings_for(text: str, path: str = "Dockerfile") -> list[Finding]:
    """One finding per ENV line, anchored on the line's text as real rules do."""
    source = SourceFile(path, text)
    ctx = Context(target=path, source=source)
    found = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("ENV"):
            found.append(
                ctx.finding(RULE, "secret in ENV", span=Span(offset, offset + len(line) - 1))
            )
        offset += len(line)
    return found


DOCKERFILE = f"FROM scratch\nENV TOKEN={SECRET}\nENV OTHER=1\n"


def test_create_counts_fingerprints_without_lines_or_secrets() -> None:
    twice = DOCKERFILE + f"ENV TOKEN={SECRET}\n"
    doc = create_baseline(findings_for(twice))
    assert doc["version"] == 1
    entries = doc["findings"]
    assert sorted(e["count"] for e in entries) == [1, 2]
    assert all(set(e) == {"rule", "path", "anchor", "count"} for e in entries)
    text = json.dumps(doc)
    assert SECRET not in text
    assert "line" not in text


def test_round_trip_and_apply_survives_moved_lines(tmp_path: Path) -> None:
    baseline_file = tmp_path / "seawall-baseline.json"
    write_baseline(baseline_file, findings_for(DOCKERFILE))
    assert SECRET not in baseline_file.read_text(encoding="utf-8")
    loaded = load_baseline(baseline_file)
    assert len(loaded) == 2
    moved = "# a comment pushes everything down\n\n" + DOCKERFILE
    kept, dropped = apply_baseline(findings_for(moved), baseline_file)
    assert (kept, dropped) == ([], 2)


def test_only_as_many_copies_as_counted_are_dropped(tmp_path: Path) -> None:
    baseline_file = tmp_path / "b.json"
    write_baseline(baseline_file, findings_for(DOCKERFILE))
    grown = DOCKERFILE + f"ENV TOKEN={SECRET}\nENV NEW=2\n"
    kept, dropped = apply_baseline(findings_for(grown), baseline_file)
    assert dropped == 2
    assert len(kept) == 2
    # The accepted copy is the first one; the later duplicate and the new line are reported.
    source = SourceFile("Dockerfile", grown)
    lines = sorted(source.position(f.location.span.start).line for f in kept if f.location.span)
    assert lines == [4, 5]


def test_apply_keeps_input_order_and_accepts_a_loaded_baseline() -> None:
    findings = findings_for(DOCKERFILE + "ENV NEW=2\n")
    accepted = Baseline({("TB001", "Dockerfile", findings[1].anchor): 1})
    kept, dropped = apply_baseline(list(reversed(findings)), accepted)
    assert dropped == 1
    assert kept == [findings[2], findings[0]]


def test_paths_are_normalized() -> None:
    base = create_baseline(findings_for(DOCKERFILE, "./deploy/Dockerfile"))
    assert {e["path"] for e in base["findings"]} == {"deploy/Dockerfile"}
    kept, dropped = apply_baseline(
        findings_for(DOCKERFILE, "deploy\\Dockerfile"),
        Baseline({(e["rule"], e["path"], e["anchor"]): e["count"] for e in base["findings"]}),
    )
    assert (len(kept), dropped) == (0, 2)


def test_other_files_and_rules_do_not_match(tmp_path: Path) -> None:
    baseline_file = tmp_path / "b.json"
    write_baseline(baseline_file, findings_for(DOCKERFILE))
    kept, dropped = apply_baseline(findings_for(DOCKERFILE, "other/Dockerfile"), baseline_file)
    assert (len(kept), dropped) == (2, 0)


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text("previous", encoding="utf-8")
    write_baseline(target, findings_for(DOCKERFILE))
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]


def test_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()  # os.replace of a file onto a directory fails
    (target / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(SeawallError, match="cannot write baseline"):
        write_baseline(target, findings_for(DOCKERFILE))
    assert (target / "keep").read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_write_into_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SeawallError, match="cannot write baseline"):
        write_baseline(tmp_path / "missing" / "b.json", [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid baseline JSON at line 1 column 2"),
        ("[]", "not a seawall baseline"),
        ('{"version": 2, "findings": []}', "unsupported baseline version 2"),
        ('{"findings": []}', "unsupported baseline version None"),
        ('{"version": 1}', "'findings' must be a list"),
        ('{"version": 1, "findings": [3]}', r"findings\[1\] must be an object"),
        ('{"version": 1, "findings": [{"rule": "X"}]}', "needs string 'rule', 'path', 'anchor'"),
        (
            '{"version": 1, "findings": [{"rule": "X", "path": "p", "anchor": "a", "count": 0}]}',
            "count must be a positive integer",
        ),
    ],
)
def test_bad_baselines_are_one_line_config_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_baseline(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_missing_and_non_utf8_baselines(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="baseline file not found"):
        load_baseline(tmp_path / "nope.json")
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_baseline(binary)


def test_engine_finalize_applies_the_baseline(tmp_path: Path) -> None:
    baseline_file = tmp_path / "b.json"
    old = findings_for(DOCKERFILE)
    write_baseline(baseline_file, old)
    new = findings_for(DOCKERFILE + "ENV NEW=2\n")
    report = finalize(Report(findings=list(new)), Config(baseline=baseline_file))
    assert report.baselined == 2
    assert [f.message for f in report.findings] == ["secret in ENV"]
    assert report.findings[0].anchor not in {f.anchor for f in old}


def test_create_works_when_the_configured_baseline_does_not_exist_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seawall.cli import main

    (tmp_path / "Dockerfile").write_text("FROM debian:12\nRUN apt-get install -y curl\n")
    (tmp_path / ".seawall.toml").write_text('baseline = ".seawall-baseline.json"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", "create", "-o", ".seawall-baseline.json", "."]) == 0
    recorded = json.loads((tmp_path / ".seawall-baseline.json").read_text())
    assert recorded
    assert main(["check", "."]) == 0  # every finding is now in the baseline
    (tmp_path / "Dockerfile").write_text("FROM debian:12\nRUN apt-get install -y curl\nUSER 0\n")
    assert main(["check", "."]) == 1  # a new finding still fails
