"""Helpers shared by the CR rules: locating findings on workload fields, root users, secrets."""

from __future__ import annotations

import re
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.model.fix import Fix
from seawall.rules._base import Context, Rule
from seawall.workload import Field, Workload

_SUBJECT = {"compose-service": "service", "k8s-container": "container", "container": "container"}


def subject(workload: Workload) -> str:
    """``service 'web'`` / ``container 'web'`` for messages."""
    return f"{_SUBJECT.get(workload.kind, 'workload')} '{workload.name}'"


def report(
    rule: Rule[Any],
    ctx: Context,
    workload: Workload,
    field: Field[Any],
    message: str,
    key: str,
    severity: Severity | None = None,
    fix: Fix | None = None,
) -> Finding:
    """A finding at ``field``'s location, anchored structurally (workload, rule, key)."""
    loc = field.location
    return ctx.finding(
        rule,
        f"{subject(workload)}: {message}",
        span=loc.span,
        pointer=loc.pointer,
        path=loc.path,
        anchor=f"{workload.kind}:{workload.name}:{rule.meta.id}:{key}",
        severity=severity,
        fix=fix,
    )


def compose_fix(ctx: Context, workload: Workload, kind: str, **detail: Any) -> Fix | None:
    """The fix of ``kind`` when ``workload`` is a service of a Compose project being checked."""
    if "compose_project" not in ctx.extra:
        return None
    from seawall.fixes.compose.rulefix import service_fix

    return service_fix(ctx, workload, kind, **detail)


def is_root_user(user: str | None) -> bool:
    """``root``, ``0``, ``root:x``, ``0:0``… (the user part decides)."""
    if user is None:
        return False
    name = user.strip().split(":", 1)[0].strip()
    return name in ("root", "0")


# -- secrets in plain values (names are matched case-insensitively)

_SECRET_NAME = re.compile(
    r"(?:^|[_\-.]|PG|DB)(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key"
    r"|credential|auth[_-]?key|client[_-]?secret|signing[_-]?key|encryption[_-]?key|session[_-]?key"
    r"|master[_-]?key|dsn)($|[_-])",
    re.IGNORECASE,
)
_NOT_SECRET_NAME = re.compile(
    r"(_FILE|_PATH|_DIR|_URL_FILE|_LENGTH|_MIN|_MAX|_POLICY|_EXPIRY|_TTL|_ENABLED|_ALGORITHM"
    r"|_HASH_ROUNDS)$|^(GPG_KEYS?|PASSWORD_AUTHENTICATION)$",
    re.IGNORECASE,
)
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.\-]*://[^:/@\s]+:([^@/\s]+)@", re.IGNORECASE)
_TOKEN_PATTERNS = (
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),  # GitHub tokens
    re.compile(r"\bglpat-[A-Za-z0-9\-_]{20,}\b"),  # GitLab personal access token
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b"),  # Slack tokens
    re.compile(r"\bsk_live_[A-Za-z0-9]{20,}\b"),  # Stripe secret key
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)
_PLACEHOLDERS = frozenset(
    {"", "changeme", "change-me", "xxx", "null", "none", "secret", "password", "<secret>"}
)


def is_placeholder(value: str) -> bool:
    """Empty, a reference left unresolved, or an obvious placeholder."""
    stripped = value.strip()
    return (
        stripped.lower() in _PLACEHOLDERS
        or stripped.startswith(("/run/secrets/", "${", "$"))
        or (stripped.startswith("<") and stripped.endswith(">"))
    )


def secret_kind(name: str, value: str) -> str | None:
    """Why ``name=value`` looks like a literal secret ("name", "URL password", "token"), or None."""
    if not value or is_placeholder(value):
        return None
    url = _URL_CREDENTIALS.match(value.strip())
    if url and not is_placeholder(url.group(1)):
        return "a password inside a URL"
    if any(p.search(value) for p in _TOKEN_PATTERNS):
        return "a credential token"
    if _SECRET_NAME.search(name) and not _NOT_SECRET_NAME.search(name):
        if value.strip().lower() in ("true", "false", "yes", "no", "0", "1"):
            return None
        return "a literal secret"
    return None
