"""Host facts for CIS sections 1 and 3: the daemon's files, audit rules, the data-root partition.

Paths come from the daemon actually running (its socket, ``DockerRootDir``, ``--config-file``,
TLS flags, exec root), not from the usual defaults.
"""

from __future__ import annotations

import glob
import grp
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from seawall.runtime.daemon import DaemonConfig

SYSTEMD_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
)
AUDITED_BINARIES = (
    "dockerd",
    "containerd",
    "containerd-shim",
    "containerd-shim-runc-v1",
    "containerd-shim-runc-v2",
    "runc",
)


@dataclass(frozen=True)
class FileFact:
    """``os.stat`` of one file the daemon uses; ``error`` explains a missing answer."""

    role: str
    path: str
    exists: bool
    uid: int | None = None
    gid: int | None = None
    mode: int | None = None
    is_dir: bool = False
    error: str | None = None

    @property
    def owner(self) -> str:
        """``user:group`` names (numbers when unknown)."""
        import pwd

        if self.uid is None or self.gid is None:
            return "?"
        try:
            user = pwd.getpwuid(self.uid).pw_name
        except KeyError:
            user = str(self.uid)
        try:
            group = grp.getgrgid(self.gid).gr_name
        except KeyError:
            group = str(self.gid)
        return f"{user}:{group}"


@dataclass(frozen=True)
class AuditFacts:
    """Kernel audit rules (``auditctl -l``) or the rule files, with how they were read."""

    rules: tuple[str, ...] | None
    source: str
    error: str | None = None

    def watches(self, path: str) -> bool:
        """True when some rule watches ``path`` (``-w path`` or ``-F path=`` / ``dir=``)."""
        if self.rules is None:
            return False
        for rule in self.rules:
            tokens = rule.split()
            for i, token in enumerate(tokens):
                if token == "-w" and i + 1 < len(tokens) and tokens[i + 1].rstrip("/") == path:
                    return True
                if token in (f"path={path}", f"dir={path}", f"dir={path}/"):
                    return True
                if token.startswith("-F") and token.endswith((f"path={path}", f"dir={path}")):
                    return True
        return False


@dataclass(frozen=True)
class HostFacts:
    """What the host tells us about the daemon; ``local`` is false for a remote daemon."""

    local: bool
    is_root: bool
    files: Mapping[str, tuple[FileFact, ...]] = field(default_factory=dict)
    audit: AuditFacts | None = None
    audit_targets: Mapping[str, str] = field(default_factory=dict)  # CIS id → path to watch
    data_root: str | None = None
    data_root_is_mount: bool | None = None
    docker_group_members: tuple[str, ...] | None = None
    socket_group: str | None = None
    content_trust: str | None = None  # DOCKER_CONTENT_TRUST of the auditing shell (client side)

    def facts(self, role: str) -> tuple[FileFact, ...]:
        """Files found for a role (empty when not present on this host)."""
        return self.files.get(role, ())


