"""The daemon's configured settings: its command line (``/proc/<pid>/cmdline``) and daemon.json.

dockerd refuses to start when a setting is given both as a flag and in daemon.json, so the two
sources never disagree on a running daemon; flags are read first only to find ``--config-file``.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.runtime.pointer import pointer

DEFAULT_CONFIG_FILE = "/etc/docker/daemon.json"

# dockerd flags that take no value (``--flag`` or ``--flag=false``).
BOOL_FLAGS = frozenset(
    [
        "icc",
        "iptables",
        "ip6tables",
        "ip-forward",
        "ip-masq",
        "ipv6",
        "live-restore",
        "no-new-privileges",
        "tls",
        "tlsverify",
        "userland-proxy",
        "experimental",
        "debug",
        "selinux-enabled",
        "init",
        "rootless",
        "validate",
        "raw-logs",
        "disable-legacy-registry",
    ]
)
SHORT_FLAGS = {
    "-H": "host",
    "-D": "debug",
    "-l": "log-level",
    "-G": "group",
    "-p": "pidfile",
    "-s": "storage-driver",
    "-b": "bridge",
    "-g": "data-root",
    "-e": "exec-driver",
}
# Flags that may repeat, and the daemon.json key (plural) they correspond to.
LIST_FLAGS = {
    "host": "hosts",
    "insecure-registry": "insecure-registries",
    "authorization-plugin": "authorization-plugins",
    "storage-opt": "storage-opts",
    "log-opt": "log-opts",
    "registry-mirror": "registry-mirrors",
    "default-ulimit": "default-ulimits",
    "dns": "dns",
    "label": "labels",
    "exec-opt": "exec-opts",
    "add-runtime": "runtimes",
}
RENAMED = {"graph": "data-root"}


@dataclass(frozen=True)
class Setting:
    """One daemon setting with where it was written (argv index or daemon.json pointer)."""

    key: str
    value: Any
    origin: str  # "argv" or "daemon.json"
    location: str  # "/argv/3" or "/icc"


@dataclass(frozen=True)
class DaemonConfig:
    """The daemon's explicit settings; absent keys mean the engine default applies."""

    pid: int | None
    argv: tuple[str, ...] | None  # None: not visible (remote daemon, no permission)
    config_path: str | None
    config_exists: bool
    config_error: str | None = None  # daemon.json unreadable or not a JSON object
    settings: Mapping[str, Setting] = field(default_factory=dict)
    argv_error: str | None = None

    def get(self, key: str) -> Setting | None:
        """The setting for a daemon.json-style key (``icc``, ``hosts``, ``log-level`` …)."""
        return self.settings.get(key)

    def value(self, key: str, default: Any = None) -> Any:
        """The setting's value or ``default``."""
        found = self.settings.get(key)
        return found.value if found is not None else default

    @property
    def visible(self) -> bool:
        """True when either the command line or daemon.json could be read."""
        return self.argv is not None or (self.config_exists and self.config_error is None)


def _to_bool(text: str) -> bool | str:
    lowered = text.strip().lower()
    if lowered in {"1", "t", "true"}:
        return True
    if lowered in {"0", "f", "false"}:
        return False
    return text


def parse_argv(argv: tuple[str, ...]) -> dict[str, Setting]:
    """Flags of a dockerd command line as settings keyed like daemon.json."""
    settings: dict[str, Setting] = {}
    index = 1
    while index < len(argv):
        arg = argv[index]
        at = index
        index += 1
        if not arg.startswith("-") or arg == "-":
            continue
        if arg.startswith("--"):
            name, eq, inline = arg[2:].partition("=")
        else:
            short, eq, inline = arg.partition("=")
            if short not in SHORT_FLAGS and len(short) > 2 and short[:2] in SHORT_FLAGS:
                short, eq, inline = short[:2], "=", short[2:]  # -Hunix://…
            name = SHORT_FLAGS.get(short, short.lstrip("-"))
        name = RENAMED.get(name, name)
        value: Any
        if name in BOOL_FLAGS:
            value = _to_bool(inline) if eq else True
        elif eq:
            value = inline
        elif index < len(argv):
            value = argv[index]
            index += 1
        else:
            value = ""
        location = pointer("argv", at)
        if name in LIST_FLAGS:
            key = LIST_FLAGS[name]
            previous = settings.get(key)
            values = [*previous.value, value] if previous else [value]
            settings[key] = Setting(
                key, values, "argv", previous.location if previous else location
            )
        else:
            settings[name] = Setting(name, value, "argv", location)
    return settings


