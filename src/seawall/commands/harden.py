"""``seawall harden``: apply every fix to a project, show the score before and after, and with
``--verify`` prove on a real Docker engine that the hardened project still works."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.commands._output import add_config_options, resolve_config
from seawall.errors import ConfigError, FixError, SeawallError

if TYPE_CHECKING:
    from seawall.harden.plan import Hardened
    from seawall.harden.summary import Summary
    from seawall.harden.verify import Verification


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``harden``."""
    p = subparsers.add_parser(
        "harden",
        help="apply all fixes (safe and unsafe) and score the project before and after",
        description=(
            "Apply every fix (safe and unsafe) to the Dockerfiles and the Compose project under "
            "PATH, print a score before and after and what changed per service. The files are "
            "changed all together or not at all. With --verify the original and the hardened "
            "project are brought up on the Docker engine (DOCKER_HOST) first, and nothing is "
            "written if a hardening broke a service."
        ),
    )
    p.add_argument("path", nargs="?", type=Path, default=Path("."), help="project folder")
    p.add_argument(
        "-f",
        "--file",
        dest="compose_files",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a Compose file of the project (repeat to merge overrides)",
    )
    p.add_argument("--diff", action="store_true", help="print the changes as a diff; write nothing")
    p.add_argument(
        "--verify",
        action="store_true",
        help="bring the original and the hardened project up with docker-compose and compare",
    )
    p.add_argument(
        "--keep-working",
        action="store_true",
        help="with --verify: back out exactly the changes that broke a service, keep the rest",
    )
    p.add_argument(
        "--verify-timeout",
        type=float,
        default=90.0,
        metavar="SECONDS",
        help="how long services get to become healthy in each bring-up (default: 90)",
    )
    p.add_argument(
        "--seccomp",
        action="store_true",
        help="also record each service and give it its own seccomp profile",
    )
    p.add_argument(
        "--seccomp-runs",
        type=int,
        default=3,
        metavar="N",
        help="recordings per service (default 3)",
    )
    p.add_argument(
        "--format",
        "-F",
        choices=("text", "json"),
        default="text",
        help="output format (default: text; the progress of --verify goes to stderr)",
    )
    add_config_options(p)


def _say(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def run(args: argparse.Namespace) -> int:
    """0: hardened (or diff shown); 1: --verify found a broken service (nothing written);
    2: bad input, unreadable files, daemon problems."""
    from seawall.harden.plan import Hardener, assess, find_targets, planned_changes
    from seawall.harden.summary import summarize
    from seawall.harden.workspace import Workspace, commit

    if args.keep_working and not args.verify:
        raise ConfigError("--keep-working needs --verify")
    if args.verify_timeout <= 0:
        raise ConfigError("--verify-timeout must be positive")
    if args.seccomp and importlib.util.find_spec("seawall.seccomp.harden_hook") is None:
        raise SeawallError("--seccomp is not available in this build")
    targets = find_targets(args.path, list(args.compose_files))
    if args.verify and len(targets.compose_groups) != 1:
        found = len(targets.compose_groups)
        raise ConfigError(
            f"--verify needs exactly one Compose project under {args.path} (found {found}); "
            "name its files with -f"
        )
    config = resolve_config(args, targets.root)
    before = assess(targets, targets.root, config)
    if before.report.errors:
        first = before.report.errors[0]
        raise SeawallError(f"{first.path}: {first.message} (nothing hardened)")
    with Workspace(targets.root) as workspace:
        hardener = Hardener(targets, workspace, config)
        step = None
        if args.seccomp:
            from seawall.harden.seccomp_step import SeccompStep

            step = SeccompStep(targets, args.seccomp_runs)
            hardener.extra_step = step
        result = hardener.harden()
        changes = planned_changes(before) + (step.changes if step is not None else ())
        verification = None
        if args.verify:
            from seawall.harden.verify import verify

            verification = verify(
                hardener,
                targets.compose_groups[0],
                before.ownership.services,
                changes,
                keep_working=args.keep_working,
                timeout=args.verify_timeout,
            )
            result = verification.final
        if result.after.report.errors:
            first = result.after.report.errors[0]
            raise FixError(f"the hardened {first.path} does not check: {first.message}")
        summary = summarize(before, result.after, result.backed_out)
        broken = verification is not None and not verification.passed
        written = not broken and not args.diff
        if written:
            commit(targets.root, list(result.files))
    _emit(args, summary, verification, result, written)
    return 1 if broken else 0


def _emit(
    args: argparse.Namespace,
    summary: Summary,
    verification: Verification | None,
    result: Hardened,
    written: bool,
) -> None:
    """Print the outcome in the chosen format."""
    from seawall.harden.report import render_diff, render_json, render_verification
    from seawall.harden.summary import render_summary

    if args.format == "json":
        sys.stdout.write(render_json(summary, verification, result.files, written=written))
        return
    _say(render_summary(summary))
    if verification is not None:
        _say(render_verification(verification))
        if not verification.passed:
            _say("hardening broke a service: nothing written")
            return
    if args.diff:
        sys.stdout.write(render_diff(result.files))
    else:
        _say(f"hardened: {len(result.files)} file(s) written")