def stat_fact(role: str, path: str) -> FileFact:
    """Stat ``path`` without following a final symlink's target ownership ambiguity."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return FileFact(role, path, exists=False)
    except PermissionError:
        return FileFact(role, path, exists=True, error="permission denied (needs root)")
    except OSError as exc:
        return FileFact(role, path, exists=False, error=exc.strerror)
    import stat as st_mod

    return FileFact(
        role,
        path,
        exists=True,
        uid=st.st_uid,
        gid=st.st_gid,
        mode=st_mod.S_IMODE(st.st_mode),
        is_dir=st_mod.S_ISDIR(st.st_mode),
    )


def _systemd_unit(name: str) -> str | None:
    for directory in SYSTEMD_DIRS:
        candidate = os.path.join(directory, name)
        if os.path.exists(candidate):
            return candidate
    return None


def _binary(name: str, daemon_pid: int | None) -> str:
    if name == "dockerd" and daemon_pid is not None:
        try:
            return os.readlink(f"/proc/{daemon_pid}/exe").removesuffix(" (deleted)")
        except OSError:
            pass
    return shutil.which(name) or f"/usr/bin/{name}"


def containerd_socket(config: DaemonConfig) -> str:
    """The containerd socket the daemon talks to (managed under exec-root, or the system one)."""
    explicit = config.value("containerd")
    if explicit:
        return str(explicit)
    exec_root = str(config.value("exec-root", "/var/run/docker"))
    managed = os.path.join(exec_root, "containerd", "containerd.sock")
    if os.path.exists(managed):
        return managed
    return "/run/containerd/containerd.sock"


def daemon_files(config: DaemonConfig, socket_path: str | None) -> dict[str, tuple[FileFact, ...]]:
    """Stat every file CIS section 3 asks about, at the paths this daemon uses."""
    found: dict[str, tuple[FileFact, ...]] = {}

    def add(role: str, path: str | None) -> None:
        if path:
            found[role] = (*found.get(role, ()), stat_fact(role, path))

    add("docker.service", _systemd_unit("docker.service"))
    add("docker.socket", _systemd_unit("docker.socket"))
    config_dir = os.path.dirname(config.config_path or "/etc/docker/daemon.json")
    for directory in dict.fromkeys(("/etc/docker", config_dir)):
        if os.path.isdir(directory):
            add("config-dir", directory)
            for cert in sorted(glob.glob(os.path.join(directory, "certs.d", "*", "*"))):
                if cert.endswith((".crt", ".cert", ".key", ".pem")):
                    add("registry-cert", cert)
    add("tlscacert", _str(config.value("tlscacert")))
    add("tlscert", _str(config.value("tlscert")))
    add("tlskey", _str(config.value("tlskey")))
    add("docker.sock", socket_path)
    if config.config_exists and config.config_path:
        add("daemon.json", config.config_path)
    for role, path in (
        ("etc-default-docker", "/etc/default/docker"),
        ("etc-sysconfig-docker", "/etc/sysconfig/docker"),
    ):
        if os.path.exists(path):
            add(role, path)
    add("containerd.sock", containerd_socket(config))
    return {role: tuple(f for f in facts if f.exists or f.error) for role, facts in found.items()}


def _str(value: object) -> str | None:
    return str(value) if value else None


def read_audit_rules() -> AuditFacts:
    """Loaded audit rules via ``auditctl -l``; falls back to /etc/audit rule files."""
    auditctl = shutil.which("auditctl")
    if auditctl:
        try:
            proc = subprocess.run(
                [auditctl, "-l"], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            error = str(exc)
        else:
            if proc.returncode == 0:
                lines = [ln for ln in proc.stdout.splitlines() if ln.strip() and ln != "No rules"]
                return AuditFacts(tuple(lines), "auditctl -l")
            # e.g. "You must be root to run this program." or no audit support in the kernel
            error = (proc.stderr.strip().splitlines() or ["auditctl -l failed"])[0]
    else:
        error = "auditctl not installed"
    files = ["/etc/audit/audit.rules", *sorted(glob.glob("/etc/audit/rules.d/*.rules"))]
    rules: list[str] = []
    readable = False
    for path in files:
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        readable = True
        rules.extend(ln.strip() for ln in text.splitlines() if ln.strip().startswith("-"))
    if readable:
        return AuditFacts(tuple(rules), "/etc/audit rule files", error or None)
    return AuditFacts(None, "none", error or "no audit rules readable")


def audit_targets(
    config: DaemonConfig, daemon_pid: int | None, data_root: str | None = None
) -> dict[str, str]:
    """CIS 1.1.3-1.1.18 → the path each control wants watched, resolved for this daemon.

    ``data_root`` is the daemon's ``DockerRootDir`` (the API knows it even when the daemon's
    settings are not readable); without it the configured or default data root is used.
    """
    data_root = data_root or str(config.value("data-root", "/var/lib/docker"))
    config_dir = os.path.dirname(config.config_path or "/etc/docker/daemon.json")
    return {
        "1.1.3": _binary("dockerd", daemon_pid),
        "1.1.4": "/run/containerd",
        "1.1.5": data_root,
        "1.1.6": config_dir,
        "1.1.7": _systemd_unit("docker.service") or "/lib/systemd/system/docker.service",
        "1.1.8": containerd_socket(config),
        "1.1.9": _systemd_unit("docker.socket") or "/lib/systemd/system/docker.socket",
        "1.1.10": "/etc/default/docker",
        "1.1.11": config.config_path or "/etc/docker/daemon.json",
        "1.1.12": "/etc/containerd/config.toml",
        "1.1.13": "/etc/sysconfig/docker",
        "1.1.14": _binary("containerd", None),
        "1.1.15": _binary("containerd-shim", None),
        "1.1.16": _binary("containerd-shim-runc-v1", None),
        "1.1.17": _binary("containerd-shim-runc-v2", None),
        "1.1.18": _binary("runc", None),
    }


def docker_group() -> tuple[tuple[str, ...] | None, str | None]:
    """Members of the ``docker`` group (None when the group does not exist)."""
    try:
        group = grp.getgrnam("docker")
    except KeyError:
        return None, None
    return tuple(group.gr_mem), group.gr_name


def collect_host(
    config: DaemonConfig, socket_path: str | None, data_root: str | None, local: bool
) -> HostFacts:
    """All host facts; a remote daemon gives ``local=False`` and nothing else."""
    is_root = os.geteuid() == 0
    content_trust = os.environ.get("DOCKER_CONTENT_TRUST")
    if not local:
        return HostFacts(local=False, is_root=is_root, content_trust=content_trust)
    members, _ = docker_group()
    socket_group = None
    if socket_path:
        fact = stat_fact("docker.sock", socket_path)
        if fact.gid is not None:
            try:
                socket_group = grp.getgrgid(fact.gid).gr_name
            except KeyError:
                socket_group = str(fact.gid)
    return HostFacts(
        local=True,
        is_root=is_root,
        files=daemon_files(config, socket_path),
        audit=read_audit_rules(),
        audit_targets=audit_targets(config, config.pid, data_root),
        data_root=data_root,
        data_root_is_mount=os.path.ismount(data_root)
        if data_root and os.path.isdir(data_root)
        else None,
        docker_group_members=members,
        socket_group=socket_group,
        content_trust=content_trust,
    )
