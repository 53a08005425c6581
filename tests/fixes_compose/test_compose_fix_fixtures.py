"""``bad*.fixed.yaml`` beside the Compose rule fixtures: the unsafe fixes of one rule turn
``bad*.yaml`` into exactly that text; fixing again changes nothing; the fixed project no longer
fires the rule except where the fix is only displayed (and says why)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.fixer import allowed
from seawall.fixes.compose import plan_compose_fixes
from seawall.parsers.compose import LoadOptions, load_project
from seawall.rules._base import FixAvailability
from seawall.rules.compose import COMPOSE_RULES
from seawall.rules.workload import WORKLOAD_RULES
from seawall.targets.compose import check_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
FIXABLE = sorted(
    r.meta.id for r in (*WORKLOAD_RULES, *COMPOSE_RULES) if r.meta.fix is not FixAvailability.NONE
)
CASES = sorted(
    (p.parent.name, p.name.replace(".fixed.yaml", ".yaml"))
    for rule_id in FIXABLE
    for p in (FIXTURES / rule_id).glob("bad*.fixed.yaml")
)


def _plan(root: Path, name: str, rule_id: str):  # type: ignore[no-untyped-def]
    return plan_compose_fixes(
        [root / name],
        Config(select=(rule_id,)),
        unsafe=True,
        options=LoadOptions(environ={}, display_root=root),
    )


def test_every_fixable_compose_rule_has_a_fixed_fixture() -> None:
    assert FIXABLE, "no Compose rule declares a fix"
    have = {rule_id for rule_id, _ in CASES}
    assert have == set(FIXABLE)


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c}" for r, c in CASES])
def test_fixed_fixture(rule_id: str, case: str, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / rule_id / case, tmp_path / case)
    before = check_project(
        load_project([tmp_path / case], LoadOptions(environ={}, display_root=tmp_path)),
        Config(select=(rule_id,)),
    )
    shown_only = [f for f in before.findings if not allowed(f.fix, unsafe=True)]
    plan = _plan(tmp_path, case, rule_id)
    expected = (FIXTURES / rule_id / case.replace(".yaml", ".fixed.yaml")).read_text()
    [change] = [c for c in plan.changes if c.display == case]
    assert change.fixed == expected
    # Fixed text no longer fires, except findings whose fix is only displayed (with a reason).
    assert len(plan.remaining) == len(shown_only)
    for finding in plan.remaining:
        assert finding.fix is not None and "not applied:" in finding.fix.title
    assert {a.rule_id for a in plan.applied} == {rule_id}
    # Idempotence: the fixed project has nothing left to fix.
    (tmp_path / case).write_text(change.fixed)
    again = _plan(tmp_path, case, rule_id)
    assert again.changes == () and again.applied == ()


def test_secret_fixture_creates_private_files(tmp_path: Path) -> None:
    from seawall.fixes.compose import write_plan

    case = "bad_fix.yaml"
    shutil.copy(FIXTURES / "CR024" / case, tmp_path / case)
    plan = _plan(tmp_path, case, "CR024")
    created = {c.path.name: c for c in plan.changes if c.created}
    assert set(created) == {
        ".gitignore",
        "db_postgres_password.secret",
        "mysql_mysql_root_password.secret",
        "mysql_mysql_password.secret",
    }
    assert "hunter2" not in plan.diff() and "s3cr3t" not in plan.diff()
    write_plan(plan)
    secret = tmp_path / "db_postgres_password.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text() == "hunter2"
    assert (tmp_path / "mysql_mysql_password.secret").read_text() == "s3cr3t"
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    assert "/db_postgres_password.secret" in ignored and len(ignored) == 3
    # The project loads with the secrets declared and the *_FILE variables set.
    project = load_project([tmp_path / case], LoadOptions(environ={}, display_root=tmp_path))
    assert project.secrets["db_postgres_password"].mode == 0o600
    env = {v.name: v.value for v in project.services["db"].environment}
    assert env["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_postgres_password"
    assert "POSTGRES_PASSWORD" not in env


@pytest.mark.parametrize(
    ("rule_id", "edited", "expected"),
    [
        ("CR001", "compose.override.yaml", "    privileged: false\n"),
        ("CR003", "compose.override.yaml", "    read_only: true\n"),
    ],
)
def test_override_file_is_edited_where_the_value_is_written(
    rule_id: str, edited: str, expected: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / rule_id / "bad_override", root)
    plan = plan_compose_fixes(
        [root / "compose.yaml", root / "compose.override.yaml"],
        Config(select=(rule_id,)),
        unsafe=True,
        options=LoadOptions(environ={}, display_root=root),
    )
    changed = {c.display: c for c in plan.changes}
    assert edited in changed
    assert changed[edited].fixed.endswith(expected)
    assert plan.remaining == ()
