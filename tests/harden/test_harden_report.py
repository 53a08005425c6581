"""Rendering the verification outcome as text and JSON (from plain values, no engine)."""

from __future__ import annotations

import json

from seawall.harden.inspection import Confinement
from seawall.harden.owners import Ownership
from seawall.harden.plan import Assessment, Change, Hardened
from seawall.harden.report import render_diff, render_json, render_verification
from seawall.harden.status import ServiceStatus
from seawall.harden.summary import Summary
from seawall.harden.verify import RunOutcome, Verification
from seawall.harden.workspace import FileChange
from seawall.model.finding import Report

WORKS = ServiceStatus("web", "running", health="healthy", ports=(("80/tcp", True),))
CRASHED = ServiceStatus("web", "exited", exit_code=1)
CHANGE = Change("docker-compose.yml", 3, "CR003", "read-only root", ("web",))
CONFINED = Confinement("web", "10001:10001", (("non-root", True), ("read-only", False)))


def outcome(label: str, status: ServiceStatus, up_error: str | None = None) -> RunOutcome:
    return RunOutcome(label, {"web": status}, up_error, (CONFINED,))


def verification(culprits: frozenset[Change] | None, final: RunOutcome) -> Verification:
    hardened = outcome("hardened", CRASHED, "web exited")
    broken = {"web": ("was running, now exited (1)",)}
    final_broken = {} if final.statuses["web"].working else broken
    empty = Hardened(Assessment(Report(), Ownership()), ())
    return Verification(
        outcome("original", WORKS), hardened, broken, culprits, empty, final, final_broken, 4
    )


def test_text_names_the_breakage_the_culprit_and_the_confinement() -> None:
    kept = verification(frozenset({CHANGE}), outcome("hardened-minus-1", WORKS))
    text = render_verification(kept)
    assert "BROKEN web: was running, now exited (1)" in text
    assert f"changes that broke it:\n  {CHANGE.label}" in text
    assert "the project works" in text
    assert "docker-compose up of the hardened project failed: web exited" in text
    assert "10001:10001" in text and "NO" in text


def test_text_when_the_breakage_cannot_be_attributed() -> None:
    stuck = verification(None, outcome("hardened", CRASHED))
    text = render_verification(stuck)
    assert "could not attribute the breakage to single changes" in text
    assert "confinement" not in text  # only shown for a project that passed


def test_json_carries_statuses_culprits_and_confinement() -> None:
    summary = Summary((), 20, 90)
    kept = verification(frozenset({CHANGE}), outcome("hardened-minus-1", WORKS))
    files = [FileChange("docker-compose.yml", "a\n", "b\n"), FileChange("s", None, "pw", 0o600)]
    document = json.loads(render_json(summary, kept, files, written=True))
    verify = document["verify"]
    assert verify["passed"] is True and verify["runs"] == 4
    assert verify["services"]["web"]["hardened"]["exit_code"] == 1
    assert verify["services"]["web"]["original"]["ports"] == {"80/tcp": True}
    assert verify["culprits"] == [
        {"services": ["web"], "rule": "CR003", "title": "read-only root",
         "path": "docker-compose.yml", "line": 3}
    ]  # fmt: skip
    assert verify["confinement"]["web"] == {
        "user": "10001:10001",
        "non-root": True,
        "read-only": False,
    }
    assert document["files"] == [
        {"path": "docker-compose.yml", "created": False},
        {"path": "s", "created": True},
    ]
    assert "pw" not in json.dumps(document)


def test_diff_never_shows_a_new_secret_file() -> None:
    diff = render_diff(
        [FileChange("a.yml", "x: 1\n", "x: 2\n"), FileChange("secrets/db", None, "hunter2", 0o600)]
    )
    assert "-x: 1\n+x: 2\n" in diff
    assert "new file secrets/db (mode 0600; content not shown)" in diff
    assert "hunter2" not in diff
