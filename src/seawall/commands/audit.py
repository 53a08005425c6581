"""``seawall audit``: containers (running or not), the Docker daemon and its host, on CIS ground."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seawall.atomic import write_text_atomic
from seawall.commands._output import (
    add_config_options,
    add_output_options,
    emit,
    exit_code,
    resolve_config,
)
from seawall.model.finding import Report

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.rules._base import Rule
    from seawall.runtime.images_in_use import VulnRequest
    from seawall.runtime.snapshot import AuditSnapshot


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``audit``."""
    p = subparsers.add_parser(
        "audit",
        help="audit running containers, the Docker daemon and host",
        description="Audit every container (running or not), the daemon's settings and the host "
        "files it uses, against the CIS Docker Benchmark 1.6.0.",
    )
    p.add_argument("-H", "--host", help="daemon address (default: DOCKER_HOST, then the context)")
    p.add_argument("--context", help="docker context to use")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per Engine API call")
    p.add_argument("--no-containers", action="store_true", help="skip containers")
    p.add_argument("--no-host", action="store_true", help="skip daemon and host checks")
    p.add_argument(
        "--no-images",
        action="store_true",
        help="skip the image audit (IMG rules) of images used by running containers",
    )
    p.add_argument(
        "--drift",
        action="store_true",
        help="compare containers started by Compose with their compose files",
    )
    p.add_argument(
        "--summary",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="print the CIS per-control summary (default: on for text output)",
    )
    p.add_argument(
        "--compliance",
        choices=("cis-docker-1.6",),
        help="list every control with its status and the rules that cover it",
    )
    add_config_options(p)
    add_output_options(p)
    from seawall.vuln.options import add_vuln_options

    # Same options as ``seawall image --vulns``, applied to every image a running container uses.
    add_vuln_options(p)
    for action in p._actions:
        if action.dest == "vulns":  # the shared help text speaks of ``image --sbom``
            action.help = (
                "match the packages of every image a running container uses against the offline "
                "OSV database and apply the CVE policy gate (CRITICAL/HIGH block, MEDIUM within "
                "30 days); the gate decides for VULN findings, --fail-on for the others"
            )


@dataclass
class AuditResult:
    """A finished audit: the report, the rules that ran, and controls that could not be judged."""

    report: Report
    rules_run: list[Rule[Any]] = field(default_factory=list)
    not_evaluated: dict[str, str] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    blocking: set[tuple[str, str]] | None = None  # vulnerability findings failing the gate


def audit_snapshot(
    snapshot: AuditSnapshot,
    config: Config,
    *,
    containers: bool = True,
    host: bool = True,
    drift: bool = False,
    images: bool = False,
    client: Any = None,
    vulns: VulnRequest | None = None,
) -> AuditResult:
    """Run the HOST rules on the environment and the workload rules on every container;
    with ``images``/``vulns`` (and a ``client``), the IMG rules and the vulnerability gate on
    the images running containers use."""
    from seawall.engine import finalize, make_context, run_rules, select_rules
    from seawall.rules._base import TargetKind
    from seawall.rules.host._support import NOT_APPLICABLE, NOT_EVALUATED
    from seawall.runtime.inspect_adapter import from_inspect
    from seawall.seccomp.workload_profiles import check_workload_profile, profile_rules

    result = AuditResult(Report())
    report = result.report
    env = snapshot.environment
    if host:
        for kind in (TargetKind.DAEMON, TargetKind.HOST):
            rules = select_rules(config, kind)
            ctx = make_context(config, f"docker-daemon {env.target}")
            findings, errors = run_rules(rules, env, ctx)
            report.findings.extend(findings)
            report.errors.extend(errors)
            result.rules_run.extend(rules)
            result.not_evaluated.update(ctx.extra.get(NOT_EVALUATED, {}))
            result.not_applicable.update(ctx.extra.get(NOT_APPLICABLE, {}))
        report.targets.append(f"docker-daemon {env.target}")
    if containers:
        rules = select_rules(config, TargetKind.WORKLOAD)
        result.rules_run.extend(rules)
        sc_rules = profile_rules(config)  # SC rules on profiles the Engine stores inline
        result.rules_run.extend(sc_rules)
        nnp_default = env.daemon.config.value("no-new-privileges") is True
        for record in snapshot.containers:
            image = snapshot.images.get(str(record.inspect.get("Image", "")))
            workload = from_inspect(
                record.inspect,
                image=image,
                effective=record.effective,
                daemon_no_new_privileges=nnp_default,
            )
            ctx = make_context(config, workload.path)
            findings, errors = run_rules(rules, workload, ctx)
            report.findings.extend(findings)
            report.errors.extend(errors)
            graded = check_workload_profile(workload, config, sc_rules)
            report.findings.extend(graded.findings)
            report.errors.extend(graded.errors)
            report.targets.append(workload.path)
        if drift:
            from seawall.runtime.drift import drift_findings

            drift_report, drift_notes = drift_findings(snapshot.containers, config)
            report.extend(drift_report)
            result.notes.extend(drift_notes)
    if (images or vulns is not None) and client is not None:
        from seawall.runtime.images_in_use import audit_images_in_use

        in_use = audit_images_in_use(snapshot, config, client, image_rules=images, vulns=vulns)
        report.extend(in_use.report)
        result.notes.extend(in_use.notes)
        if images:
            result.rules_run.extend(select_rules(config, TargetKind.IMAGE))
        if vulns is not None:
            result.rules_run.extend(select_rules(config, TargetKind.VULNERABILITIES))
            result.blocking = in_use.blocking
    for cid in snapshot.vanished:
        result.notes.append(f"container {cid[:12]} disappeared during the audit")
    if host and env.host.local and env.daemon.config.pid is None:
        result.notes.append(
            "the dockerd process was not found (run as root): daemon.json and the containerd "
            "socket are checked at their default paths"
        )
    finalize(report, config)
    return result


