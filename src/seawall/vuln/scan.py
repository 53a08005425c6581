"""One call for commands: match an inventory, apply the policy, and produce findings.

``seawall image … --vulns`` and the audit of running containers call ``scan_image_packages``
(a ``Report``) or ``scan_with_settings`` (everything, for SBOM enrichment) with the inventory's
packages; the database, ledger, exceptions and policy come from ``VulnSettings`` so the
commands stay thin. ``scan_packages`` is the same with every input spelled out.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.model.finding import Finding, Report
from seawall.model.package import Package
from seawall.rules._base import Context, Rule
from seawall.vuln.db import DEFAULT_MAX_AGE, open_for_scan, utcnow
from seawall.vuln.exceptions import VulnException, load_exceptions
from seawall.vuln.ledger import Ledger, load_ledger, save_ledger
from seawall.vuln.match import VulnMatch, match_packages
from seawall.vuln.policy import PolicyResult, PolicySettings, evaluate, settings_from_mapping
from seawall.vuln.rules import VULN_RULES, findings_from_policy
from seawall.vuln.settings import VulnSettings

if TYPE_CHECKING:
    from seawall.config import Config


@dataclass(frozen=True)
class VulnScan:
    """The matches, the policy's decisions and the findings for one image or container.

    ``blocking`` holds the ``(rule_id, anchor)`` of the findings that fail the gate, so a caller
    that filters findings afterwards (baseline, ignores) can still tell whether the gate fails.
    """

    matches: tuple[VulnMatch, ...]
    policy: PolicyResult
    findings: tuple[Finding, ...]
    blocking: frozenset[tuple[str, str]] = frozenset()

    @property
    def passed(self) -> bool:
        """True when the policy gate passes."""
        return self.policy.passed


def scan_packages(
    packages: Sequence[Package],
    target: str,
    *,
    db_path: str | os.PathLike[str] | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    allow_stale: bool = False,
    ledger_path: str | os.PathLike[str] | None = None,
    update_ledger: bool = False,
    exceptions_path: str | os.PathLike[str] | None = None,
    exceptions: Sequence[VulnException] = (),
    settings: PolicySettings | None = None,
    now: datetime | None = None,
    today: date | None = None,
    ctx: Context | None = None,
    rules: Sequence[Rule[Any]] = VULN_RULES,
) -> VulnScan:
    """Match ``packages``, apply the policy, and build findings located at ``target``.

    Raises ``DatabaseError``/``StaleDatabaseError`` (missing, corrupt, locked, stale database)
    and ``ConfigError`` (bad ledger or exceptions file); all are one-line SeawallErrors.
    With ``update_ledger`` the ledger file is rewritten (new findings dated today, vanished
    ones pruned) after the decisions were taken with the old one. ``now`` is the clock the
    database's age is measured against; ``today`` (default: ``now``'s date) is the policy's day —
    both injectable for tests and reproducible builds.
    """
    moment = now or utcnow()
    day = today or moment.date()
    ledger = load_ledger(Path(ledger_path)) if ledger_path is not None else Ledger()
    all_exceptions = list(exceptions)
    if exceptions_path is not None:
        all_exceptions.extend(load_exceptions(Path(exceptions_path)))
    with open_for_scan(db_path, max_age=max_age, allow_stale=allow_stale, now=moment) as db:
        matches = match_packages(db, packages)
    result = evaluate(matches, ledger, all_exceptions, day, settings)
    if update_ledger and ledger_path is not None:
        save_ledger(Path(ledger_path), ledger.updated(matches, day))
    findings = findings_from_policy(result, target, rules, ctx=ctx)
    blocked = dataclasses.replace(
        result, decisions=tuple(d for d in result.decisions if d.blocking)
    )
    blocking = frozenset(
        (f.rule_id, f.anchor) for f in findings_from_policy(blocked, target, rules, ctx=ctx)
    )
    return VulnScan(tuple(matches), result, tuple(findings), blocking)


def scan_with_settings(
    packages: Sequence[Package],
    target: str,
    settings: VulnSettings | None = None,
    *,
    config: Config | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> VulnScan:
    """``scan_packages`` with inputs from ``settings`` (default: ``config.vulns`` or defaults).

    ``config`` also selects the VULN rules (``select``/``ignore``) and their severity overrides.
    """
    from seawall.engine import make_context, select_rules
    from seawall.rules._base import TargetKind

    chosen = settings or (config.vulns if config is not None else None) or VulnSettings()
    rules: Sequence[Rule[Any]] = VULN_RULES
    ctx = None
    if config is not None:
        rules = select_rules(config, TargetKind.VULNERABILITIES)
        ctx = make_context(config, target)
    return scan_packages(
        packages,
        target,
        db_path=chosen.db,
        max_age=chosen.max_age,
        allow_stale=chosen.allow_stale,
        ledger_path=chosen.ledger,
        update_ledger=chosen.update_ledger,
        exceptions_path=chosen.exceptions,
        settings=settings_from_mapping(chosen.policy) if chosen.policy else None,
        now=now,
        today=today,
        ctx=ctx,
        rules=rules,
    )


def scan_image_packages(
    packages: Sequence[Package],
    image_ref: str,
    settings: VulnSettings | None = None,
    *,
    config: Config | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Report:
    """The vulnerability findings of one image's (or running container's) packages as a Report.

    Blocking findings are at least HIGH, so the usual ``--fail-on`` exit code fails the gate;
    the report is not finalized (no baseline, not sorted with other targets' findings).
    """
    scan = scan_with_settings(packages, image_ref, settings, config=config, today=today, now=now)
    used = {f.rule_id for f in scan.findings}
    rules = {r.meta.id: r for r in VULN_RULES if r.meta.id in used}
    return Report(findings=list(scan.findings), targets=[image_ref], rules=rules)
