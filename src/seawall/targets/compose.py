"""Checking one Compose project: load and merge its files, run CR rules per service and DC rules
over the project, apply inline pragmas from every file involved."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.errors import ParseError, SourceError
from seawall.model.finding import Finding, Report, TargetError
from seawall.rules._base import TargetKind

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.parsers.compose import ComposeProject


def _error(exc: SourceError | ParseError) -> TargetError:
    if isinstance(exc, ParseError):
        where = ""
        if exc.line is not None:
            where = f"line {exc.line}" + (f", column {exc.column}" if exc.column else "") + ": "
        return TargetError(exc.path, where + exc.reason, "parse")
    return TargetError(exc.path, exc.reason, "source")


def load(
    files: Sequence[Path],
    env_files: Sequence[Path] = (),
    profiles: Sequence[str] = (),
) -> ComposeProject:
    """Load a project the way ``check`` does (raises SourceError / ParseError)."""
    from seawall.parsers.compose import LoadOptions, load_project

    return load_project(
        list(files), LoadOptions(env_files=tuple(env_files), profiles=tuple(profiles))
    )


def check_project(project: ComposeProject, config: Config) -> Report:
    """Run the selected CR and DC rules on a loaded project; pragmas in every file apply."""
    from seawall.engine import filter_suppressed, make_context, run_rules, select_rules
    from seawall.parsers.compose_syntax import SyntaxProblem, problem_to_error
    from seawall.seccomp.workload_profiles import check_workload_profile, profile_rules
    from seawall.suppress import parse_suppressions
    from seawall.targets.compose_build import BuildFacts, build_facts
    from seawall.workload import from_compose_service

    shown = project.compose_files[0]
    report = Report(targets=[shown])
    report.sources.update(project.sources)
    ctx = make_context(config, shown, project.sources.get(shown))
    ctx.extra["compose_project"] = project  # fixes locate and edit the YAML of every file
    findings: list[Finding] = []
    workload_rules = select_rules(config, TargetKind.WORKLOAD, shown)
    sc_rules = profile_rules(config, shown)  # SC rules on seccomp profile files services name
    if workload_rules or sc_rules:
        for service in project.services.values():
            facts = build_facts(project, service) if service.has_build else BuildFacts()
            try:
                workload = from_compose_service(service, project, facts.user, facts.has_healthcheck)
            except SyntaxProblem as exc:  # a value of the wrong shape: this service is skipped
                report.errors.append(_error(problem_to_error(exc, project.sources)))
                continue
            found, errors = run_rules(workload_rules, workload, ctx)
            findings.extend(found)
            report.errors.extend(errors)
            # A profile path is relative to the directory of the file that names it.
            where = workload.seccomp.location.path
            base_dir = project.base_dirs.get(where, project.directory)
            graded = check_workload_profile(workload, config, sc_rules, base_dir=base_dir)
            findings.extend(graded.findings)
            report.errors.extend(graded.errors)
            report.sources.update(graded.sources)
    compose_rules = select_rules(config, TargetKind.COMPOSE, shown)
    if compose_rules:
        found, errors = run_rules(compose_rules, project, ctx)
        findings.extend(found)
        report.errors.extend(errors)
    # The reporters take rule metadata from here instead of importing every rule family.
    report.rules.update((r.meta.id, r) for r in (*workload_rules, *sc_rules, *compose_rules))
    suppressions = {path: parse_suppressions(source) for path, source in project.sources.items()}
    report.findings, report.suppressed = filter_suppressed(
        _unique(findings), suppressions, report.sources, report.rules
    )
    return report


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    unique: list[Finding] = []
    for f in findings:
        span = f.location.span
        key = (
            f.rule_id,
            f.location.path,
            span.start if span else -1,
            f.location.pointer,
            f.message,
        )
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def check_compose(
    files: list[Path],
    config: Config,
    env_files: Sequence[Path] = (),
    profiles: Sequence[str] = (),
) -> Report:
    """Check one Compose project (``files[0]`` is the base, the rest override it in order).

    Unreadable or invalid input becomes one error entry (exit 2) naming the file and line; it
    never raises for bad input.
    """
    from seawall.targets.read import display_path

    try:
        project = load(files, env_files, profiles)
    except (SourceError, ParseError) as exc:
        report = Report(targets=[display_path(files[0])] if files else [])
        report.errors.append(_error(exc))
        return report
    return check_project(project, config)