def read_config_file(path: str) -> tuple[bool, dict[str, Any] | None, str | None]:
    """(exists, parsed object, error) for a daemon.json; errors are one line."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return False, None, None
    except PermissionError:
        return True, None, f"{path}: permission denied (run as root to read it)"
    except OSError as exc:
        return True, None, f"{path}: cannot read: {exc.strerror}"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return True, None, f"{path}: not UTF-8 text"
    except json.JSONDecodeError as exc:
        return True, None, f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
    if not isinstance(data, dict):
        return True, None, f"{path}: not a JSON object"
    return True, data, None


def read_cmdline(pid: int) -> tuple[tuple[str, ...] | None, str | None]:
    """A process's argv from /proc, or an error line."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except PermissionError:
        return None, f"/proc/{pid}/cmdline: permission denied"
    except OSError as exc:
        return None, f"/proc/{pid}/cmdline: {exc.strerror}"
    parts = raw.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    return tuple(p.decode(errors="replace") for p in parts), None


def load_daemon_config(pid: int | None) -> DaemonConfig:
    """Read the daemon's argv (when ``pid`` is known) and the daemon.json it uses."""
    argv: tuple[str, ...] | None = None
    argv_error = None
    settings: dict[str, Setting] = {}
    if pid is not None:
        argv, argv_error = read_cmdline(pid)
        if argv is not None:
            settings.update(parse_argv(argv))
    config_flag = settings.pop("config-file", None)
    config_path = str(config_flag.value) if config_flag else DEFAULT_CONFIG_FILE
    if pid is None:
        # Without the process we cannot know which file it read; the default is a guess.
        exists, data, error = read_config_file(config_path)
    else:
        exists, data, error = read_config_file(_in_process_root(pid, config_path))
    if data is not None:
        for key, value in data.items():
            settings.setdefault(key, Setting(key, value, "daemon.json", pointer(key)))
    return DaemonConfig(
        pid=pid,
        argv=argv,
        config_path=config_path,
        config_exists=exists,
        config_error=error,
        settings=settings,
        argv_error=argv_error,
    )


def _in_process_root(pid: int, path: str) -> str:
    """``path`` as the daemon sees it (via /proc/<pid>/root when in another mount namespace)."""
    try:
        same_ns = os.readlink(f"/proc/{pid}/ns/mnt") == os.readlink("/proc/self/ns/mnt")
    except OSError:
        same_ns = True
    return path if same_ns else f"/proc/{pid}/root{path}"


def socket_inodes(socket_path: str) -> set[int]:
    """Inodes of listening unix sockets bound to ``socket_path`` (from /proc/net/unix)."""
    inodes: set[int] = set()
    try:
        lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    except OSError:
        return inodes
    for line in lines:
        parts = line.split()
        if len(parts) >= 8 and parts[7] == socket_path:
            inodes.add(int(parts[6]))
    return inodes


def _is_dockerd(pid: int) -> bool:
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        try:
            exe = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            return False
    return Path(exe.removesuffix(" (deleted)")).name == "dockerd"


def pid_for_socket(socket_path: str) -> int | None:
    """The dockerd process holding the unix socket ``socket_path`` (needs root for others' fds)."""
    inodes = socket_inodes(socket_path)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in wanted and _is_dockerd(pid):
                    return pid
            except OSError:
                continue
    return None


def pid_from_pidfile(path: str) -> int | None:
    """The pid recorded in a dockerd pidfile when that process is a live dockerd."""
    try:
        pid = int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_dockerd(pid) else None


def socket_path_of(docker_host: str) -> str | None:
    """The filesystem path of a ``unix://`` endpoint."""
    if docker_host.startswith("unix://"):
        return docker_host.removeprefix("unix://") or None
    return None


def is_socket(path: str) -> bool:
    """True when ``path`` is a unix socket."""
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False
