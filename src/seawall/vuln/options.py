"""The ``--vulns`` options of ``seawall image`` and how they combine with the configuration.

Kept here so the command module stays a thin dispatcher. Command-line values override the
``[tool.seawall.vulns]`` table; "today" (``--today``) is the policy's day only, the database's
age is always measured against the real clock.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.errors import ConfigError
from seawall.vuln.settings import VulnSettings, max_age_from_days

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.model.finding import Report


def add_vuln_options(parser: argparse.ArgumentParser) -> None:
    """``--vulns``, ``--db``, ``--allow-stale``, ``--max-age-days``, ``--ledger``,
    ``--no-ledger-update``, ``--exceptions``, ``--today``."""
    group = parser.add_argument_group("known vulnerabilities (--vulns)")
    group.add_argument(
        "--vulns",
        action="store_true",
        help="match the packages against the offline OSV database and apply the CVE policy "
        "gate (CRITICAL/HIGH block, MEDIUM within 30 days); the gate decides for VULN findings, "
        "--fail-on for the others; with --sbom the SBOM carries the vulnerabilities (VEX)",
    )
    group.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="vulnerability database (default: config, $SEAWALL_DB, cache)",
    )
    group.add_argument(
        "--allow-stale", action="store_true", help="scan even if the database is too old"
    )
    group.add_argument(
        "--max-age-days",
        type=float,
        metavar="DAYS",
        help="refuse a database older than this (default: 7)",
    )
    group.add_argument(
        "--ledger",
        type=Path,
        metavar="FILE",
        help="first-seen ledger (JSON) that starts the MEDIUM deadlines",
    )
    group.add_argument(
        "--no-ledger-update",
        action="store_true",
        help="read the ledger but do not record new findings in it",
    )
    group.add_argument(
        "--exceptions",
        type=Path,
        metavar="FILE",
        help="documented exceptions (YAML, or TOML by suffix)",
    )
    group.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the policy's date (default: today, UTC)"
    )


def uses_vuln_options(args: argparse.Namespace) -> bool:
    """True when a vulnerability option was given without ``--vulns`` (a likely mistake)."""
    names = ("db", "max_age_days", "ledger", "exceptions", "today")
    given = any(getattr(args, n, None) is not None for n in names)
    return given or bool(getattr(args, "allow_stale", False) or args.no_ledger_update)


def vuln_settings(args: argparse.Namespace, config: Config) -> VulnSettings:
    """The configuration's ``vulns`` table with the command-line values applied."""
    base = config.vulns or VulnSettings()
    max_age = None
    if args.max_age_days is not None:
        max_age = max_age_from_days(args.max_age_days, "--max-age-days")
    return base.with_overrides(
        db=args.db,
        max_age=max_age,
        allow_stale=True if args.allow_stale else None,
        ledger=args.ledger,
        update_ledger=False if args.no_ledger_update else None,
        exceptions=args.exceptions,
    )


def policy_today(args: argparse.Namespace) -> date | None:
    """``--today`` as a date (None: the real date)."""
    if args.today is None:
        return None
    try:
        return date.fromisoformat(args.today)
    except ValueError:
        raise ConfigError(f"--today: {args.today!r} is not a date like 2026-11-23") from None


def preflight(settings: VulnSettings) -> None:
    """Fail fast, before a possibly long image load, on a missing, corrupt, locked or stale
    database and on an unreadable ledger or exceptions file (the scan checks again)."""
    from seawall.vuln.db import open_for_scan
    from seawall.vuln.exceptions import load_exceptions
    from seawall.vuln.ledger import load_ledger

    with open_for_scan(settings.db, max_age=settings.max_age, allow_stale=settings.allow_stale):
        pass
    if settings.ledger is not None:
        load_ledger(settings.ledger)
    if settings.exceptions is not None:
        load_exceptions(settings.exceptions)


def gate_exit_code(
    report: Report, config: Config, blocking: frozenset[tuple[str, str]], exit_zero: bool
) -> int:
    """2 on errors; 1 when a reported VULN finding fails the gate or another finding reaches
    fail-on; else 0. The policy, not ``fail-on``, decides for VULN findings (a MEDIUM within
    its deadline does not fail; an overdue one does)."""
    if report.errors:
        return 2
    if exit_zero:
        return 0
    for finding in report.findings:
        if finding.rule_id.startswith("VULN"):
            if (finding.rule_id, finding.anchor) in blocking:
                return 1
        elif finding.severity >= config.fail_on:
            return 1
    return 0
