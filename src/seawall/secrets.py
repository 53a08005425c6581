"""Recognising secrets: known token formats and secret-named keys with literal values.

Shared by the Dockerfile, Compose, image and runtime rules. Values are never printed: callers
report the key or the token kind, and ``mask`` gives a safe preview.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from seawall.lazy_re import lazy_pattern


class TokenKind(NamedTuple):
    """A recognisable credential format."""

    name: str
    pattern: re.Pattern[str]


TOKEN_KINDS: tuple[TokenKind, ...] = (
    TokenKind("AWS access key id", lazy_pattern(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    TokenKind("GitHub token", lazy_pattern(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b")),
    TokenKind("GitHub fine-grained token", lazy_pattern(r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b")),
    TokenKind("GitLab token", lazy_pattern(r"\bglpat-[A-Za-z0-9\-_]{20,}\b")),
    TokenKind("Slack token", lazy_pattern(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    TokenKind("Stripe secret key", lazy_pattern(r"\b[rs]k_live_[A-Za-z0-9]{20,}\b")),
    TokenKind("Google API key", lazy_pattern(r"\bAIza[0-9A-Za-z\-_]{35}\b")),
    TokenKind("npm token", lazy_pattern(r"\bnpm_[A-Za-z0-9]{36}\b")),
    TokenKind("PyPI token", lazy_pattern(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9\-_]{50,}\b")),
    TokenKind("OpenAI API key", lazy_pattern(r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{32,}\b")),
    TokenKind("SendGrid key", lazy_pattern(r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b")),
    TokenKind("private key", lazy_pattern(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----")),
    TokenKind(
        "password in URL",
        lazy_pattern(r"\b[a-z][a-z0-9+.\-]*://[^\s:/@'\"]+:([^\s@/'\"$]{3,})@[^\s'\"]+", re.I),
    ),
)

_SECRET_NAME = lazy_pattern(
    r"(?:^|_|-|\.)(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|"
    r"private[_\-]?key|priv[_\-]?key|credentials?|auth[_\-]?token|client[_\-]?secret|"
    r"secret[_\-]?key|signing[_\-]?key|encryption[_\-]?key|session[_\-]?key|bearer|"
    r"connection[_\-]?string|dsn)(?:$|_|-|\.)",
    re.I,
)
# Names that look secret-ish but hold file paths, switches or public material.
_NOT_SECRET_NAME = lazy_pattern(
    r"(?:_FILE|_PATH|_DIR|_URL_FILE|_LENGTH|_MIN|_MAX|_POLICY|_ENABLED|_REQUIRED|_HASH_ALGO|"
    r"_TYPE|_HEADER|_FORMAT|_EXPIRY|_TTL|_TIMEOUT|_ID|_USER(?:NAME)?|_LOCATION|_COMMAND|_CMD)$",
    re.I,
)
_PLACEHOLDER = lazy_pattern(
    r"^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*(?::?[-?+][^}]*)?\}?|<[^>]*>|\{\{.*\}\}|%[A-Za-z_]+%|"
    r"changeme|change_me|example|dummy|placeholder|xxx+|\*+|none|null|true|false|yes|no|"
    r"/run/secrets/.*|/var/run/secrets/.*|file:.*|vault:.*|secretsmanager:.*|ssm:.*)$",
    re.I,
)


@functools.lru_cache(maxsize=4096)  # the same variable names come up again and again
def is_secret_name(name: str) -> bool:
    """Whether a variable/label/key name suggests it holds a secret value."""
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


def is_literal_secret_value(value: str | None) -> bool:
    """Whether a value is a literal (not empty, not a ${VAR} reference, not a placeholder/path)."""
    if value is None:
        return False
    v = value.strip().strip("\"'")
    if len(v) < 3:
        return False
    return not _PLACEHOLDER.match(v)


def find_tokens(text: str) -> list[tuple[TokenKind, int, int]]:
    """Known credential formats in ``text`` with their offsets."""
    found: list[tuple[TokenKind, int, int]] = []
    if not text:
        return found
    for kind in TOKEN_KINDS:
        for m in kind.pattern.finditer(text):
            if kind.name == "password in URL" and not is_literal_secret_value(m.group(1)):
                continue
            found.append((kind, m.start(), m.end()))
    return found


def mask(value: str) -> str:
    """A preview that never reveals a secret: its length only."""
    return f"<{len(value)} characters hidden>"
