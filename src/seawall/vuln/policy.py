"""The vulnerability policy gate: block, deadlines, exceptions and UNKNOWN severity.

Defaults follow the project's seeds: CRITICAL and HIGH block; MEDIUM must be fixed within 30
days of first detection (from the ledger); exceptions suppress until they expire, and an expired
exception stops suppressing and is reported; UNKNOWN severity is treated as HIGH when a fix
exists and MEDIUM otherwise (``unknown_as="auto"``), or as a fixed level, or ignored. "Today"
is always passed in, so results are reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

from seawall.errors import ConfigError
from seawall.model.finding import Severity

if TYPE_CHECKING:  # annotations only: loading the configuration imports this module
    from seawall.vuln.exceptions import VulnException
    from seawall.vuln.ledger import Ledger
    from seawall.vuln.match import VulnMatch


class Outcome(Enum):
    """What the policy decided for one vulnerability in one package."""

    BLOCKED = "blocked"  # a blocking severity with no valid exception
    OVERDUE = "overdue"  # a deadline severity past its due date
    DUE = "due"  # a deadline severity still within its deadline
    EXPIRED_EXCEPTION = "expired-exception"  # an exception covered it but has expired
    UNKNOWN_SEVERITY = "unknown-severity"  # no severity anywhere; treated as the policy says
    EXCEPTED = "excepted"  # suppressed by a valid exception
    UNVERIFIED = "unverified"  # the version could not be compared: possibly affected
    INFORMATIONAL = "informational"  # below every threshold


@dataclass(frozen=True)
class PolicySettings:
    """The knobs of the gate (defaults are the project policy)."""

    block: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH})
    deadlines: Mapping[Severity, int] = field(default_factory=lambda: {Severity.MEDIUM: 30})
    unknown_as: str = "auto"  # auto | ignore | a severity name
    block_unfixed: bool = True  # blocking severities block even with no fix released
    expiry_warning_days: int = 14

    def __post_init__(self) -> None:
        if self.unknown_as not in ("auto", "ignore"):
            try:
                Severity.parse(self.unknown_as)
            except ValueError as exc:
                raise ConfigError(f"unknown_as: {exc}") from None


@dataclass(frozen=True)
class Decision:
    """The policy's verdict on one match."""

    match: VulnMatch
    outcome: Outcome
    severity: Severity | None  # the severity the policy used (assigned for UNKNOWN)
    blocking: bool
    first_seen: date
    due: date | None = None
    exception: VulnException | None = None
    note: str = ""


@dataclass(frozen=True)
class PolicyResult:
    """Every decision plus the exceptions that matched nothing."""

    decisions: tuple[Decision, ...]
    unused_exceptions: tuple[VulnException, ...]
    today: date

    @property
    def passed(self) -> bool:
        """True when nothing blocks."""
        return not any(d.blocking for d in self.decisions)

    def with_outcome(self, *outcomes: Outcome) -> tuple[Decision, ...]:
        """Decisions with any of these outcomes."""
        return tuple(d for d in self.decisions if d.outcome in outcomes)

    def for_match(self, match: VulnMatch) -> Decision | None:
        """The decision taken on ``match``."""
        return next((d for d in self.decisions if d.match is match), None)


def _assumed(match: VulnMatch, settings: PolicySettings) -> Severity | None:
    if settings.unknown_as == "ignore":
        return None
    if settings.unknown_as == "auto":
        return Severity.HIGH if match.fixed_version else Severity.MEDIUM
    return Severity.parse(settings.unknown_as)


def _base(
    severity: Severity | None, match: VulnMatch, first_seen: date, today: date, s: PolicySettings
) -> tuple[Outcome, bool, date | None]:
    if severity is None:
        return Outcome.INFORMATIONAL, False, None
    if severity in s.block and (s.block_unfixed or match.fixed_version):
        return Outcome.BLOCKED, True, None
    days = s.deadlines.get(severity)
    if days is not None:
        due = first_seen + timedelta(days=days)
        return (Outcome.OVERDUE, True, due) if today > due else (Outcome.DUE, False, due)
    return Outcome.INFORMATIONAL, False, None


