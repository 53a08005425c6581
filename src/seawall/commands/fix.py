"""Applying fixes for ``check --fix`` / ``--diff``: all files computed first, then written atomically."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import sys
from pathlib import Path

from seawall.config import Config
from seawall.errors import FixError, SeawallError
from seawall.model.finding import Report


def _dockerfile_fixer(path: Path, shown: str, config: Config, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from seawall.fixes.dockerfile import dockerfile_finder, validate_dockerfile
    from seawall.targets.dockerfile import read_dockerignore

    build_args = dict(a.split("=", 1) for a in args.build_arg if "=" in a)
    extra: dict[str, object] = {
        "dockerignore": read_dockerignore(path),
        "dockerfile_path": path,
    }
    if getattr(args, "resolve_digests", False) or config.rule_options.get("DF003", {}).get(
        "resolve-digests", False
    ):
        from seawall.fixes.digest import resolver_for

        extra["digest_resolver"] = resolver_for(args)
    find = dockerfile_finder(shown, config, build_args=build_args, target=args.target, extra=extra)
    return find, lambda text: validate_dockerfile(text, shown)


def apply_fixes(
    report: Report, dockerfiles: list[Path], config: Config, args: argparse.Namespace
) -> int:
    """Fix every Dockerfile that has fixable findings; returns how many files changed.

    With ``--diff`` nothing is written and the diff goes to stdout. A failure in any file
    (a fix that does not converge or breaks parsing, a file changed on disk meanwhile, a write
    error) leaves every file as it was.
    """
    from seawall.atomic import write_text_atomic
    from seawall.fixer import allowed, fix_until_stable
    from seawall.targets.read import display_path

    unsafe = bool(args.unsafe_fixes)
    fixable = {
        f.location.path for f in report.findings if f.fix is not None and allowed(f.fix, unsafe)
    }
    planned: list[tuple[Path, str, str]] = []
    for path in dockerfiles:
        shown = display_path(path)
        if shown not in fixable:
            continue
        original = report.sources[shown].text
        find, validate = _dockerfile_fixer(path, shown, config, args)
        fixed, applied = fix_until_stable(original, shown, find, validate, unsafe=unsafe)
        if applied and fixed != original:
            planned.append((path, original, fixed))
    if args.diff:
        for path, original, fixed in planned:
            shown = display_path(path)
            sys.stdout.writelines(
                difflib.unified_diff(
                    original.splitlines(keepends=True),
                    fixed.splitlines(keepends=True),
                    fromfile=f"a/{shown}",
                    tofile=f"b/{shown}",
                )
            )
        return len(planned)
    written: list[tuple[Path, str]] = []
    try:
        for path, original, fixed in planned:
            current = path.read_text(encoding="utf-8-sig")
            if current != original:
                raise FixError(
                    f"{display_path(path)}: changed on disk while fixing; nothing written"
                )
            write_text_atomic(path, fixed)
            written.append((path, original))
    except (OSError, SeawallError) as exc:
        for path, original in reversed(written):
            with contextlib.suppress(SeawallError):
                write_text_atomic(path, original)
        if isinstance(exc, SeawallError):
            raise
        raise FixError(f"cannot write fixes: {exc}") from None
    for path, _, _ in planned:
        print(f"fixed {display_path(path)}", file=sys.stderr)
    return len(planned)


def apply_compose_fixes(
    projects: list[list[Path]], config: Config, args: argparse.Namespace
) -> int:
    """Fix every Compose project (all projects' files written together, or none); returns how
    many files changed. With ``--diff`` the diff goes to stdout (secret files are only named).

    A project whose files an earlier project's fixes already change is left for the next run.
    """
    from seawall.fixes.compose import ComposeFixPlan, FileChange, plan_compose_fixes, write_plan
    from seawall.parsers.compose import LoadOptions

    options = LoadOptions(env_files=tuple(args.env_file), profiles=tuple(args.profile))
    changes: list[FileChange] = []
    touched: set[Path] = set()
    for files in projects:
        try:
            plan = plan_compose_fixes(
                files, config, unsafe=bool(args.unsafe_fixes), options=options
            )
        except SeawallError as exc:
            if isinstance(exc, FixError):
                raise
            continue  # a project that does not load is already reported as an error
        paths = {c.path for c in plan.changes}
        if paths & touched:
            print(
                f"seawall: {files[0]}: shares files with another project fixed in this run; "
                "run again to fix it",
                file=sys.stderr,
            )
            continue
        touched |= paths
        changes.extend(plan.changes)
        for note in plan.notes:
            print(f"seawall: {note}", file=sys.stderr)
        if args.diff:
            sys.stdout.write(plan.diff())
    if args.diff or not changes:
        return len(changes)
    combined = ComposeFixPlan(
        files=tuple(f for p in projects for f in p),
        changes=tuple(changes),
        applied=(),
        remaining=(),
        before=Report(),
        after=Report(),
    )
    write_plan(combined)
    for change in changes:
        print(f"{'created' if change.created else 'fixed'} {change.display}", file=sys.stderr)
    return len(changes)
