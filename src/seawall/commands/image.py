"""``seawall image TARGET``: audit a built image, or write its SBOM."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.atomic import write_text_atomic
from seawall.commands._output import (
    add_config_options,
    add_output_options,
    emit,
    exit_code,
    resolve_config,
)
from seawall.errors import ConfigError, SeawallError
from seawall.model.finding import Report, TargetError

if TYPE_CHECKING:
    from seawall.config import Config


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``image``."""
    p = subparsers.add_parser(
        "image",
        help="audit a built image (tar, OCI layout, daemon, registry)",
        description=(
            "Audit a built image: a docker-save tar, an OCI layout (dir or tar), an image in the "
            "local Docker daemon, or one in a registry. Prefixes force a source: docker-archive:, "
            "oci:, docker: (daemon), registry:."
        ),
    )
    p.add_argument("target", metavar="REF|TAR|DIR", help="image reference, archive or layout")
    p.add_argument("--platform", help="os/arch[/variant] to pick from a multi-platform image")
    p.add_argument(
        "--insecure", action="store_true", help="talk plain HTTP to the registry (e.g. 127.0.0.1)"
    )
    p.add_argument(
        "--no-verify-layers",
        action="store_true",
        help=(
            "do not hash uncompressed layers of a local archive or layout against the config's "
            "diff_ids (faster; a layer altered after the config was written goes unnoticed)"
        ),
    )
    p.add_argument(
        "--sbom",
        choices=("cyclonedx",),
        help="write a CycloneDX 1.6 JSON SBOM (to --output or stdout) instead of findings",
    )
    add_config_options(p)
    add_output_options(p)
    from seawall.vuln.options import add_vuln_options

    add_vuln_options(p)


def _error_kind(exc: SeawallError) -> str:
    from seawall.errors import DaemonError

    return "daemon" if isinstance(exc, DaemonError) else "source"


def run(args: argparse.Namespace) -> int:
    """Run ``image``: 0 clean, 1 findings at or above fail-on, 2 unreadable image or errors."""
    from seawall.engine import finalize
    from seawall.image.audit import audit_image
    from seawall.image.load import load_image_deferred
    from seawall.image.sources.base import Platform

    config = resolve_config(args, Path.cwd())
    if args.vulns:
        from seawall.vuln.options import policy_today, preflight, vuln_settings

        # Checked before the (possibly long) image load: a stale database or a typo fails fast.
        vuln_options, today = vuln_settings(args, config), policy_today(args)
        preflight(vuln_options)
    else:
        from seawall.vuln.options import uses_vuln_options

        if uses_vuln_options(args):
            raise ConfigError("vulnerability options (--db, --ledger, ...) need --vulns")
    platform = Platform.parse(args.platform) if args.platform else None
    target = args.target
    try:
        image, digests = load_image_deferred(
            target,
            platform=platform,
            insecure=args.insecure,
            verify_local=not args.no_verify_layers,
        )
    except SeawallError as exc:
        return _unreadable(exc, target, config, args)
    # The last layer hashes may still run: rules and the SBOM are computed meanwhile, and
    # nothing is shown before verify() has checked every layer against its diff_id.
    try:
        scan = None
        if args.vulns:
            from seawall.vuln.scan import scan_with_settings

            packages = image.inventory.packages
            scan = scan_with_settings(packages, target, vuln_options, config=config, today=today)
        if args.sbom:
            from seawall.image.sbom import cyclonedx_json

            text = cyclonedx_json(image)
            if scan is not None:
                from seawall.vuln.vex import add_vulnerabilities

                bom = add_vulnerabilities(json.loads(text), scan.matches, scan.policy)
                text = json.dumps(bom, indent=2)
            digests.verify()
            if args.output is not None:
                write_text_atomic(args.output, text)
            else:
                sys.stdout.write(text + "\n")
            return 1 if scan is not None and not scan.passed and not args.exit_zero else 0
        report = audit_image(image, config, target)
        digests.verify()
    except SeawallError as exc:
        return _unreadable(exc, target, config, args)
    finally:
        digests.stop()
    if scan is None:
        report = finalize(report, config)
        emit(report, args)
        return exit_code(report, config, args.exit_zero)
    from seawall.vuln.options import gate_exit_code

    report.findings.extend(scan.findings)
    report = finalize(report, config)
    emit(report, args)
    return gate_exit_code(report, config, scan.blocking, args.exit_zero)


def _unreadable(exc: SeawallError, target: str, config: Config, args: argparse.Namespace) -> int:
    """An image that cannot be read: exit 2, as an error line (SBOM) or a report with the error."""
    from seawall.engine import finalize

    if args.sbom:
        raise exc
    message = getattr(exc, "reason", None) or str(exc)
    report = Report(errors=[TargetError(target, message, _error_kind(exc))], targets=[target])
    emit(finalize(report, config), args)
    return 2
