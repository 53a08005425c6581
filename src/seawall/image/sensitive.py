"""File names that hold secrets or leak build context: shared by capture and rules."""

from __future__ import annotations

import re
from enum import Enum


class Sensitive(Enum):
    """Categories of sensitive files, one IMG rule each."""

    PRIVATE_KEY = "private key"
    CLOUD_CREDENTIALS = "cloud credentials"
    DOTENV = "dotenv file"
    TOKEN_CONFIG = "registry/package-manager credentials"
    GIT = "git metadata"
    SHELL_HISTORY = "shell history"


_PRIVATE_KEY_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}
# Extensions checked for a PEM private-key header before flagging (certificates share them).
_PEM_SUFFIXES = (".pem", ".key")
_KEYSTORE_SUFFIXES = (".p12", ".pfx", ".jks", ".keystore", ".ppk")
_SSH_HOST_KEY = re.compile(r"^ssh_host_[a-z0-9]+_key$")

_CLOUD_PATHS = (
    ".aws/credentials",
    ".azure/accesstokens.json",
    ".azure/azureprofile.json",
    ".config/gcloud/credentials.db",
    ".config/gcloud/access_tokens.db",
    ".config/gcloud/application_default_credentials.json",
    ".kube/config",
)
_CLOUD_NAMES = {"application_default_credentials.json", "credentials.json"}

_TOKEN_NAMES = {".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".yarnrc.yml"}
_TOKEN_PATHS = (
    ".docker/config.json",
    ".gem/credentials",
    ".composer/auth.json",
    ".cargo/credentials",
    ".cargo/credentials.toml",
    ".m2/settings-security.xml",
)

_HISTORY_NAMES = {
    ".bash_history",
    ".zsh_history",
    ".ash_history",
    ".sh_history",
    ".history",
    ".python_history",
    ".psql_history",
    ".mysql_history",
    ".node_repl_history",
    ".sqlite_history",
    ".rediscli_history",
    ".lesshst",
}

# Library trees ship test fixtures (dummy keys, sample .env); flagging them is noise, not signal.
_VENDOR_DIRS = (
    "node_modules/",
    "site-packages/",
    "dist-packages/",
    "usr/share/doc/",
    "usr/lib/go/",
    "usr/local/go/",
    "usr/share/ca-certificates/",
    "etc/ssl/certs/",
)

PEM_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")


_ALL_NAMES = (
    _PRIVATE_KEY_NAMES
    | _TOKEN_NAMES
    | _HISTORY_NAMES
    | _CLOUD_NAMES
    | {p.rpartition("/")[2] for p in _CLOUD_PATHS + _TOKEN_PATHS}
    | {"HEAD", "config"}
)
_ALL_SUFFIXES = _PEM_SUFFIXES + _KEYSTORE_SUFFIXES


def _maybe_sensitive(name: str) -> bool:
    """A cheap filter run on every file before the precise checks."""
    return (
        name in _ALL_NAMES or name.endswith(_ALL_SUFFIXES) or name.startswith((".env", "ssh_host_"))
    )


def _vendored(path: str) -> bool:
    return any(d in "/" + path + "/" or path.startswith(d) for d in _VENDOR_DIRS)


def classify(path: str) -> Sensitive | None:
    """The sensitive category of a file path (no leading slash), or None.

    ``.pem``/``.key`` files are PRIVATE_KEY candidates: the caller confirms them by content with
    :func:`needs_content_check` and :data:`PEM_PRIVATE_KEY`.
    """
    name = path.rpartition("/")[2]
    if not _maybe_sensitive(name):
        return None
    if (
        "/.git/" in "/" + path + "/"
        and name in ("HEAD", "config")
        and path.endswith(".git/" + name)
    ):
        return Sensitive.GIT
    if name in _HISTORY_NAMES:
        return Sensitive.SHELL_HISTORY
    if _vendored(path):
        return None
    if name in _PRIVATE_KEY_NAMES or _SSH_HOST_KEY.match(name):
        return Sensitive.PRIVATE_KEY
    if name.endswith(_PEM_SUFFIXES) or name.endswith(_KEYSTORE_SUFFIXES):
        return Sensitive.PRIVATE_KEY
    if name in _CLOUD_NAMES or any(path == p or path.endswith("/" + p) for p in _CLOUD_PATHS):
        return Sensitive.CLOUD_CREDENTIALS
    if name == ".env" or (name.startswith(".env.") and not name.endswith((".example", ".sample"))):
        return Sensitive.DOTENV
    if name in _TOKEN_NAMES or any(path == p or path.endswith("/" + p) for p in _TOKEN_PATHS):
        return Sensitive.TOKEN_CONFIG
    return None


def needs_content_check(path: str) -> bool:
    """Whether a PRIVATE_KEY candidate is only a key if its content has a private-key header."""
    return path.endswith(_PEM_SUFFIXES)


def git_dir_of(path: str) -> str | None:
    """The ``.git`` directory a path lies in, if any."""
    marker = path.find(".git/")
    while marker != -1:
        if marker == 0 or path[marker - 1] == "/":
            return path[: marker + 4]
        marker = path.find(".git/", marker + 1)
    return None
