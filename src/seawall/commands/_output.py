"""Shared output handling for commands: config resolution, rendering, atomic writes, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from seawall.config import Config, find_config, load_config
from seawall.errors import ConfigError
from seawall.model.finding import Report, Severity


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--format``, ``--output``, ``--fail-on``, ``--exit-zero``, ``--no-color``."""
    parser.add_argument(
        "--format",
        "-F",
        default="text",
        choices=("text", "json", "sarif", "junit"),
        help="output format (default: text)",
    )
    parser.add_argument(
        "--output", "-o", type=Path, help="write the report to FILE instead of stdout"
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.label for s in Severity],
        help="lowest severity that makes the exit code 1 (default: low, or fail-on in config)",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--no-color", action="store_true", help="never colour the text output")


def add_compose_options(parser: argparse.ArgumentParser) -> None:
    """``-f/--file``, ``--env-file``, ``--profile``: how a Compose project is read, as in ``docker compose``."""
    parser.add_argument(
        "-f",
        "--file",
        dest="compose_files",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a Compose file of one project (repeat to merge overrides, like docker compose -f)",
    )
    parser.add_argument(
        "--env-file", action="append", type=Path, default=[], help="Compose env file"
    )
    parser.add_argument("--profile", action="append", default=[], help="Compose profile to enable")


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--no-config``, ``--select``, ``--ignore``, ``--extend-select``, ``--baseline``."""
    parser.add_argument(
        "--config", type=Path, help="configuration file (.seawall.toml or pyproject.toml)"
    )
    parser.add_argument("--no-config", action="store_true", help="ignore configuration files")
    parser.add_argument(
        "--select", help="comma-separated rule ids/prefixes/names/aliases to run (only these)"
    )
    parser.add_argument("--extend-select", help="comma-separated opt-in rules to enable as well")
    parser.add_argument("--ignore", help="comma-separated rule ids/prefixes/names/aliases to skip")
    parser.add_argument(
        "--baseline", type=Path, help="baseline file: findings recorded there are not reported"
    )


def _split(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(v.strip() for v in value.split(",") if v.strip())


def resolve_config(args: argparse.Namespace, start: Path | None = None) -> Config:
    """The configuration file's values with command-line overrides applied."""
    if getattr(args, "no_config", False):
        config = Config()
    else:
        path = args.config if getattr(args, "config", None) else find_config(start or Path.cwd())
        if getattr(args, "config", None) is not None and not args.config.is_file():
            raise ConfigError(f"{args.config}: no such configuration file")
        config = load_config(path)
    fail_on = Severity.parse(args.fail_on) if getattr(args, "fail_on", None) else None
    baseline = getattr(args, "baseline", None)
    if baseline is not None and not baseline.is_file():
        raise ConfigError(f"{baseline}: no such baseline file")
    ignore = _split(getattr(args, "ignore", None))
    extend = _split(getattr(args, "extend_select", None))
    if getattr(args, "creating_baseline", False):
        # A new baseline records every finding: the configured (maybe not yet existing) one is moot.
        config = config._replace(baseline=None)
    return config.with_overrides(
        select=_split(getattr(args, "select", None)),
        extend_select=(config.extend_select + extend) if extend else None,
        ignore=(config.ignore + ignore) if ignore else None,
        fail_on=fail_on,
        baseline=baseline,
    )


def output_color(args: argparse.Namespace) -> bool:
    """Whether the report is coloured: text to a terminal without ``--no-color`` or ``NO_COLOR``."""
    if getattr(args, "format", "text") != "text" or getattr(args, "output", None) is not None:
        return False
    if getattr(args, "no_color", False):
        return False
    from seawall.report.text import wants_color

    return wants_color(sys.stdout, os.environ)


def emit(report: Report, args: argparse.Namespace) -> None:
    """Render the report in the chosen format to stdout or ``--output``."""
    from seawall.report import render

    to_file = getattr(args, "output", None)
    fmt = getattr(args, "format", "text")
    text = render(report, fmt, color=output_color(args))
    if to_file is not None:
        from seawall.atomic import write_text_atomic

        write_text_atomic(to_file, text)
    else:
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")


def exit_code(report: Report, config: Config, exit_zero: bool = False) -> int:
    """2 when a target could not be read or a rule crashed; 1 when findings reach fail-on; else 0."""
    if report.errors:
        return 2
    if exit_zero:
        return 0
    return 1 if any(f.severity >= config.fail_on for f in report.findings) else 0
