"""Helpers shared by IMG rules: JSON pointers, root users, secret-looking names and tokens."""

from __future__ import annotations

import itertools
import re

from seawall.image.filesystem import FileEntry, Removal


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def file_pointer(layer: int, path: str) -> str:
    """``/layers/<n>/files/<path>``: the path is kept readable (its slashes are not escaped)."""
    return f"/layers/{layer}/files/{path}"


def where(entry: FileEntry, removal: Removal | None) -> str:
    """'in layer 2' or 'in layer 2 (deleted in layer 3, still shipped in layer 2)'."""
    text = f"in layer {entry.layer}"
    if removal is not None:
        verb = "deleted" if removal.how in ("whiteout", "opaque") else "overwritten"
        text += f" ({verb} in layer {removal.removed_in}, still shipped in layer {entry.layer})"
    return text


def is_root_user(user: str) -> bool:
    """``""``, ``root``, ``0`` and any ``root:<group>`` / ``0:<group>`` run as uid 0."""
    name = user.strip().split(":", 1)[0]
    return name in ("", "root", "0")


_SECRET_WORDS = {
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIALS",
    "CREDENTIAL",
    "PRIVATEKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "AUTH",
}
_SECRET_PAIRS = {
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("PRIVATE", "KEY"),
    ("SECRET", "KEY"),
    ("CLIENT", "SECRET"),
    ("AUTH", "TOKEN"),
}
# Names that hold references to secrets, or public key material, rather than secrets.
_NOT_SECRET_SUFFIXES = (
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL_FILE",
    "_HOST",
    "_PORT",
    "_USER",
    "_USERNAME",
    "_ID",
    "_NAME",
    "_TYPE",
    "_VERSION",
)
_ALLOWED_NAMES = {"GPG_KEY", "GPG_KEYS", "PWD", "OLDPWD"}


def secret_like_name(name: str) -> bool:
    """Whether an environment / build-arg name looks like it holds a credential."""
    upper = name.upper()
    if upper in _ALLOWED_NAMES or upper.endswith(("_GPG_KEY", "_GPG_KEYS")):
        return False
    if upper.endswith(_NOT_SECRET_SUFFIXES):
        return False
    words = [w for w in re.split(r"[^A-Z0-9]+", upper) if w]
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def placeholder(value: str) -> bool:
    """Values that are clearly not secrets: empty, a variable reference, a secret-file path."""
    v = value.strip().strip("'\"")
    return not v or v.startswith(("$", "/run/secrets/", "/var/run/secrets/")) or v in ("-", "*")


TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("PyPI token", re.compile(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("Stripe live key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{20,}")),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("credentials in URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@$]+:[^/\s@$]+@[^\s/]+")),
)


def find_tokens(text: str) -> list[str]:
    """Kinds of well-known credential formats present in ``text`` (never the values)."""
    return [kind for kind, pattern in TOKEN_PATTERNS if pattern.search(text)]
