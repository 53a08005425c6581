"""``seawall db import|update|status``: build and inspect the offline vulnerability database."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.errors import ConfigError
from seawall.vuln.settings import max_age_from_days

if TYPE_CHECKING:
    from seawall.vuln.settings import VulnSettings


def add_parser(subparsers: Any) -> None:
    """Add the ``db`` command and its ``import``, ``update`` and ``status`` subcommands."""
    parser = subparsers.add_parser(
        "db",
        help="manage the offline vulnerability database (OSV)",
        description="Build and inspect the offline vulnerability database built from OSV data.",
    )
    actions = parser.add_subparsers(dest="db_command", metavar="{import,update,status}")
    actions.required = True

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--db",
            metavar="PATH",
            help="database file (default: vulns.db in the configuration, $SEAWALL_DB or "
            "~/.cache/seawall/vuln.db)",
        )
        sub.add_argument(
            "--config", type=Path, help="configuration file (.seawall.toml or pyproject.toml)"
        )
        sub.add_argument("--no-config", action="store_true", help="ignore configuration files")

    imp = actions.add_parser("import", help="import OSV JSON/YAML files, folders or all.zip")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument(
        "--replace", action="store_true", help="rebuild from these paths alone (default: add)"
    )
    common(imp)

    upd = actions.add_parser("update", help="download OSV ecosystem zips and update the database")
    upd.add_argument(
        "--base-url",
        help="mirror of the OSV bucket (default: vulns.base-url in the configuration, else the "
        "public bucket)",
    )
    upd.add_argument(
        "--ecosystems",
        help="comma-separated OSV ecosystems (default: vulns.ecosystems in the configuration, "
        "else Debian,Ubuntu,Alpine,PyPI,npm,Go,Maven)",
    )
    upd.add_argument("--full", action="store_true", help="download all.zip even if up to date")
    upd.add_argument("--timeout", type=float, default=60.0, help="network timeout in seconds")
    common(upd)

    st = actions.add_parser("status", help="show ecosystems, record counts, sources and age")
    st.add_argument("--format", choices=("text", "json"), default="text")
    st.add_argument(
        "--max-age-days",
        type=float,
        help="age after which scans refuse it (default: vulns.max-age-days, else 7)",
    )
    common(st)


def _settings(args: argparse.Namespace) -> VulnSettings:
    """The ``[tool.seawall.vulns]`` table of the configuration in effect (defaults if none)."""
    from seawall.commands._output import resolve_config
    from seawall.vuln.settings import VulnSettings

    return resolve_config(args, Path.cwd()).vulns or VulnSettings()


def _db_path(args: argparse.Namespace, settings: VulnSettings) -> Path:
    from seawall.vuln.db import default_path

    if args.db:
        return Path(args.db).expanduser()
    return settings.db or default_path()


def _report_skips(stats: Any) -> None:
    if stats.skipped:
        print(f"skipped {stats.skipped} invalid record(s), for example:", file=sys.stderr)
        for where, why in stats.examples[:5]:
            print(f"  {where}: {why}", file=sys.stderr)


def _run_import(args: argparse.Namespace, settings: VulnSettings) -> int:
    from seawall.vuln.importer import import_paths
    from seawall.vuln.progress import StderrProgress

    progress = StderrProgress()
    try:
        stats = import_paths(
            _db_path(args, settings), args.paths, replace=args.replace, progress=progress
        )
    finally:
        progress.close()
    _report_skips(stats)
    print(
        f"imported {stats.records} record(s) from {len(stats.sources)} source(s) "
        f"in {stats.seconds:.2f} s; {stats.total_records} record(s) in {_db_path(args, settings)}"
    )
    return 0


def _run_update(args: argparse.Namespace, settings: VulnSettings) -> int:
    from seawall.vuln.download import DEFAULT_BASE_URL, DEFAULT_ECOSYSTEMS, update
    from seawall.vuln.progress import StderrProgress

    ecosystems = settings.ecosystems or DEFAULT_ECOSYSTEMS
    if args.ecosystems:
        ecosystems = tuple(e.strip() for e in args.ecosystems.split(",") if e.strip())
        if not ecosystems:
            raise ConfigError("--ecosystems names no ecosystem")
    progress = StderrProgress()
    try:
        stats = update(
            _db_path(args, settings),
            base_url=args.base_url or settings.base_url or DEFAULT_BASE_URL,
            ecosystems=ecosystems,
            incremental=not args.full,
            progress=progress,
            timeout=args.timeout,
        )
    finally:
        progress.close()
    _report_skips(stats)
    if stats.replaced_corrupt:
        print(
            f"{_db_path(args, settings)}: the previous file was corrupt; rebuilt", file=sys.stderr
        )
    modes = ", ".join(f"{eco} ({mode})" for eco, mode in stats.modes.items())
    print(
        f"updated {modes}: {stats.records} record(s) stored, "
        f"{stats.bytes_downloaded} bytes downloaded in {stats.seconds:.2f} s; "
        f"{stats.total_records} record(s) in {_db_path(args, settings)}"
    )
    return 0


def _run_status(args: argparse.Namespace, settings: VulnSettings) -> int:
    from seawall.vuln.db import VulnDB, utcnow

    with VulnDB.open(_db_path(args, settings)) as db:
        status = db.status()
    now = utcnow()
    age = status.age(now)
    max_age = settings.max_age
    if args.max_age_days is not None:
        max_age = max_age_from_days(args.max_age_days, "--max-age-days")
    stale = age > max_age
    if args.format == "json":
        data = {
            "path": status.path,
            "built_at": status.built_at.isoformat(),
            "age_days": round(age.total_seconds() / 86400, 3),
            "stale": stale,
            "schema_version": status.schema_version,
            "records": status.records,
            "withdrawn": status.withdrawn,
            "ecosystems": dict(status.ecosystems),
            "size_bytes": status.size_bytes,
            "sources": [vars(s) for s in status.sources],
        }
        print(json.dumps(data, indent=2, sort_keys=True))
        return 0
    days = age.total_seconds() / 86400
    print(f"database: {status.path} ({status.size_bytes / 1e6:.1f} MB)")
    print(
        f"built:    {status.built_at.isoformat()} ({days:.1f} days ago"
        + (f"; STALE: older than {max_age.total_seconds() / 86400:g} days)" if stale else ")")
    )
    print(f"records:  {status.records} ({status.withdrawn} withdrawn)")
    print("ecosystems:")
    for eco, count in status.ecosystems:
        print(f"  {eco:<12} {count}")
    print("sources:")
    for src in status.sources:
        print(
            f"  {src.name}: {src.records} record(s), {src.skipped} skipped, "
            f"fetched {src.fetched_at}"
            + (f", newest {src.last_modified}" if src.last_modified else "")
        )
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``seawall db <subcommand>``; errors are SeawallErrors (exit code 2)."""
    handlers = {"import": _run_import, "update": _run_update, "status": _run_status}
    return handlers[args.db_command](args, _settings(args))
