"""Applying fixes to text: non-overlapping edits per pass, repeated until nothing changes.

The file-writing side (atomic replace, rollback across files, ``--diff``) builds on these pure
functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from seawall.errors import FixError
from seawall.model.finding import Finding
from seawall.model.fix import Applicability, Edit, Fix

MAX_PASSES = 10


def allowed(fix: Fix | None, unsafe: bool) -> bool:
    """Whether a fix may be applied (SAFE always; UNSAFE only when asked; never DISPLAY_ONLY)."""
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits (assumed non-overlapping) to ``text``."""
    out = text
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        out = out[: edit.span.start] + edit.content + out[edit.span.end :]
    return out


def select_non_overlapping(fixes: Iterable[Fix], path: str) -> tuple[list[Fix], int]:
    """Fixes whose edits (in ``path``) do not overlap an earlier chosen fix; others wait a pass."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    deferred = 0
    for fix in fixes:
        spans = [(e.span.start, e.span.end) for e in fix.edits if e.path in (None, path)]
        clash = any(
            (s < te and ts < e) or (s == e == ts == te) for s, e in spans for ts, te in taken
        )
        if clash:
            deferred += 1
            continue
        chosen.append(fix)
        taken.extend(spans)
    return chosen, deferred


def fix_until_stable(
    text: str,
    path: str,
    find: Callable[[str], list[Finding]],
    validate: Callable[[str], None],
    *,
    unsafe: bool = False,
) -> tuple[str, int]:
    """Apply fixes from ``find`` repeatedly until none remain; returns text and fixes applied.

    ``validate`` must raise if the text no longer parses: such output is refused.
    """
    applied = 0
    for _ in range(MAX_PASSES):
        fixes = [f.fix for f in find(text) if f.fix is not None and allowed(f.fix, unsafe)]
        if not fixes:
            return text, applied
        chosen, _deferred = select_non_overlapping(fixes, path)
        edits = [e for fix in chosen for e in fix.edits if e.path in (None, path)]
        new_text = apply_edits(text, edits)
        try:
            validate(new_text)
        except Exception as exc:
            titles = ", ".join(sorted({f.title for f in chosen}))
            raise FixError(
                f"{path}: fix ({titles}) would produce text that no longer parses: {exc}"
            ) from None
        if new_text == text:
            return text, applied
        text = new_text
        applied += len(chosen)
    raise FixError(f"{path}: fixes did not converge after {MAX_PASSES} passes")
