"""Fixes as text edits, with how safe they are to apply (immutable named tuples, see ``source``)."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from seawall.model.source import Span


class Applicability(Enum):
    """How safe a fix is.

    SAFE keeps the meaning (applied by ``--fix``); UNSAFE may change behaviour (``--unsafe-fixes`` or
    ``harden``); DISPLAY_ONLY is a suggestion that is shown but never applied.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Edit(NamedTuple):
    """Replace ``span`` of the file at ``path`` (None: the finding's own file) with ``content``.

    ``create_mode`` set: ``path`` is a new file (it must not exist) created with these
    permission bits, holding ``content``. ``sensitive``: ``content`` is a secret that reports
    must never show.
    """

    span: Span
    content: str
    path: str | None = None
    create_mode: int | None = None
    sensitive: bool = False

    @classmethod
    def insert(cls, offset: int, content: str, path: str | None = None) -> Edit:
        """An insertion at ``offset``."""
        return cls(Span(offset, offset), content, path)

    @classmethod
    def delete(cls, span: Span, path: str | None = None) -> Edit:
        """A deletion of ``span``."""
        return cls(span, "", path)


class Fix(NamedTuple):
    """A titled group of edits applied together or not at all."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @classmethod
    def safe(cls, title: str, *edits: Edit) -> Fix:
        """A fix that keeps the meaning of the file."""
        return cls(title, tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, title: str, *edits: Edit) -> Fix:
        """A fix that may change behaviour."""
        return cls(title, tuple(edits), Applicability.UNSAFE)

    @classmethod
    def display_only(cls, title: str, *edits: Edit) -> Fix:
        """A suggestion that is never applied automatically."""
        return cls(title, tuple(edits), Applicability.DISPLAY_ONLY)
