"""Applying every fix (safe and unsafe) to a project inside a workspace, with chosen changes
backed out, and assessing the findings before and after."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seawall.config import Config
from seawall.errors import ConfigError, SourceError
from seawall.harden.owners import Ownership
from seawall.harden.workspace import FileChange, Workspace
from seawall.model.finding import Finding, Report

# Backed-out changes are recorded in the files as inline pragmas carrying this reason, so that
# `seawall check` and a later `harden` leave them alone; the reason makes them recognisable.
BACKED_OUT_REASON = "seawall harden: this hardening broke the service"
_PRAGMA_LINE = re.compile(r"^[ \t]*# seawall: ignore=[\w,-]+ -- " + re.escape(BACKED_OUT_REASON))


@dataclass(frozen=True)
class Targets:
    """What ``harden`` works on, as paths relative to the project folder ``root``."""

    root: Path
    compose_groups: tuple[tuple[str, ...], ...]
    dockerfiles: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One fix the hardening applies: the finding it resolves, where, and for which service."""

    path: str
    line: int
    rule_id: str
    title: str
    services: tuple[str, ...]

    @property
    def label(self) -> str:
        """A short human name: ``web: CR003 read_only is not set (docker-compose.yml:6)``."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{', '.join(self.services)}: {self.rule_id} {self.title} ({where})"


@dataclass(frozen=True)
class Assessment:
    """The findings of the project as it stands, and which service each belongs to."""

    report: Report
    ownership: Ownership

    def by_owner(self) -> dict[str, list[Finding]]:
        """Findings grouped by service."""
        return self.ownership.group(self.report.findings)


@dataclass(frozen=True)
class Hardened:
    """The result of one hardening pass in the workspace."""

    after: Assessment
    files: tuple[FileChange, ...]
    backed_out: frozenset[Change] = field(default_factory=frozenset)


def find_targets(path: Path, compose_files: list[Path]) -> Targets:
    """The project folder, its Compose projects and its Dockerfiles.

    ``compose_files`` (``-f``) replaces discovery of Compose files; they must be inside ``path``.
    """
    from seawall.commands.check import compose_projects
    from seawall.targets.discover import discover

    if not path.exists():
        raise SourceError(str(path), "no such file or directory")
    root = Path(os.path.abspath(path if path.is_dir() else path.parent))
    found = discover([path])
    groups = [list(compose_files)] if compose_files else compose_projects(found.compose_files)
    relative_groups = tuple(tuple(_relative(p, root) for p in group) for group in groups)
    dockerfiles = tuple(_relative(p, root) for p in found.dockerfiles)
    if not relative_groups and not dockerfiles:
        raise SourceError(str(path), "no Dockerfile or Compose file found")
    return Targets(root, relative_groups, dockerfiles)


def _relative(path: Path, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        raise ConfigError(f"{path}: not inside the project folder {root}") from None


def assess(targets: Targets, root: Path, config: Config) -> Assessment:
    """Check every target under ``root`` (the project folder or its workspace copy)."""
    from seawall.harden.owners import ownership
    from seawall.parsers.compose import LoadOptions, load_project
    from seawall.targets.compose import check_project
    from seawall.targets.dockerfile import check_dockerfile

    report = Report()
    for shown in targets.dockerfiles:
        report.extend(check_dockerfile(root / shown, shown, config))
    owners = Ownership()
    several = len(targets.compose_groups) > 1
    for group in targets.compose_groups:
        files = [root / f for f in group]
        project = load_project(files, LoadOptions(project_dir=files[0].parent, display_root=root))
        report.extend(check_project(project, config))
        owners = _merge(owners, ownership(project, root, f"{group[0]}:" if several else ""))
    # A Dockerfile no service builds is scored on its own, under its path.
    alone = [d for d in targets.dockerfiles if d not in owners.dockerfiles]
    if alone:
        owners = _merge(owners, Ownership(tuple(alone), {}, {d: (d,) for d in alone}))
    report.sort()
    return Assessment(report, owners)


def _merge(a: Ownership, b: Ownership) -> Ownership:
    dockerfiles = dict(a.dockerfiles)
    for path, services in b.dockerfiles.items():
        dockerfiles[path] = (*dockerfiles.get(path, ()), *services)
    return Ownership(
        (*a.services, *(s for s in b.services if s not in a.services)),
        {**a.regions, **b.regions},
        dockerfiles,
    )


def planned_changes(before: Assessment) -> tuple[Change, ...]:
    """Every finding with an applicable fix (safe or unsafe) as a change of the hardening."""
    from seawall.fixer import allowed

    changes = []
    for finding in before.report.findings:
        if not allowed(finding.fix, unsafe=True) or finding.location.span is None:
            continue
        source = before.report.sources.get(finding.location.path)
        if source is None:
            continue
        line = source.text.count("\n", 0, finding.location.span.start) + 1
        title = finding.fix.title if finding.fix is not None else finding.message
        changes.append(
            Change(
                finding.location.path,
                line,
                finding.rule_id,
                title,
                before.ownership.owners(finding),
            )
        )
    return tuple(dict.fromkeys(changes))


def with_pragmas(text: str, changes: list[Change]) -> str:
    """``text`` with a standalone ignore pragma above each change's line (same indentation)."""
    lines = text.split("\n")
    by_line: dict[int, list[str]] = {}
    for change in changes:
        by_line.setdefault(change.line, []).append(change.rule_id)
    for line in sorted(by_line, reverse=True):
        if not 1 <= line <= len(lines):
            continue
        target = lines[line - 1]
        indent = target[: len(target) - len(target.lstrip())]
        ids = ",".join(sorted(set(by_line[line])))
        lines.insert(line - 1, f"{indent}# seawall: ignore={ids} -- {BACKED_OUT_REASON}")
    return "\n".join(lines)


