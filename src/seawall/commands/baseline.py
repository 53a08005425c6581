"""``seawall baseline create``: record today's findings so that only new ones fail."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``baseline``."""
    p = subparsers.add_parser("baseline", help="accept today's findings, fail only on new ones")
    sub = p.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="write a baseline of the current findings")
    create.add_argument("paths", nargs="*", type=Path, default=None)
    create.add_argument("--output", "-o", type=Path, default=Path(".seawall-baseline.json"))
    create.add_argument("--type", choices=("dockerfile", "compose"))
    create.add_argument("--build-arg", action="append", default=[])
    create.add_argument("--target")
    from seawall.commands._output import add_compose_options, add_config_options

    add_compose_options(create)
    add_config_options(create)


def run(args: argparse.Namespace) -> int:
    """Write the baseline; exit 2 if a target could not be read (the baseline would be partial)."""
    from seawall.baseline import write_baseline
    from seawall.commands.check import collect

    args.baseline = None
    args.fail_on = None
    args.creating_baseline = True
    report, _, _ = collect(args)
    if report.errors:
        for err in report.errors:
            print(f"{err.path}: error: {err.message}", file=sys.stderr)
        print(
            "seawall: error: baseline not written: some targets could not be checked",
            file=sys.stderr,
        )
        return 2
    write_baseline(args.output, report.findings)
    print(f"wrote {args.output} ({len(report.findings)} findings)", file=sys.stderr)
    return 0
