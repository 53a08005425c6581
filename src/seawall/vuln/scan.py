"""One call for commands: match an inventory, apply the policy, and produce findings.

``seawall image … --vulns`` and the audit of running containers call ``scan_packages`` with the
inventory's packages; everything else (database freshness, ledger, exceptions) comes from paths
and options so the command stays thin.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from seawall.model.finding import Finding
from seawall.model.package import Package
from seawall.rules._base import Context
from seawall.vuln.db import DEFAULT_MAX_AGE, open_for_scan, utcnow
from seawall.vuln.exceptions import VulnException, load_exceptions
from seawall.vuln.ledger import Ledger, load_ledger, save_ledger
from seawall.vuln.match import VulnMatch, match_packages
from seawall.vuln.policy import PolicyResult, PolicySettings, evaluate
from seawall.vuln.rules import findings_from_policy


@dataclass(frozen=True)
class VulnScan:
    """The matches, the policy's decisions and the findings for one image or container."""

    matches: tuple[VulnMatch, ...]
    policy: PolicyResult
    findings: tuple[Finding, ...]

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
    ctx: Context | None = None,
) -> VulnScan:
    """Match ``packages``, apply the policy, and build findings located at ``target``.

    Raises ``DatabaseError``/``StaleDatabaseError`` (missing, corrupt, locked, stale database)
    and ``ConfigError`` (bad ledger or exceptions file); all are one-line SeawallErrors.
    With ``update_ledger`` the ledger file is rewritten (new findings dated today, vanished
    ones pruned) after the decisions were taken with the old one. ``now`` (injectable for
    tests and reproducible builds) gives "today" for the policy and the database's age.
    """
    moment = now or utcnow()
    day = moment.date()
    with open_for_scan(db_path, max_age=max_age, allow_stale=allow_stale, now=moment) as db:
        matches = match_packages(db, packages)
    ledger = load_ledger(Path(ledger_path)) if ledger_path is not None else Ledger()
    all_exceptions = list(exceptions)
    if exceptions_path is not None:
        all_exceptions.extend(load_exceptions(Path(exceptions_path)))
    result = evaluate(matches, ledger, all_exceptions, day, settings)
    if update_ledger and ledger_path is not None:
        save_ledger(Path(ledger_path), ledger.updated(matches, day))
    findings = findings_from_policy(result, target, ctx=ctx)
    return VulnScan(tuple(matches), result, tuple(findings))
