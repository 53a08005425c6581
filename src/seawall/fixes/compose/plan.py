"""Planning the fixes of one Compose project in memory: load, check, apply, repeat until stable.

Every pass loads the project from the texts fixed so far (``LoadOptions.texts``), runs the
rules, and applies the allowed fixes whose edits do not overlap; a project that no longer loads
is refused, naming the fixes that broke it. Nothing is written here (see ``write.py``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.errors import FixError, ParseError, SourceError
from seawall.model.finding import Finding, Report
from seawall.model.fix import Edit, Fix

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.parsers.compose import ComposeProject, LoadOptions

SECRET_MODE = 0o600
GITIGNORE_MODE = 0o644
_SERVICE = re.compile(r"^(?:service|container|datastore|internet-facing service) '([^']+)'")


@dataclass(frozen=True)
class AppliedFix:
    """A finding resolved by a fix: rule, service (None for project-wide), fix title, file."""

    rule_id: str
    service: str | None
    title: str
    path: str


@dataclass(frozen=True)
class FileChange:
    """One file to write: ``original`` None means the file is created with ``mode``."""

    path: Path  # the real path written (a symlinked compose file's target)
    display: str
    original: str | None
    fixed: str
    mode: int | None = None

    @property
    def created(self) -> bool:
        """Whether the file is new."""
        return self.original is None

    @property
    def secret(self) -> bool:
        """Whether the file holds a secret (its content is never shown)."""
        return self.mode == SECRET_MODE


@dataclass(frozen=True)
class ComposeFixPlan:
    """The fixed texts of one project, with what was fixed and what remains."""

    files: tuple[Path, ...]
    changes: tuple[FileChange, ...]
    applied: tuple[AppliedFix, ...]
    remaining: tuple[Finding, ...]
    before: Report
    after: Report
    passes: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        """Whether any file would be written."""
        return bool(self.changes)

    def diff(self) -> str:
        """A unified diff of every change; new secret files are named, never shown, and the
        values moved into them are masked in the lines removed from the compose files."""
        out: list[str] = []
        hidden = sorted({c.fixed for c in self.changes if c.secret and c.fixed}, key=len)[::-1]
        for change in self.changes:
            if change.secret:
                out.append(
                    f"new file {change.display} (mode {change.mode:04o}; content not shown)\n"
                )
                continue
            before = [] if change.original is None else change.original.splitlines(True)
            after = change.fixed.splitlines(True)
            if after and not after[-1].endswith("\n"):
                after[-1] += "\n\\ No newline at end of file\n"
            if before and not before[-1].endswith("\n"):
                before[-1] += "\n\\ No newline at end of file\n"
            out.extend(
                difflib.unified_diff(
                    before,
                    after,
                    fromfile="/dev/null" if change.created else f"a/{change.display}",
                    tofile=f"b/{change.display}",
                )
            )
        text = "".join(out)
        for value in hidden:
            text = text.replace(value, "********")
        return text


def service_of(finding: Finding) -> str | None:
    """The service a finding is about, from its message (None for project-wide findings)."""
    m = _SERVICE.match(finding.message)
    return m.group(1) if m else None


class _State:
    """Texts fixed so far, keyed by real path, plus the files to create."""

    def __init__(self) -> None:
        self.texts: dict[Path, str] = {}
        self.originals: dict[Path, tuple[str, str]] = {}  # real path -> (display, text)
        self.created: dict[Path, tuple[str, str, int]] = {}  # real path -> (display, text, mode)

    def remember(self, project: ComposeProject) -> None:
        for shown, source in project.sources.items():
            real = project.real_paths.get(shown)
            if real is not None and real not in self.originals:
                self.originals[real] = (shown, source.text)

    def snapshot(self) -> tuple[dict[Path, str], dict[Path, tuple[str, str, int]]]:
        """The pending texts and new files, to restore after a refused fix."""
        return dict(self.texts), dict(self.created)

    def restore(self, saved: tuple[dict[Path, str], dict[Path, tuple[str, str, int]]]) -> None:
        """Go back to a snapshot."""
        self.texts, self.created = dict(saved[0]), dict(saved[1])

    def text_of(self, real: Path) -> str:
        if real in self.texts:
            return self.texts[real]
        return self.originals[real][1]


def _skipped(finding: Finding, skip: Collection[tuple[str, str | None]]) -> bool:
    if not skip:
        return False
    service = service_of(finding)
    return (finding.rule_id, service) in skip or (
        service is not None and (finding.rule_id, "*") in skip
    )


def _select(fixes: list[Fix]) -> list[Fix]:
    """Fixes whose edits overlap no earlier chosen fix (in any file); the rest wait a pass."""
    chosen: list[Fix] = []
    taken: dict[str | None, list[tuple[int, int]]] = {}
    for fix in fixes:
        if fix in chosen:
            continue
        clash = False
        for edit in fix.edits:
            s, e = edit.span.start, edit.span.end
            for ts, te in taken.get(edit.path, ()):
                if (s < te and ts < e) or (s == e == ts == te) or (edit.create_mode is not None):
                    clash = True
        if clash:
            continue
        chosen.append(fix)
        for edit in fix.edits:
            taken.setdefault(edit.path, []).append((edit.span.start, edit.span.end))
    return chosen


def _apply(state: _State, project: ComposeProject, fixes: list[Fix]) -> None:
    from seawall.fixer import apply_edits

    by_file: dict[Path, list[Edit]] = {}
    for fix in fixes:
        for edit in fix.edits:
            if edit.create_mode is not None:
                target = Path(edit.path or "")
                real = target.resolve()
                if real in state.created or target.exists():
                    raise FixError(f"{edit.path}: cannot create, the file already exists")
                state.created[real] = (edit.path or "", edit.content, edit.create_mode)
                continue
            shown = edit.path or project.compose_files[0]
            real_path = project.real_paths.get(shown)
            if real_path is None:
                raise FixError(f"{shown}: a fix edits a file that is not part of the project")
            by_file.setdefault(real_path, []).append(edit)
    for real, edits in by_file.items():
        text = state.text_of(real)
        if "\r\n" in text:  # keep the file's line breaks
            edits = [
                Edit(e.span, e.content.replace("\r\n", "\n").replace("\n", "\r\n"), e.path)
                for e in edits
            ]
        state.texts[real] = apply_edits(text, _join_inserts(edits))


def _join_inserts(edits: list[Edit]) -> list[Edit]:
    """Insertions at the same offset joined in the order the fixes list them."""
    joined: dict[tuple[int, int], Edit] = {}
    out: list[Edit] = []
    for edit in edits:
        key = (edit.span.start, edit.span.end)
        first = joined.get(key)
        if first is not None and edit.span.start == edit.span.end:
            merged = Edit(first.span, first.content + edit.content, first.path)
            out[out.index(first)] = merged
            joined[key] = merged
            continue
        joined[key] = edit
        out.append(edit)
    return out


def _apply_checked(
    state: _State,
    project: ComposeProject,
    chosen: list[Fix],
    load: Callable[[], ComposeProject],
    refused: dict[Fix, str],
) -> tuple[ComposeProject, list[Fix]]:
    """Apply ``chosen`` and reload; output that no longer loads is refused fix by fix (each
    refused fix is recorded with the loader's error and never tried again)."""
    snapshot = state.snapshot()
    _apply(state, project, chosen)
    try:
        return load(), chosen
    except (ParseError, SourceError) as exc:
        state.restore(snapshot)
        if len(chosen) == 1:
            refused[chosen[0]] = str(exc)
            return project, []
    good: list[Fix] = []
    for fix in chosen:  # each alone, against the text this pass started from
        _apply(state, project, [fix])
        try:
            load()
            good.append(fix)
        except (ParseError, SourceError) as exc:
            refused[fix] = str(exc)
        state.restore(snapshot)
    for group in (good, good[:1]):  # together, else the first alone (the rest next pass)
        if not group:
            break
        _apply(state, project, group)
        try:
            return load(), group
        except (ParseError, SourceError):
            state.restore(snapshot)
    return project, []


def _gitignore(state: _State) -> None:
    """List every new secret file in the ``.gitignore`` of its folder."""
    by_folder: dict[Path, list[str]] = {}
    for real, (_shown, _text, mode) in sorted(state.created.items()):
        if mode == SECRET_MODE:
            by_folder.setdefault(real.parent, []).append("/" + real.name)
    for folder, names in by_folder.items():
        ignore = folder / ".gitignore"
        try:
            current: str | None = ignore.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        except (OSError, UnicodeDecodeError) as exc:
            raise FixError(f"{ignore}: cannot read: {exc}") from None
        lines = set((current or "").splitlines())
        missing = [n for n in names if n not in lines]
        if not missing:
            continue
        if current is None:
            state.created[ignore.resolve()] = (
                _shown_beside(state, folder, ".gitignore"),
                "".join(n + "\n" for n in missing),
                GITIGNORE_MODE,
            )
        else:
            sep = "" if not current or current.endswith("\n") else "\n"
            state.originals.setdefault(
                ignore.resolve(), (_shown_beside(state, folder, ".gitignore"), current)
            )
            state.texts[ignore.resolve()] = current + sep + "".join(n + "\n" for n in missing)


def _shown_beside(state: _State, folder: Path, name: str) -> str:
    for real, (shown, *_rest) in state.created.items():
        if real.parent == folder:
            return str(Path(shown).parent / name)
    return str(folder / name)


def plan_compose_fixes(
    files: Sequence[Path],
    config: Config,
    *,
    unsafe: bool,
    options: LoadOptions | None = None,
    skip: Collection[tuple[str, str | None]] = (),
) -> ComposeFixPlan:
    """Fix one Compose project (``files[0]`` the base, then overrides) in memory.

    SAFE fixes always, UNSAFE ones with ``unsafe``; DISPLAY_ONLY never. ``skip`` lists
    ``(rule id, service)`` pairs not to fix (service None: project-wide findings; ``"*"``: every
    service), e.g. the hardenings ``harden --verify --keep-working`` backs out. Raises
    SourceError / ParseError when the project does not load as it is, FixError when fixes do
    not converge. A fix whose output would no longer load is refused (its finding remains and
    ``notes`` says why). Nothing is written: pass the plan to ``write_plan``.
    """
    from seawall.fixer import allowed
    from seawall.parsers.compose import LoadOptions, load_project
    from seawall.targets.compose import check_project

    base_options = options or LoadOptions()
    state = _State()

    def load() -> ComposeProject:
        return load_project(list(files), replace(base_options, texts=dict(state.texts)))

    project = load()  # the project as it is: SourceError / ParseError go to the caller
    before = report = check_project(project, config)
    state.remember(project)
    max_passes = 10 + 2 * len(project.services)
    applied: list[AppliedFix] = []
    refused: dict[Fix, str] = {}
    passes = 0
    while True:
        candidates = [
            f
            for f in report.findings
            if f.fix is not None
            and allowed(f.fix, unsafe)
            and f.fix not in refused
            and not _skipped(f, skip)
        ]
        if not candidates:
            break
        if passes >= max_passes:
            raise FixError(f"{files[0]}: fixes did not converge after {max_passes} passes")
        chosen = _select([f.fix for f in candidates if f.fix is not None])
        project, kept = _apply_checked(state, project, chosen, load, refused)
        for finding in candidates:
            if finding.fix in kept:
                applied.append(
                    AppliedFix(
                        finding.rule_id,
                        service_of(finding),
                        finding.fix.title if finding.fix else "",
                        finding.location.path,
                    )
                )
        report = check_project(project, config)
        passes += 1
    _gitignore(state)
    changes = [
        FileChange(real, state.originals[real][0], state.originals[real][1], text)
        for real, text in state.texts.items()
        if text != state.originals[real][1]
    ]
    changes.extend(
        FileChange(real, shown, None, text, mode)
        for real, (shown, text, mode) in state.created.items()
    )
    return ComposeFixPlan(
        files=tuple(files),
        changes=tuple(sorted(changes, key=lambda c: c.display)),
        applied=tuple(applied),
        remaining=tuple(report.findings),
        before=before,
        after=report,
        passes=passes,
        notes=tuple(
            f"{title}: not applied, the project would no longer load ({why})"
            for title, why in sorted((fix.title, why) for fix, why in refused.items())
        ),
    )
