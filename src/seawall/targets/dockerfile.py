"""Checking one Dockerfile: read, parse, run the DF rules, apply inline pragmas."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.errors import ParseError, SourceError
from seawall.model.finding import Report, TargetError
from seawall.rules._base import TargetKind

if TYPE_CHECKING:
    from seawall.config import Config

DOCKERFILE_PATTERNS = (
    "Dockerfile",
    "Dockerfile.*",
    "Dockerfile-*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "Containerfile.*",
    "Containerfile-*",
    "*.Containerfile",
)
_NOT_DOCKERFILES = (
    ".dockerignore",
    ".md",
    ".txt",
    ".rst",
    ".json",
    ".yml",
    ".yaml",
    ".sh",
    ".orig",
)


def is_dockerfile_name(name: str) -> bool:
    """Whether a file name is a Dockerfile / Containerfile by convention."""
    if name.endswith(_NOT_DOCKERFILES) or not ("ockerfile" in name or "ontainerfile" in name):
        return False  # every pattern names one of the two: most names are ruled out here
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)


def read_dockerignore(dockerfile: Path) -> list[str] | None:
    """Patterns of the build context's ignore file (``<name>.dockerignore`` first), or None."""
    folder, name = os.path.split(dockerfile)
    for candidate in (f"{name}.dockerignore", ".dockerignore"):
        try:
            with open(os.path.join(folder, candidate), encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        return [
            line.strip()
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
    return None


def check_dockerfile(
    path: Path,
    shown: str,
    config: Config,
    *,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Report:
    """Check one Dockerfile; unreadable or unparsable files become error entries.

    ``extra`` adds entries to the rules' context (e.g. ``digest_resolver``).
    """
    from seawall.engine import filter_suppressed, make_context, run_rules, select_rules
    from seawall.parsers.dockerfile import parse_dockerfile
    from seawall.suppress import parse_suppressions
    from seawall.targets.read import read_text_file

    report = Report(targets=[shown])
    try:
        source = read_text_file(path, shown)
        df = parse_dockerfile(source, build_args=build_args, target=target)
    except SourceError as exc:
        report.errors.append(TargetError(shown, exc.reason, "source"))
        return report
    except ParseError as exc:
        report.errors.append(TargetError(shown, str(exc).split(": ", 1)[-1], "parse"))
        return report
    report.sources[shown] = source
    ctx = make_context(config, shown, source)
    ctx.extra["dockerignore"] = read_dockerignore(path)
    ctx.extra["dockerfile_path"] = path
    ctx.extra.update(extra or {})
    rules = select_rules(config, TargetKind.DOCKERFILE, shown)
    report.rules.update((r.meta.id, r) for r in rules)
    findings, errors = run_rules(rules, df, ctx)
    df.cache.clear()  # the rules' memos point back at ``df``: freed now, without the cycle collector
    sup = parse_suppressions(source, df.statement_lines)
    report.findings, report.suppressed = filter_suppressed(
        findings, {shown: sup}, report.sources, report.rules
    )
    report.errors.extend(errors)
    return report
