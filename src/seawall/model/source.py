"""Source text with character-offset spans; line/column computed only on demand.

The values here are named tuples, not frozen dataclasses: they are just as immutable and
comparable, cost a fifth as much to define (this module is imported by every run) and are
built several times faster (a scan builds hundreds of thousands of spans).
"""

from __future__ import annotations

import bisect
import itertools
from typing import Any, NamedTuple


class Position(NamedTuple):
    """A 1-based line and 1-based column (in characters)."""

    line: int
    column: int


class _SpanFields(NamedTuple):
    start: int
    end: int


_new_tuple = tuple.__new__


class Span(_SpanFields):
    """Half-open character range ``[start, end)`` into a SourceFile's text.

    ``len(span)`` is its length in characters, so an empty span is false. Build spans with
    ``Span(start, end)``, which checks them (``_replace`` is not supported).
    """

    __slots__ = ()

    def __new__(cls, start: int, end: int) -> Span:
        if start < 0 or end < start:
            raise ValueError(f"invalid span {start}..{end}")
        return _new_tuple(cls, (start, end))

    def shift(self, offset: int) -> Span:
        """The same span moved by ``offset`` characters."""
        return Span(self.start + offset, self.end + offset)

    def cover(self, other: Span) -> Span:
        """The smallest span containing both spans."""
        return Span(min(self.start, other.start), max(self.end, other.end))

    def __len__(self) -> int:
        return self.end - self.start


class Immutable:
    """Base of the slotted classes that refuse attribute changes once built.

    Their ``__init__`` sets the slots with ``object.__setattr__``.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")


class SourceFile(Immutable):
    """A file's text as read, with the path shown to users (relative, forward slashes).

    Immutable; equal when path and text are. A plain class with slots rather than a named tuple
    because it caches its line offsets, which take no part in equality.
    """

    __slots__ = ("_line_starts", "path", "text")

    path: str
    text: str
    _line_starts: list[int]

    def __init__(self, path: str, text: str) -> None:
        _set = object.__setattr__
        _set(self, "path", path)
        _set(self, "text", text)
        _set(self, "_line_starts", [])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceFile):
            return NotImplemented
        return self.path == other.path and self.text == other.text

    def __hash__(self) -> int:
        return hash((self.path, self.text))

    def __repr__(self) -> str:
        return f"SourceFile(path={self.path!r}, text={self.text!r})"

    def __reduce__(self) -> tuple[type[SourceFile], tuple[str, str]]:
        return (SourceFile, (self.path, self.text))  # the line cache is rebuilt on demand

    def line_starts(self) -> list[int]:
        """Offset of the first character of every line (computed once; do not modify)."""
        if not self._line_starts:
            # Each line starts one past the end of the one before (its newline): summed in C.
            lengths = map(len, self.text.split("\n"))
            self._line_starts.extend(itertools.accumulate(map((1).__add__, lengths), initial=0))
            self._line_starts.pop()  # the offset after the last line
        return self._line_starts

    def position(self, offset: int) -> Position:
        """Line and column of a character offset."""
        starts = self.line_starts()
        index = bisect.bisect_right(starts, offset) - 1
        return Position(index + 1, offset - starts[index] + 1)

    def offset(self, line: int, column: int = 1) -> int:
        """Character offset of a 1-based line and column."""
        starts = self.line_starts()
        line = max(1, min(line, len(starts)))
        return min(starts[line - 1] + column - 1, len(self.text))

    def line_count(self) -> int:
        """Number of lines (a trailing newline does not start a new line)."""
        count = len(self.line_starts())
        if self.text.endswith("\n"):
            count -= 1
        return max(count, 1) if self.text else 0

    def line_text(self, line: int) -> str:
        """Text of a 1-based line without its newline."""
        starts = self.line_starts()
        if line < 1 or line > len(starts):
            return ""
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end].rstrip("\r")

    def slice(self, span: Span) -> str:
        """The text a span covers."""
        return self.text[span.start : span.end]
