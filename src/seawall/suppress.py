"""Inline suppression pragmas: seawall's own and the ones users of peer tools already have.

Recognised (in ``#`` comments):

- ``# seawall: ignore=DF002,add-instead-of-copy -- reason``: the next statement, or the line the
  comment trails; ``# seawall: ignore-file=DF002``: the whole file.
- ``# hadolint ignore=DL3008,DL3009`` (next statement), ``# hadolint global ignore=…`` (file).
- ``#trivy:ignore:DS-0002`` (next statement; an ``:exp:YYYY-MM-DD`` suffix is honoured).
- ``#checkov:skip=CKV_DOCKER_2:reason`` (file-wide, as Checkov does).
- ``# kics-scan ignore-line`` (next line, every rule), ``# kics-scan ignore`` (file, every rule),
  ``# kics-scan disable=<id>,…`` (file).

Peer ids match through each rule's ``aliases``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from seawall.lazy_re import lazy_pattern
from seawall.model.source import SourceFile

if TYPE_CHECKING:
    import datetime as _dt

ALL = "*"

_SEAWALL = lazy_pattern(r"#\s*seawall:\s*(ignore|ignore-file)\s*=\s*([^\s#]+(?:\s*,\s*[^\s#]+)*)")
_HADOLINT = lazy_pattern(r"#\s*hadolint\s+(global\s+)?ignore\s*=\s*([\w\-, ]+)")
_TRIVY = lazy_pattern(r"#\s*trivy:ignore:([\w\-]+)(?::exp:(\d{4}-\d{2}-\d{2}))?")
_CHECKOV = lazy_pattern(r"#\s*checkov:skip=([\w\-]+)")
_KICS = lazy_pattern(r"#\s*kics-scan\s+(ignore-line|ignore-block|ignore|disable=[\w\-, ]+)")
# Whether a comment may hold any pragma above: most files and most comments hold none.
_ANY_PRAGMA = lazy_pattern(r"#\s*(?:seawall:|hadolint\s|trivy:|checkov:|kics-scan\s)")


class Suppressions:
    """Which rule names are silenced for the whole file and on which lines."""

    __slots__ = ("by_line", "file_wide")

    def __init__(
        self, file_wide: set[str] | None = None, by_line: dict[int, set[str]] | None = None
    ) -> None:
        self.file_wide: set[str] = set() if file_wide is None else file_wide
        self.by_line: dict[int, set[str]] = {} if by_line is None else by_line

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Suppressions):
            return NotImplemented
        return self.file_wide == other.file_wide and self.by_line == other.by_line

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Suppressions(file_wide={self.file_wide!r}, by_line={self.by_line!r})"

    def add_lines(self, lines: Iterable[int], names: Iterable[str]) -> None:
        """Silence ``names`` on each of ``lines``."""
        names = set(names)
        for line in lines:
            self.by_line.setdefault(line, set()).update(names)

    def suppresses(self, names: set[str], line: int | None) -> bool:
        """Whether a finding known by any of ``names`` on ``line`` is silenced."""
        lowered = {n.lower() for n in names}
        if ALL in self.file_wide or lowered & self.file_wide:
            return True
        if line is None:
            return False
        here = self.by_line.get(line)
        if not here:
            return False
        return ALL in here or bool(lowered & here)

    def __bool__(self) -> bool:
        return bool(self.file_wide or self.by_line)


def _ids(text: str) -> set[str]:
    return {p.strip().lower() for p in text.split(",") if p.strip()}


def parse_suppressions(
    source: SourceFile,
    statement_lines: Callable[[int], range] | None = None,
    today: _dt.date | None = None,
) -> Suppressions:
    """Collect pragmas from ``#`` comments in ``source``.

    ``statement_lines(line)`` gives the lines of the statement that starts at or after ``line``
    (a Dockerfile instruction with continuations); by default a pragma covers the next
    non-comment line. A pragma trailing code covers that line as well.
    """
    sup = Suppressions()
    if "#" not in source.text or _ANY_PRAGMA.search(source.text) is None:
        return sup
    if today is None:
        import datetime

        today = datetime.date.today()
    lines = source.text.split("\n")

    def following(line_no: int) -> range:
        nxt = line_no + 1
        while nxt <= len(lines) and (
            not lines[nxt - 1].strip() or lines[nxt - 1].lstrip().startswith("#")
        ):
            nxt += 1
        if statement_lines is not None:
            return statement_lines(nxt)
        return range(nxt, nxt + 1)

    for index, raw in enumerate(lines):
        if "#" not in raw:
            continue
        line_no = index + 1
        comment = raw[raw.index("#") :]
        if _ANY_PRAGMA.search(comment) is None:
            continue
        standalone = raw.lstrip().startswith("#")
        targets = following(line_no) if standalone else range(line_no, line_no + 1)
        if m := _SEAWALL.search(comment):
            names = _ids(m.group(2))
            names = {ALL if n in {"all", "*"} else n for n in names}
            if m.group(1) == "ignore-file":
                sup.file_wide.update(names)
            else:
                sup.add_lines(targets, names)
        if m := _HADOLINT.search(comment):
            if m.group(1):
                sup.file_wide.update(_ids(m.group(2)))
            else:
                sup.add_lines(targets, _ids(m.group(2)))
        for m in _TRIVY.finditer(comment):
            expiry = m.group(2)
            if expiry and _expired(expiry, today):
                continue
            sup.add_lines(targets, {m.group(1).lower()})
        for m in _CHECKOV.finditer(comment):
            sup.file_wide.add(m.group(1).lower())
        if m := _KICS.search(comment):
            word = m.group(1)
            if word == "ignore-line":
                sup.add_lines(targets, {ALL})
            elif word == "ignore-block":
                sup.add_lines(following(line_no) if standalone else targets, {ALL})
            elif word == "ignore":
                sup.file_wide.add(ALL)
            else:
                sup.file_wide.update(_ids(word.split("=", 1)[1]))
    return sup


def _expired(expiry: str, today: _dt.date) -> bool:
    """Whether a ``:exp:`` date has passed; an impossible date (2024-02-31) counts as expired."""
    import datetime

    try:
        return datetime.date.fromisoformat(expiry) < today
    except ValueError:
        return True
