"""Rules about the container's filesystem: writable root, host mounts, sockets, devices."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.workload._common import compose_fix, report
from seawall.workload import Mount, Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})
_NIST = NIST_800_190.control("4.4.3", "Insecure container runtime configurations")

_SOCKET_NAMES = (
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "dockershim.sock",
    "cri-dockerd.sock",
)
# Directories whose mount exposes a runtime socket inside them.
_SOCKET_DIRS = frozenset({"/run", "/run/docker", "/run/containerd", "/run/crio", "/run/podman"})
# Rootless Docker/Podman ($XDG_RUNTIME_DIR) and Docker Desktop keep their socket here.
_USER_SOCKET_DIR = re.compile(r"/run/user/\d+(/docker|/podman)?")
_HOME_SOCKET_DIRS = frozenset({"~/.docker/run", "~/.docker/desktop"})
SENSITIVE_DIRS = (
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/root",
    "/boot",
    "/dev",
    "/lib",
    "/usr",
    "/bin",
    "/sbin",
    "/home",
    "/var/log",
)
# Below these, any mount is sensitive (kernel interfaces, runtime state, root's home).
_SENSITIVE_TREES = ("/proc", "/sys", "/boot", "/root", "/var/lib/docker", "/var/lib/containerd")
_HARMLESS_FILES = frozenset({"/etc/localtime", "/etc/timezone", "/dev/null", "/dev/shm"})


def normalize_host_path(source: str) -> str | None:
    """An absolute, normalised host path (``/var/run`` spelt ``/run``); None for relative paths."""
    text = source.strip().replace("\\", "/")
    if not text.startswith("/"):
        return None
    path = posixpath.normpath("/" + text.lstrip("/"))
    if path == "/var/run" or path.startswith("/var/run/"):
        path = "/run" + path[len("/var/run") :]
    return path


def is_runtime_socket(mount: Mount) -> bool:
    """A mount of the Docker/containerd/CRI-O/Podman socket, or of a directory holding it."""
    source = mount.source or ""
    if mount.type == "npipe" or "docker_engine" in source:
        return True
    if mount.type != "bind":
        return False
    written = posixpath.normpath(source.strip().replace("\\", "/"))
    # The file name gives a socket away whether the path is absolute, relative or under `~`.
    if posixpath.basename(written) in _SOCKET_NAMES or written in _HOME_SOCKET_DIRS:
        return True
    path = normalize_host_path(source)
    if path is None:
        return False
    return path in _SOCKET_DIRS or _USER_SOCKET_DIR.fullmatch(path) is not None


def sensitive_path(mount: Mount) -> str | None:
    """The sensitive host path a bind mount exposes, or None."""
    if mount.type != "bind":
        return None
    path = normalize_host_path(mount.source or "")
    if path is None or path in _HARMLESS_FILES or is_runtime_socket(mount):
        return None
    if path in SENSITIVE_DIRS:
        return path
    for tree in _SENSITIVE_TREES:
        if path.startswith(tree + "/"):
            return path
    if path.startswith("/etc/") and not mount.read_only:
        return path
    return None


class WritableRootFilesystem(Rule[Workload]):
    """## What it does
    Reports a container whose root filesystem is writable (`read_only: true` missing).

    ## Why is this bad?
    An attacker who gets code execution can drop tools, change binaries and persist. A read-only
    root with `tmpfs` for the few paths the service writes keeps the image as it was shipped.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
    ```

    Use instead:
    ```yaml
    services:
      web:
        image: nginx:1.27
        read_only: true
        tmpfs: [/var/cache/nginx, /var/run]
    ```

    ## Fix safety
    Making the root read-only breaks a service that writes outside its mounts. The unsafe fix
    sets `read_only: true` and adds `tmpfs` for `/tmp`, `/run` and the paths known images write
    (e.g. `/var/cache/nginx`, `/var/run/postgresql`), except paths already mounted.
    """

    meta = RuleMeta(
        id="CR003",
        name="writable-root-filesystem",
        title="Root filesystem is writable",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Set `read_only: true` and mount `tmpfs` where the service writes.",
        references=(
            CIS_DOCKER.control(
                "5.13", "Ensure that the container's root filesystem is mounted as read only"
            ),
            _NIST,
            CWE.control("CWE-732", "Incorrect Permission Assignment for Critical Resource"),
        ),
        aliases=("CIS-5.13",),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        if not model.read_only_rootfs.value:
            state = "is false" if model.read_only_rootfs.explicit else "is not set"
            yield report(
                self,
                ctx,
                model,
                model.read_only_rootfs,
                f"read_only {state}",
                "read_only",
                fix=compose_fix(ctx, model, "read_only"),
            )


class RuntimeSocketMounted(Rule[Workload]):
    """## What it does
    Reports a mount of the container runtime's socket (`docker.sock`, `containerd.sock`,
    `crio.sock`, `podman.sock`, the Windows `docker_engine` pipe) or of the directory holding it
    (`/var/run`, `/run`), however the path is spelt.

    ## Why is this bad?
    Whoever can talk to the socket can start a privileged container with the host's `/` mounted:
    it is root on the host, read-only mount or not.

    ## Example
    ```yaml
    services:
      agent:
        image: example/agent:1.0
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock
    ```

    Use instead:
    ```yaml
    services:
      agent:
        image: example/agent:1.0
        environment:
          DOCKER_HOST: tcp://socket-proxy:2375
    ```

    ## Fix safety
    No automatic fix: route the few API calls needed through a filtering socket proxy.
    """

    meta = RuleMeta(
        id="CR015",
        name="runtime-socket-mounted",
        title="The container runtime's socket is mounted",
        severity=Severity.CRITICAL,
        targets=_WORKLOAD,
        remediation="Remove the socket mount; use a filtering API proxy if API access is needed.",
        references=(
            CIS_DOCKER.control(
                "5.32", "Ensure that the Docker socket is not mounted inside any containers"
            ),
            _NIST,
            CWE.control("CWE-284", "Improper Access Control"),
        ),
        aliases=("docker_socket_mounted_in_container", "CIS-5.32"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for mount in model.mounts.value:
            if is_runtime_socket(mount.value):
                yield report(
                    self,
                    ctx,
                    model,
                    mount,
                    f"mounts the container runtime socket {mount.value.source!r}",
                    f"socket:{mount.value.target}",
                )


class SensitiveHostPathMounted(Rule[Workload]):
    """## What it does
    Reports a bind mount of a sensitive host path: `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/boot`,
    `/root`, `/var/lib/docker`, `/usr`, `/lib`... and anything below `/proc`, `/sys`, `/boot`,
    `/root` or `/var/lib/docker`; below `/etc` only when writable (`/etc/localtime` is fine).

    ## Why is this bad?
    These paths hold the host's configuration, credentials, kernel interfaces and the runtime's
    state; a container that can read or write them can read secrets or take over the host.

    ## Example
    ```yaml
    services:
      backup:
        image: example/backup:2.0
        volumes:
          - /etc:/host/etc
    ```

    Use instead:
    ```yaml
    services:
      backup:
        image: example/backup:2.0
        volumes:
          - /srv/app-data:/data:ro
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="CR016",
        name="sensitive-host-path-mounted",
        title="A sensitive host path is mounted",
        severity=Severity.HIGH,
        targets=_WORKLOAD,
        remediation="Mount only the specific application directory, read-only where possible.",
        references=(
            CIS_DOCKER.control(
                "5.6", "Ensure sensitive host system directories are not mounted on containers"
            ),
            _NIST,
            CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere"),
        ),
        aliases=("volume_has_sensitive_host_directory", "CIS-5.6"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for mount in model.mounts.value:
            path = sensitive_path(mount.value)
            if path is None:
                continue
            mode = "read-only" if mount.value.read_only else "writable"
            severity = Severity.CRITICAL if path == "/" and not mount.value.read_only else None
            yield report(
                self,
                ctx,
                model,
                mount,
                f"mounts sensitive host path {path!r} ({mode})",
                f"path:{path}",
                severity,
            )


class WritableBindMount(Rule[Workload]):
    """## What it does
    Reports a host directory or file bind-mounted writable (no `:ro` / `read_only: true`), other
    than the sensitive paths and sockets that CR016 and CR015 report.

    ## Why is this bad?
    A writable bind lets a compromised container change files on the host that other processes
    (or a developer's shell) trust, and survives the container.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
        volumes:
          - ./site:/usr/share/nginx/html
    ```

    Use instead:
    ```yaml
    services:
      web:
        image: nginx:1.27
        volumes:
          - ./site:/usr/share/nginx/html:ro
    ```

    ## Fix safety
    Adding `:ro` breaks a service that writes there; offered only as an unsafe fix.
    """

    meta = RuleMeta(
        id="CR017",
        name="writable-bind-mount",
        title="A host path is mounted writable",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Add `:ro` (or `read_only: true`) to bind mounts the service only reads.",
        references=(
            CIS_DOCKER.control(
                "5.6", "Ensure sensitive host system directories are not mounted on containers"
            ),
            _NIST,
            CWE.control("CWE-732", "Incorrect Permission Assignment for Critical Resource"),
        ),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for mount in model.mounts.value:
            m = mount.value
            if m.type != "bind" or m.read_only:
                continue
            if is_runtime_socket(m) or sensitive_path(m) is not None:
                continue
            if (normalize_host_path(m.source or "") or "") in _HARMLESS_FILES:
                continue
            yield report(
                self,
                ctx,
                model,
                mount,
                f"bind mount {m.source!r} -> {m.target!r} is writable",
                f"bind:{m.target}",
            )


class HostDeviceExposed(Rule[Workload]):
    """## What it does
    Reports host devices passed to the container (`devices:`).

    ## Why is this bad?
    A device node gives direct access to hardware or kernel drivers (`/dev/mem`, disks, GPUs,
    `/dev/kvm`): reading disks bypasses every file permission; drivers are kernel attack surface.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        devices:
          - /dev/sda:/dev/sda
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="CR018",
        name="host-device-exposed",
        title="A host device is exposed to the container",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Remove `devices:` entries the service does not strictly need.",
        references=(
            CIS_DOCKER.control(
                "5.18", "Ensure that host devices are not directly exposed to containers"
            ),
            _NIST,
            CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere"),
        ),
        aliases=("CIS-5.18",),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for device in model.devices.value:
            yield report(
                self, ctx, model, device, f"exposes host device {device.value!r}", device.value
            )


class SharedMountPropagation(Rule[Workload]):
    """## What it does
    Reports a mount with `shared` or `rshared` propagation.

    ## Why is this bad?
    With shared propagation, mounts made inside the container appear on the host (and the other
    way round): a container with mount rights can plant mounts in the host's namespace.

    ## Example
    ```yaml
    services:
      app:
        image: example/app:3.2
        volumes:
          - /srv/data:/data:rshared
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: example/app:3.2
        volumes:
          - /srv/data:/data
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="CR031",
        name="shared-mount-propagation",
        title="A mount uses shared propagation",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Use the default `rprivate` propagation.",
        references=(
            CIS_DOCKER.control("5.20", "Ensure mount propagation mode is not set to shared"),
            _NIST,
            CWE.control("CWE-668", "Exposure of Resource to Wrong Sphere"),
        ),
        aliases=("volume_mounted_in_multiple_containers", "CIS-5.20"),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        for mount in model.mounts.value:
            if (mount.value.propagation or "") in ("shared", "rshared"):
                yield report(
                    self,
                    ctx,
                    model,
                    mount,
                    f"mount {mount.value.target!r} uses {mount.value.propagation} propagation",
                    f"propagation:{mount.value.target}",
                )


RULES = (
    WritableRootFilesystem(),
    RuntimeSocketMounted(),
    SensitiveHostPathMounted(),
    WritableBindMount(),
    HostDeviceExposed(),
    SharedMountPropagation(),
)
