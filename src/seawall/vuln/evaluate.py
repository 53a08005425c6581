"""Whether one OSV ``affected[]`` entry covers one installed version (OSV evaluation rules).

A version is affected if it is listed in ``versions`` or if some range says so. A range with
``limit`` events is skipped once the version reaches every limit. Otherwise its events are
walked in version order: ``introduced`` (``0`` = everything) switches "affected" on, ``fixed``
(at or above) and ``last_affected`` (strictly above) switch it off. ``SEMVER`` ranges use the
semver order, ``ECOSYSTEM`` ranges the ecosystem's; ``GIT`` ranges cannot be evaluated on a
version string and leave the decision to ``versions``. When an order is unknown or a version does
not parse, the verdict says it is uncertain instead of claiming "not affected".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cmp_to_key

from seawall.vuln.osv import Affected, Event, Range
from seawall.vuln.versions import Comparator, InvalidVersion, comparator_for, semver_compare
from seawall.vuln.versions.semver import go_version


@dataclass(frozen=True)
class Verdict:
    """The outcome for one affected entry: affected or not, how sure, and the fix if any."""

    affected: bool
    certain: bool = True
    fixed: str | None = None  # smallest fixed version above the installed one
    note: str = ""


NOT_AFFECTED = Verdict(False)


def installed_form(ecosystem: str, name: str, version: str) -> str:
    """The version string OSV data compares against (Go toolchain versions become semver)."""
    if ecosystem.split(":", 1)[0] == "Go":
        if name == "stdlib":
            return go_version(version if version.startswith("go") else "go" + version.lstrip("v"))
        return version.removeprefix("v")  # OSV Go versions are written without the "v"
    return version


def _ordered(events: tuple[Event, ...], cmp: Comparator) -> list[Event]:
    """Events other than ``limit`` in version order; ``introduced: 0`` comes first."""

    def compare(a: Event, b: Event) -> int:
        a_zero = a.kind == "introduced" and a.version == "0"
        b_zero = b.kind == "introduced" and b.version == "0"
        if a_zero or b_zero:
            return int(b_zero) - int(a_zero)
        return cmp(a.version, b.version)

    return sorted((e for e in events if e.kind != "limit"), key=cmp_to_key(compare))


def _range_verdict(rng: Range, version: str, cmp: Comparator) -> tuple[bool, str | None]:
    """(affected, smallest fixed version above ``version``) for one range. May raise."""
    limits = [e.version for e in rng.events if e.kind == "limit"]
    if limits and not any(lim == "*" or cmp(version, lim) < 0 for lim in limits):
        return False, None
    affected = False
    for event in _ordered(rng.events, cmp):
        if event.kind == "introduced":
            if event.version == "0" or cmp(version, event.version) >= 0:
                affected = True
        elif event.kind == "fixed":
            if cmp(version, event.version) >= 0:
                affected = False
        elif event.kind == "last_affected" and cmp(version, event.version) > 0:
            affected = False
    if not affected:
        return False, None
    above = [e.version for e in rng.events if e.kind == "fixed" and cmp(e.version, version) > 0]
    fixed = min(above, key=cmp_to_key(cmp)) if above else None
    return True, fixed


def evaluate(aff: Affected, version: str) -> Verdict:
    """Apply the OSV rules of ``aff`` to an installed ``version`` (already in OSV form)."""
    listed = version in aff.versions
    ecosystem_cmp = comparator_for(aff.ecosystem)
    problems: list[str] = []
    fixes: list[tuple[str, Comparator]] = []
    hit = False
    for rng in aff.ranges:
        if rng.type == "GIT":
            continue
        cmp = semver_compare if rng.type == "SEMVER" else ecosystem_cmp
        if cmp is None:
            problems.append(f"no version order for ecosystem {aff.ecosystem!r}")
            continue
        try:
            in_range, fixed = _range_verdict(rng, version, cmp)
        except InvalidVersion as exc:
            problems.append(str(exc))
            continue
        if in_range:
            hit = True
            if fixed is not None:
                fixes.append((fixed, cmp))
    fixed_version = None
    if fixes:
        cmp = fixes[0][1]
        fixed_version = min((f for f, _ in fixes), key=cmp_to_key(cmp))
    if hit or listed:
        note = "" if hit else "matched by the record's explicit versions list"
        return Verdict(True, True, fixed_version, note)
    if problems:
        if aff.versions:
            # OSV producers enumerate affected versions; trust the list but say so.
            return Verdict(False, True, None, f"decided by versions list ({problems[0]})")
        return Verdict(False, False, None, problems[0])
    return NOT_AFFECTED