def decide(
    match: VulnMatch,
    ledger: Ledger,
    exceptions: Sequence[VulnException],
    today: date,
    settings: PolicySettings,
) -> Decision:
    """The policy decision for one match."""
    first_seen = ledger.first_seen(match.id, match.package_key) or today
    covering = [e for e in exceptions if e.covers(match)]
    valid = next((e for e in covering if not e.expired(today)), None)
    expired = next((e for e in covering if e.expired(today)), None)
    known = match.rating.severity
    severity = known if known is not None else _assumed(match, settings)
    outcome, blocking, due = _base(severity, match, first_seen, today, settings)
    if not match.certain:
        note = "; ".join(match.notes) or "version could not be compared"
        return Decision(match, Outcome.UNVERIFIED, severity, False, first_seen, due, None, note)
    if valid is not None:
        left = (valid.expires - today).days
        note = f"exception expires in {left} days" if left <= settings.expiry_warning_days else ""
        return Decision(match, Outcome.EXCEPTED, severity, False, first_seen, due, valid, note)
    if expired is not None:
        return Decision(
            match, Outcome.EXPIRED_EXCEPTION, severity, blocking, first_seen, due, expired
        )
    if known is None:
        return Decision(match, Outcome.UNKNOWN_SEVERITY, severity, blocking, first_seen, due)
    return Decision(match, outcome, severity, blocking, first_seen, due)


def evaluate(
    matches: Iterable[VulnMatch],
    ledger: Ledger,
    exceptions: Sequence[VulnException],
    today: date,
    settings: PolicySettings | None = None,
) -> PolicyResult:
    """Apply the policy to every match; ``today`` is injected for reproducible results."""
    policy = settings or PolicySettings()
    decisions = tuple(decide(m, ledger, exceptions, today, policy) for m in matches)
    used = {id(d.exception) for d in decisions if d.exception is not None}
    unused = tuple(e for e in exceptions if id(e) not in used)
    return PolicyResult(decisions, unused, today)


_SETTING_KEYS = frozenset({"block", "deadlines", "unknown_as", "block_unfixed"})
_SETTING_KEYS = _SETTING_KEYS | {"expiry_warning_days"}


def settings_from_mapping(
    data: Mapping[str, Any], origin: str = "vulnerability policy"
) -> PolicySettings:
    """Policy settings from configuration, e.g. a ``[tool.seawall.vulns]`` table::

        block = ["critical", "high"]
        deadlines = {medium = 30}
        unknown_as = "auto"        # auto | ignore | critical | high | medium | low
        block_unfixed = true
        expiry_warning_days = 14

    Unknown keys and bad values are ``ConfigError``s.
    """
    unknown = sorted(set(data) - _SETTING_KEYS)
    if unknown:
        raise ConfigError(f"{origin}: unknown key(s) {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    try:
        if "block" in data:
            if not isinstance(data["block"], list):
                raise ValueError("'block' must be a list of severities")
            kwargs["block"] = frozenset(Severity.parse(str(s)) for s in data["block"])
        if "deadlines" in data:
            if not isinstance(data["deadlines"], Mapping):
                raise ValueError("'deadlines' must map severities to days")
            deadlines = {}
            for key, days in data["deadlines"].items():
                if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                    raise ValueError(f"deadline for {key} must be a whole number of days")
                deadlines[Severity.parse(str(key))] = days
            kwargs["deadlines"] = deadlines
        if "unknown_as" in data:
            kwargs["unknown_as"] = str(data["unknown_as"]).lower()
        for flag in ("block_unfixed",):
            if flag in data:
                if not isinstance(data[flag], bool):
                    raise ValueError(f"'{flag}' must be true or false")
                kwargs[flag] = data[flag]
        if "expiry_warning_days" in data:
            value = data["expiry_warning_days"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError("'expiry_warning_days' must be a whole number of days")
            kwargs["expiry_warning_days"] = value
    except ValueError as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    return PolicySettings(**kwargs)
