"""Source text with character-offset spans; line/column computed only on demand."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and 1-based column (in characters)."""

    line: int
    column: int


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range ``[start, end)`` into a SourceFile's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}..{self.end}")

    def shift(self, offset: int) -> Span:
        """The same span moved by ``offset`` characters."""
        return Span(self.start + offset, self.end + offset)

    def cover(self, other: Span) -> Span:
        """The smallest span containing both spans."""
        return Span(min(self.start, other.start), max(self.end, other.end))

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class SourceFile:
    """A file's text as read, with the path shown to users (relative, forward slashes)."""

    path: str
    text: str
    _line_starts: list[int] = field(default_factory=list, repr=False, compare=False)

    def _starts(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts.extend(starts)
        return self._line_starts

    def position(self, offset: int) -> Position:
        """Line and column of a character offset."""
        starts = self._starts()
        index = bisect.bisect_right(starts, offset) - 1
        return Position(index + 1, offset - starts[index] + 1)

    def offset(self, line: int, column: int = 1) -> int:
        """Character offset of a 1-based line and column."""
        starts = self._starts()
        line = max(1, min(line, len(starts)))
        return min(starts[line - 1] + column - 1, len(self.text))

    def line_count(self) -> int:
        """Number of lines (a trailing newline does not start a new line)."""
        count = len(self._starts())
        if self.text.endswith("\n"):
            count -= 1
        return max(count, 1) if self.text else 0

    def line_text(self, line: int) -> str:
        """Text of a 1-based line without its newline."""
        starts = self._starts()
        if line < 1 or line > len(starts):
            return ""
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end].rstrip("\r")

    def slice(self, span: Span) -> str:
        """The text a span covers."""
        return self.text[span.start : span.end]
