"""SPDX licence identifiers and expressions, for SBOM licence fields.

The identifiers come from the SPDX list that cyclonedx-python-lib ships as a JSON schema (a data
file, read without importing the library). Expressions are checked with a small parser of the
SPDX grammar (``AND``/``OR``/``WITH``, parentheses, ``+``) that accepts what the library's own
check (license-expression, 0.1 s to import) accepts: known licence ids, known exceptions after
``WITH``, and no ``LicenseRef-`` terms. A string that fails is kept as a licence name, which is
always valid CycloneDX.
"""

from __future__ import annotations

import functools
import json
import re
from importlib.util import find_spec
from pathlib import Path

_TOKENS = re.compile(r"\s*(\(|\)|[^\s()]+)")
_OPERATORS = frozenset({"AND", "OR"})


@functools.cache
def _ids() -> dict[str, str]:
    """Lower-cased SPDX id -> canonical spelling (empty when the list cannot be found)."""
    spec = find_spec("cyclonedx")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        return {}
    path = Path(spec.origin).parent / "schema" / "_res" / "spdx.SNAPSHOT.schema.json"
    try:
        ids = json.loads(path.read_text(encoding="utf-8")).get("enum", [])
    except (OSError, ValueError):  # pragma: no cover - a broken installation
        return {}
    return {str(value).lower(): str(value) for value in ids}


def canonical_id(text: str) -> str | None:
    """The SPDX licence id ``text`` names (case-insensitively), or None."""
    return _ids().get(text.strip().lower()) if text else None


def is_expression(text: str) -> bool:
    """Whether ``text`` is an SPDX licence expression made of known licence ids."""
    tokens = _TOKENS.findall(text)
    if not tokens or "".join(tokens) != "".join(text.split()):
        return False
    position, valid = _expression(tokens, 0)
    return valid and position == len(tokens)


def _expression(tokens: list[str], position: int) -> tuple[int, bool]:
    position, valid = _term(tokens, position)
    while valid and position < len(tokens) and tokens[position].upper() in _OPERATORS:
        position, valid = _term(tokens, position + 1)
    return position, valid


def _term(tokens: list[str], position: int) -> tuple[int, bool]:
    if position >= len(tokens):
        return position, False
    if tokens[position] == "(":
        position, valid = _expression(tokens, position + 1)
        if not valid or position >= len(tokens) or tokens[position] != ")":
            return position, False
        return position + 1, True
    if not _licence(tokens[position]):
        return position, False
    position += 1
    if position < len(tokens) and tokens[position].upper() == "WITH":
        if position + 1 >= len(tokens) or not _exception(tokens[position + 1]):
            return position, False
        position += 2
    return position, True


def _exception(token: str) -> bool:
    """A licence exception id (``LLVM-exception``), not a licence with one built in."""
    known = canonical_id(token)
    return known is not None and "exception" in known.lower() and "-with-" not in known.lower()


def _licence(token: str) -> bool:
    base = token.removesuffix("+")
    known = canonical_id(base)
    if known is None or _exception(base):
        return False
    # "or later" is either a "+" or an "-or-later" id, never both
    return base == token or not known.lower().endswith(("-or-later", "-only", "+"))
