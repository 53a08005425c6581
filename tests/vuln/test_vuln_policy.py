"""The policy gate: blocking, MEDIUM deadlines from the ledger, exceptions, UNKNOWN severity."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from seawall.errors import ConfigError
from seawall.model.finding import Severity
from seawall.model.package import Package
from seawall.vuln.exceptions import VulnException, load_exceptions
from seawall.vuln.ledger import Ledger, load_ledger, save_ledger
from seawall.vuln.match import VulnMatch
from seawall.vuln.policy import Outcome, PolicySettings, evaluate
from seawall.vuln.severity import UNKNOWN, Rating

TODAY = date(2026, 11, 22)


def vm(
    cve: str,
    severity: Severity | None,
    *,
    fixed: str | None = "1.1",
    name: str = "openssl",
    certain: bool = True,
) -> VulnMatch:
    rating = Rating(severity, "cvss_v3", 7.5) if severity is not None else UNKNOWN
    package = Package(name, "1.0", "Debian:12", f"pkg:deb/debian/{name}@1.0?arch=amd64")
    return VulnMatch(
        id=cve,
        record_ids=(f"DSA-{cve[-4:]}-1",),
        aliases=("GHSA-xxxx-yyyy-zzzz",),
        package=package,
        matched_name=name,
        matched_version="1.0",
        fixed_version=fixed,
        rating=rating,
        summary="test",
        published=None,
        certain=certain,
        notes=() if certain else ("not a Debian version: 'x'",),
    )


def exc(ident: str | None, expires: date, package: str | None = None) -> VulnException:
    return VulnException(ident, package, "not reachable", "team@example.com", expires)


def only(matches: list[VulnMatch], **kw: object) -> tuple[Outcome, bool]:
    result = evaluate(matches, kw.pop("ledger", Ledger()), kw.pop("exceptions", ()), TODAY, **kw)  # type: ignore[arg-type]
    (decision,) = result.decisions
    return decision.outcome, decision.blocking


def test_critical_and_high_block() -> None:
    assert only([vm("CVE-1", Severity.CRITICAL)]) == (Outcome.BLOCKED, True)
    assert only([vm("CVE-1", Severity.HIGH)]) == (Outcome.BLOCKED, True)
    assert only([vm("CVE-1", Severity.LOW)]) == (Outcome.INFORMATIONAL, False)


def test_unfixed_high_blocks_unless_configured() -> None:
    assert only([vm("CVE-1", Severity.HIGH, fixed=None)]) == (Outcome.BLOCKED, True)
    relaxed = PolicySettings(block_unfixed=False)
    assert only([vm("CVE-1", Severity.HIGH, fixed=None)], settings=relaxed)[1] is False


def test_medium_deadline_from_the_ledger() -> None:
    match = vm("CVE-2", Severity.MEDIUM)
    key = ("CVE-2", "pkg:deb/debian/openssl")
    overdue = Ledger({key: TODAY - timedelta(days=31)})
    on_due_day = Ledger({key: TODAY - timedelta(days=30)})
    assert only([match], ledger=overdue) == (Outcome.OVERDUE, True)
    assert only([match], ledger=on_due_day) == (Outcome.DUE, False)
    result = evaluate([match], Ledger(), (), TODAY)  # new: the clock starts today
    assert result.decisions[0].due == TODAY + timedelta(days=30)
    assert result.passed


def test_exceptions_expiring_tomorrow_and_expired_yesterday() -> None:
    match = vm("CVE-3", Severity.HIGH)
    valid = exc("CVE-3", TODAY + timedelta(days=1))
    result = evaluate([match], Ledger(), [valid], TODAY)
    (d,) = result.decisions
    assert (d.outcome, d.blocking, d.exception) == (Outcome.EXCEPTED, False, valid)
    assert "expires in 1 days" in d.note
    assert result.passed and result.unused_exceptions == ()

    expired = exc("CVE-3", TODAY - timedelta(days=1))
    result = evaluate([match], Ledger(), [expired], TODAY)
    (d,) = result.decisions
    assert (d.outcome, d.blocking, d.exception) == (Outcome.EXPIRED_EXCEPTION, True, expired)
    assert not result.passed


def test_expiry_day_itself_still_suppresses() -> None:
    assert (
        only([vm("CVE-3", Severity.HIGH)], exceptions=[exc("CVE-3", TODAY)])[0] == Outcome.EXCEPTED
    )


def test_exception_by_alias_and_by_package() -> None:
    match = vm("CVE-4", Severity.HIGH)
    by_alias = exc("ghsa-xxxx-yyyy-zzzz", TODAY + timedelta(days=9))
    by_package = exc(None, TODAY + timedelta(days=9), package="pkg:deb/debian/openssl@9.9")
    wrong_package = exc("CVE-4", TODAY + timedelta(days=9), package="pkg:deb/debian/zlib")
    assert only([match], exceptions=[by_alias])[0] == Outcome.EXCEPTED
    assert only([match], exceptions=[by_package])[0] == Outcome.EXCEPTED
    result = evaluate([match], Ledger(), [wrong_package], TODAY)
    assert result.decisions[0].outcome == Outcome.BLOCKED
    assert result.unused_exceptions == (wrong_package,)


def test_unknown_severity_is_a_policy_choice() -> None:
    with_fix = vm("CVE-5", None, fixed="1.1")
    without_fix = vm("CVE-5", None, fixed=None)
    assert only([with_fix]) == (Outcome.UNKNOWN_SEVERITY, True)  # auto: HIGH when fixable
    result = evaluate([without_fix], Ledger(), (), TODAY)  # auto: MEDIUM otherwise
    assert (result.decisions[0].outcome, result.decisions[0].severity) == (
        Outcome.UNKNOWN_SEVERITY,
        Severity.MEDIUM,
    )
    assert result.passed
    assert only([with_fix], settings=PolicySettings(unknown_as="ignore"))[1] is False
    assert only([without_fix], settings=PolicySettings(unknown_as="critical"))[1] is True
    with pytest.raises(ConfigError):
        PolicySettings(unknown_as="dreadful")


def test_uncertain_match_never_blocks() -> None:
    assert only([vm("CVE-6", Severity.CRITICAL, certain=False)]) == (Outcome.UNVERIFIED, False)


def test_ledger_update_adds_and_prunes(tmp_path: Path) -> None:
    old = Ledger({("CVE-OLD", "pkg:deb/debian/gone"): date(2026, 1, 1),
                  ("CVE-2", "pkg:deb/debian/openssl"): date(2026, 10, 1)})  # fmt: skip
    new = old.updated([vm("CVE-2", Severity.MEDIUM), vm("CVE-7", Severity.LOW)], TODAY)
    assert new.entries == {
        ("CVE-2", "pkg:deb/debian/openssl"): date(2026, 10, 1),
        ("CVE-7", "pkg:deb/debian/openssl"): TODAY,
    }
    path = tmp_path / "ledger.json"
    save_ledger(path, new)
    assert load_ledger(path) == new
    assert load_ledger(tmp_path / "missing.json") == Ledger()
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


@pytest.mark.parametrize(
    "text",
    ["{", '{"version": 2, "entries": []}', '{"version": 1, "entries": [{"id": "x"}]}',
     '{"version": 1, "entries": [{"id": "x", "package": "p", "first_seen": "yesterday"}]}'],
)  # fmt: skip
def test_bad_ledger_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="ledger"):
        load_ledger(path)


def test_exceptions_from_yaml_and_toml(tmp_path: Path) -> None:
    yml = tmp_path / "exceptions.yaml"
    yml.write_text(
        "exceptions:\n"
        "  - id: CVE-2024-1\n    package: pkg:deb/debian/openssl\n    reason: not used\n"
        "    owner: alice\n    expires: 2026-12-31\n    vex: not_affected\n"
        "    justification: code_not_reachable\n"
    )
    toml = tmp_path / "exceptions.toml"
    toml.write_text(
        '[[exceptions]]\nid = "CVE-2024-1"\npackage = "pkg:deb/debian/openssl"\n'
        'reason = "not used"\nowner = "alice"\nexpires = 2026-12-31\nvex = "not_affected"\n'
        'justification = "code_not_reachable"\n'
    )
    (from_yaml,) = load_exceptions(yml)
    assert load_exceptions(toml) == (from_yaml,)
    assert from_yaml.expires == date(2026, 12, 31) and from_yaml.vex == "not_affected"


_OK = "exceptions:\n  - id: C\n    reason: r\n    owner: o\n    expires: 2026-12-31\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("exceptions:\n  - id: CVE-1\n    reason: r\n    expires: 2026-12-31\n", "'owner'"),
        ("exceptions:\n  - id: CVE-1\n    reason: r\n    owner: o\n", "'expires' is required"),
        ("exceptions:\n  - id: CVE-1\n    reason: r\n    owner: o\n    expires: soon\n", "date"),
        ("exceptions:\n  - reason: r\n    owner: o\n    expires: 2026-12-31\n", "'id'"),
        (_OK + "    colour: x\n", "colour"),
        (_OK + "    vex: maybe\n", "vex"),
        ("exceptions: [unclosed\n", "invalid YAML"),
    ],
)  # fmt: skip
def test_bad_exceptions_are_config_errors(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message):
        load_exceptions(path)