COMPLIANCE_FORMATS = ("text", "json", "junit")


def _control_results(result: AuditResult) -> tuple[list[Any], dict[str, str]]:
    """Every CIS control's status for this audit, and the titles of the rules that ran."""
    from seawall.runtime import cis

    results = cis.evaluate(
        result.report.findings, result.rules_run, result.not_evaluated, result.not_applicable
    )
    return results, {rule.meta.id: rule.meta.title for rule in result.rules_run}


def _compliance(result: AuditResult, fmt: str) -> str:
    """The ``--compliance`` listing in ``fmt`` (text, json or junit)."""
    from seawall.runtime import cis

    results, titles = _control_results(result)
    if fmt == "json":
        return json.dumps(cis.compliance_document(results, titles), indent=2) + "\n"
    if fmt == "junit":
        return cis.render_compliance_junit(results, titles)
    return cis.render_compliance(results, titles)


def _json_with_summary(result: AuditResult) -> str:
    """The JSON report with the CIS summary as its ``cis`` member (one document, still JSON)."""
    from seawall.report import render
    from seawall.runtime import cis

    document = json.loads(render(result.report, "json"))
    results, titles = _control_results(result)
    document["cis"] = cis.compliance_document(results, titles)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output is not None:
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)


def run(args: argparse.Namespace) -> int:
    """Run ``audit``; exit 0 (clean), 1 (findings at or above fail-on), 2 (daemon/config error)."""
    from seawall.errors import ConfigError
    from seawall.runtime.client import connect
    from seawall.runtime.snapshot import collect

    if args.compliance and args.format not in COMPLIANCE_FORMATS:
        raise ConfigError(f"--compliance writes {', '.join(COMPLIANCE_FORMATS)}, not {args.format}")
    config = resolve_config(args)
    vulns = _vuln_request(args, config)  # validated before the (slow) daemon round trips
    client, endpoint = connect(args.host, context=args.context, timeout=args.timeout)
    try:
        snapshot = collect(client, endpoint)
        result = audit_snapshot(
            snapshot,
            config,
            containers=not args.no_containers,
            host=not args.no_host,
            drift=args.drift,
            images=not args.no_images and not args.no_containers,
            client=client,
            vulns=vulns,
        )
    finally:
        client.close()
    for note in result.notes:
        print(f"seawall: note: {note}", file=sys.stderr)
    if args.compliance:
        _write(args, _compliance(result, args.format))
        return _exit_code(result, config, args.exit_zero)
    show_summary = args.summary if args.summary is not None else args.format == "text"
    if show_summary and args.format == "json":
        _write(args, _json_with_summary(result))
    else:
        emit(result.report, args)
        if show_summary:
            from seawall.runtime import cis

            # SARIF/JUnit documents and a report file must stay machine-readable: text to stderr.
            stream = sys.stdout if args.output is None and args.format == "text" else sys.stderr
            stream.write(cis.render_summary(_control_results(result)[0]))
    if result.not_evaluated and args.format == "text":
        print(
            f"seawall: note: {len(result.not_evaluated)} check(s) not evaluated "
            "(see SKIP lines in the summary)",
            file=sys.stderr,
        )
    return _exit_code(result, config, args.exit_zero)


def _vuln_request(args: argparse.Namespace, config: Config) -> VulnRequest | None:
    """``--vulns`` and its options, or None; vulnerability options without it are an error."""
    from seawall.errors import ConfigError
    from seawall.vuln.options import policy_today, uses_vuln_options, vuln_settings

    if not args.vulns:
        if uses_vuln_options(args):
            raise ConfigError("vulnerability options (--db, --ledger, ...) need --vulns")
        return None
    if args.no_containers:
        raise ConfigError("--vulns scans the images of running containers: drop --no-containers")
    from seawall.runtime.images_in_use import VulnRequest
    from seawall.vuln.db import open_for_scan

    settings = vuln_settings(args, config)
    today = policy_today(args)
    # A missing, corrupt or stale database fails now, not after exporting every image.
    open_for_scan(settings.db, max_age=settings.max_age, allow_stale=settings.allow_stale).close()
    return VulnRequest(settings, today)


def _exit_code(result: AuditResult, config: Config, exit_zero: bool) -> int:
    """The usual exit code; with ``--vulns`` the CVE policy decides for VULN findings."""
    if result.blocking is None:
        return exit_code(result.report, config, exit_zero)
    from seawall.vuln.options import gate_exit_code

    return gate_exit_code(result.report, config, frozenset(result.blocking), exit_zero)
