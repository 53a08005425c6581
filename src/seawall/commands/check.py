"""``seawall check``: find Dockerfiles and Compose projects under PATHs and check them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from seawall.commands._output import (
    add_compose_options,
    add_config_options,
    add_output_options,
    emit,
    exit_code,
    output_color,
    resolve_config,
)
from seawall.config import Config
from seawall.model.finding import Report, TargetError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``check``."""
    p = subparsers.add_parser(
        "check",
        help="check Dockerfiles and Compose projects",
        description="Find Dockerfiles/Containerfiles and Compose files under PATHs and check them.",
    )
    p.add_argument(
        "paths", nargs="*", type=Path, default=None, help="files or folders (default: .)"
    )
    p.add_argument(
        "--type", choices=("dockerfile", "compose"), help="treat explicit files as this type"
    )
    add_compose_options(p)
    p.add_argument(
        "--build-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="build argument for FROM substitution",
    )
    p.add_argument("--target", help="the build stage that ships (default: the last stage)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes to the files")
    p.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour"
    )
    p.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; write nothing"
    )
    p.add_argument(
        "--resolve-digests",
        action="store_true",
        help="look up base image digests (registry, then local daemon) to pin FROM by digest",
    )
    add_config_options(p)
    add_output_options(p)


def _build_args(values: list[str]) -> dict[str, str]:
    from seawall.errors import ConfigError

    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--build-arg {item!r}: expected NAME=VALUE")
        out[name] = value
    return out


def _digests_configured(config: Config) -> bool:
    """Whether the configuration asks DF003 to look digests up (``resolve-digests = true``)."""
    return bool(config.rule_options.get("DF003", {}).get("resolve-digests", False))


def compose_projects(files: list[Path]) -> list[list[Path]]:
    """Group discovered Compose files into projects the way ``docker compose`` reads them
    (base file plus override; ``docker-compose.<x>.yml`` variants merged over the base)."""
    if not files:
        return []  # no Compose file: do not pay for importing the Compose loader
    from seawall.parsers.compose import group_projects

    return group_projects(files)


def collect(args: argparse.Namespace) -> tuple[Report, list[Path], Config]:
    """Discover and check every target; returns the report, the Dockerfiles checked, the config."""
    from seawall.engine import finalize
    from seawall.targets.discover import discover
    from seawall.targets.dockerfile import check_dockerfile
    from seawall.targets.read import display_path

    paths = list(args.paths or [])
    if not paths and not args.compose_files:
        paths = [Path(".")]
    config = resolve_config(args, paths[0] if paths else Path.cwd())
    found = discover(paths, forced_type=args.type, exclude=config.exclude)
    report = Report()
    for missing in found.missing:
        report.errors.append(
            TargetError(display_path(missing), "no such file or directory", "source")
        )
    build_args = _build_args(args.build_arg)
    if found.dockerfiles:
        from seawall.rules import rules_for
        from seawall.rules._base import TargetKind
        from seawall.targets.parallel import check_all

        # Imported once, before any worker forks; the ids resolve the workers' reports.
        dockerfile_rules = {rule.meta.id: rule for rule in rules_for(TargetKind.DOCKERFILE)}
        extra: dict[str, object] = {}
        if getattr(args, "resolve_digests", False) or _digests_configured(config):
            from seawall.fixes.digest import resolver_for

            extra["digest_resolver"] = resolver_for(args)

        # Text output is rendered by the workers, file by file, when there are several.
        prerender = _text_prerenderer(args, len(found.dockerfiles))

        def check_one(path: Path) -> Report:
            shown = display_path(path)
            checked = check_dockerfile(
                path, shown, config, build_args=build_args, target=args.target, extra=extra
            )
            if prerender is not None:
                prerender(checked)
            return checked

        report.extend(check_all(found.dockerfiles, check_one, dockerfile_rules))
    projects = compose_projects(found.compose_files)
    if args.compose_files:
        projects.append(list(args.compose_files))
    if projects:
        report.extend(_check_compose(projects, config, args))
    if not found.dockerfiles and not projects and not found.missing:
        report.errors.append(
            TargetError(
                ", ".join(display_path(p) for p in paths),
                "no Dockerfile or Compose file found",
                "source",
            )
        )
    return finalize(report, config), found.dockerfiles, config


def _text_prerenderer(args: argparse.Namespace, files: int) -> Callable[[Report], None] | None:
    """What renders a file's findings as text in a worker, or None (one process, other formats)."""
    from seawall.targets.parallel import worker_count

    if getattr(args, "format", "text") != "text" or worker_count(files) <= 1:
        return None
    from seawall.report.text import prerender

    color = output_color(args)
    return lambda report: prerender(report, color=color)


def _check_compose(projects: list[list[Path]], config: Config, args: argparse.Namespace) -> Report:
    import importlib.util

    report = Report()
    if importlib.util.find_spec("seawall.targets.compose") is None:
        from seawall.targets.read import display_path

        for project in projects:
            report.errors.append(
                TargetError(display_path(project[0]), "Compose support is not available", "source")
            )
        return report
    from seawall.targets.compose import check_compose

    for project in projects:
        report.extend(
            check_compose(project, config, env_files=args.env_file, profiles=args.profile)
        )
    return _without_repeats(report)


def _without_repeats(report: Report) -> Report:
    """Report once what several projects sharing a base file found in it."""
    seen: set[tuple[str, object, str]] = set()
    unique = []
    for finding in report.findings:
        key = (finding.rule_id, finding.location, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    report.findings = unique
    report.errors = list(dict.fromkeys(report.errors))
    report.targets = list(dict.fromkeys(report.targets))
    return report


def compose_projects_of(args: argparse.Namespace, config: Config) -> list[list[Path]]:
    """The Compose projects ``collect`` checks (discovery repeated for fixing: it is cheap)."""
    from seawall.targets.discover import discover

    paths = list(args.paths or [])
    if not paths and not args.compose_files:
        paths = [Path(".")]
    found = discover(paths, forced_type=args.type, exclude=config.exclude)
    projects = compose_projects(found.compose_files)
    if args.compose_files:
        projects.append(list(args.compose_files))
    return projects


def run(args: argparse.Namespace) -> int:
    """Run ``check``; exit 0 (clean), 1 (findings at or above fail-on), 2 (errors)."""
    report, dockerfiles, config = collect(args)
    if args.fix or args.diff or args.unsafe_fixes:
        from seawall.commands.fix import apply_fixes

        changed = apply_fixes(report, dockerfiles, config, args)
        projects = compose_projects_of(args, config)
        if projects:
            from seawall.commands.fix import apply_compose_fixes

            changed += apply_compose_fixes(projects, config, args)
        if args.diff:
            return 2 if report.errors else 0
        if changed:
            report, _, config = collect(args)
    emit(report, args)
    return exit_code(report, config, args.exit_zero)