def without_pragmas(text: str) -> str:
    """``text`` without the pragma lines :func:`with_pragmas` added."""
    return "\n".join(line for line in text.split("\n") if not _PRAGMA_LINE.match(line))


class Hardener:
    """Applies the hardening to a workspace, any number of times with different changes backed
    out; each pass starts again from the original files."""

    def __init__(self, targets: Targets, workspace: Workspace, config: Config) -> None:
        self.targets = targets
        self.workspace = workspace
        self.config = config
        self._baseline = stat_tree(workspace.root)
        self._touched: set[str] = set()
        # A step run after the fixes in every pass (``--seccomp`` adds its profiles there); it
        # gets the backed-out changes, as it may own some (line 0: not a finding's fix).
        self.extra_step: Callable[[Workspace, frozenset[Change]], None] | None = None

    def harden(self, backed_out: frozenset[Change] = frozenset()) -> Hardened:
        """Reset the workspace, back out ``backed_out`` as pragmas, apply all fixes, assess."""
        self._reset()
        by_path: dict[str, list[Change]] = {}
        for change in backed_out:
            by_path.setdefault(change.path, []).append(change)
        for path, changes in by_path.items():
            changes = [c for c in changes if c.line > 0]
            text = self.workspace.read(path) if changes else None
            if text is not None:
                self.workspace.write(path, with_pragmas(text, changes))
        for shown in self.targets.dockerfiles:
            self._fix_dockerfile(shown)
        for group in self.targets.compose_groups:
            self._fix_compose(group)
        if self.extra_step is not None:
            self.extra_step(self.workspace, backed_out)
        files = self._changed_files()
        after = self._assess_without_pragmas(by_path)
        self._touched = {f.path for f in files}
        return Hardened(after, files, backed_out)

    def _assess_without_pragmas(self, paths: dict[str, list[Change]]) -> Assessment:
        """Assess the workspace as if nothing were backed out by pragma, so that a backed-out
        change still counts against the score."""
        kept: dict[str, str] = {}
        for path in paths:
            text = self.workspace.read(path)
            if text is not None:
                kept[path] = text
                self.workspace.write(path, without_pragmas(text))
        try:
            return assess(self.targets, self.workspace.root, self.config)
        finally:
            for path, text in kept.items():
                self.workspace.write(path, text)

    def _reset(self) -> None:
        for path in self._touched:
            original = _read_or_none(self.targets.root / path)
            if original is None:
                self.workspace.remove(path)
            else:
                self.workspace.write(path, original)
        self._touched = set()
        self._baseline = stat_tree(self.workspace.root)

    def _fix_dockerfile(self, shown: str) -> None:
        from seawall.fixer import fix_until_stable
        from seawall.model.source import SourceFile
        from seawall.parsers.dockerfile import parse_dockerfile
        from seawall.targets.dockerfile import check_dockerfile

        path = self.workspace.path(shown)
        original = self.workspace.read(shown)
        if original is None:
            return

        def find(text: str) -> list[Finding]:
            # The rules read the Dockerfile's folder (.dockerignore) too: check the file in place.
            path.write_text(text, encoding="utf-8")
            return check_dockerfile(path, shown, self.config).findings

        def validate(text: str) -> None:
            parse_dockerfile(SourceFile(shown, text))

        try:
            fixed, _ = fix_until_stable(original, shown, find, validate, unsafe=True)
        finally:
            path.write_text(original, encoding="utf-8")
        if fixed != original:
            path.write_text(fixed, encoding="utf-8")

    def _fix_compose(self, group: tuple[str, ...]) -> None:
        from seawall.harden.compose_fixes import apply_compose_fixes

        apply_compose_fixes(
            [self.workspace.path(f) for f in group], self.workspace.root, self.config
        )

    def _changed_files(self) -> tuple[FileChange, ...]:
        now = stat_tree(self.workspace.root)
        changed = []
        for path, signature in sorted(now.items()):
            if self._baseline.get(path) == signature and path not in self._touched:
                continue
            fixed = self.workspace.read(path)
            original = _read_or_none(self.targets.root / path)
            if fixed is None or fixed == original:
                continue
            mode = None if original is not None else stat.S_IMODE(signature[2])
            changed.append(FileChange(path, original, fixed, mode))
        return tuple(changed)


def stat_tree(root: Path) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            full = Path(folder) / name
            try:
                st = full.lstat()
            except OSError:
                continue
            out[full.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"cannot read: {exc}") from None
