"""``docker inspect`` → :class:`seawall.workload.Workload`, located by JSON pointers.

The CR rules written for compose services then run unchanged on running (or created, or stopped)
containers. What the Engine records is what runs: ``NetworkSettings.Ports`` for published ports
(``HostConfig.PortBindings`` only when the container has never started), ``Mounts`` for both
``-v`` and ``--mount``, and ``Privileged`` implying that no seccomp filter is applied. When the
kernel's view is known (``/proc/<pid>/status``) it overrides the configured seccomp and
no-new-privileges state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from seawall.model.finding import Location
from seawall.runtime.containers import EffectiveState
from seawall.runtime.pointer import pointer
from seawall.workload import (
    EnvVar,
    Field,
    Healthcheck,
    ListField,
    Mount,
    Port,
    RestartPolicy,
    Sysctl,
    Workload,
    normalize_capability,
)

T = TypeVar("T")
SECRETS_DIR = "/run/secrets/"


def container_path(name: str) -> str:
    """The location path findings on a container use (``container/<name>``)."""
    return f"container/{name}"


class _Doc:
    """Reads an inspect document and makes located fields."""

    def __init__(self, doc: Mapping[str, Any], path: str) -> None:
        self.doc = doc
        self.path = path

    def at(self, *tokens: str | int) -> Location:
        """A location at ``tokens``; an absent key is located at the deepest existing parent."""
        node: Any = self.doc
        kept: list[str | int] = []
        for token in tokens:
            in_mapping = isinstance(node, Mapping) and token in node
            in_list = isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node)
            if not (in_mapping or in_list):
                break
            node = node[token]
            kept.append(token)
        return Location(self.path, None, pointer(*kept))

    def get(self, *tokens: str) -> Any:
        node: Any = self.doc
        for token in tokens:
            if not isinstance(node, Mapping):
                return None
            node = node.get(token)
        return node

    def field(self, value: T, default: T, *tokens: str | int) -> Field[T]:
        """A field at ``tokens``; ``explicit`` when the value differs from the engine default."""
        return Field(value, self.at(*tokens), explicit=value != default)

    def items(self, values: Sequence[tuple[T, Location]], *tokens: str) -> ListField[T]:
        fields = tuple(Field(value, where) for value, where in values)
        return Field(fields, self.at(*tokens), explicit=bool(fields))


def _security_opts(d: _Doc) -> list[tuple[int, str, str]]:
    """``(index, name, value)`` of HostConfig.SecurityOpt entries (``k=v`` or ``k:v``)."""
    out = []
    for index, raw in enumerate(d.get("HostConfig", "SecurityOpt") or []):
        text = str(raw)
        split_at = min((i for i in (text.find("="), text.find(":")) if i >= 0), default=-1)
        name, value = (text[:split_at], text[split_at + 1 :]) if split_at >= 0 else (text, "")
        out.append((index, name.strip().lower(), value.strip()))
    return out


def _no_new_privileges(
    d: _Doc, effective: EffectiveState | None, daemon_default: bool
) -> Field[bool]:
    for index, name, value in _security_opts(d):
        if name == "no-new-privileges":
            enabled = value.lower() in ("", "true", "1")
            return Field(enabled, d.at("HostConfig", "SecurityOpt", index))
    if effective is not None and effective.no_new_privs is not None:
        # e.g. the daemon's "no-new-privileges": true, which SecurityOpt does not show.
        return Field(effective.no_new_privs, d.at("State", "Pid"), explicit=False)
    return Field(daemon_default, d.at("HostConfig", "SecurityOpt"), explicit=False)


def _seccomp(d: _Doc, effective: EffectiveState | None) -> Field[str | None]:
    if d.get("HostConfig", "Privileged"):
        # moby skips seccomp entirely for privileged containers.
        return Field("unconfined", d.at("HostConfig", "Privileged"))
    if effective is not None and effective.seccomp_mode == 0:
        return Field("unconfined", d.at("State", "Pid"))
    for index, name, value in _security_opts(d):
        if name == "seccomp":
            return Field(value, d.at("HostConfig", "SecurityOpt", index))
    return Field(None, d.at("HostConfig", "SecurityOpt"), explicit=False)


def _apparmor(d: _Doc) -> Field[str | None]:
    for index, name, value in _security_opts(d):
        if name == "apparmor":
            return Field(value, d.at("HostConfig", "SecurityOpt", index))
    profile = d.get("AppArmorProfile") or None
    return Field(profile, d.at("AppArmorProfile"), explicit=False)


def _selinux(d: _Doc) -> ListField[str]:
    labels = [
        (value, d.at("HostConfig", "SecurityOpt", index))
        for index, name, value in _security_opts(d)
        if name == "label"
    ]
    return d.items(labels, "HostConfig", "SecurityOpt")


def _caps(d: _Doc, key: str) -> ListField[str]:
    values = [
        (normalize_capability(str(cap)), d.at("HostConfig", key, index))
        for index, cap in enumerate(d.get("HostConfig", key) or [])
    ]
    return d.items(values, "HostConfig", key)


def _tmpfs(d: _Doc) -> ListField[str]:
    tmpfs = d.get("HostConfig", "Tmpfs") or {}
    values = [
        (f"{target}:{options}" if options else str(target), d.at("HostConfig", "Tmpfs", target))
        for target, options in tmpfs.items()
    ]
    return d.items(values, "HostConfig", "Tmpfs")


def _mounts(d: _Doc) -> tuple[ListField[Mount], ListField[str]]:
    mounts = []
    secrets = []
    for index, m in enumerate(d.get("Mounts") or []):
        target = str(m.get("Destination", ""))
        mount = Mount(
            type=str(m.get("Type", "bind")),
            source=m.get("Source") or m.get("Name") or None,
            target=target,
            read_only=not m.get("RW", True),
            propagation=m.get("Propagation") or None,
        )
        mounts.append((mount, d.at("Mounts", index)))
        if target.startswith(SECRETS_DIR) and mount.read_only:
            secrets.append((target.removeprefix(SECRETS_DIR), d.at("Mounts", index)))
    return d.items(mounts, "Mounts"), d.items(secrets, "Mounts")


def _ports(d: _Doc) -> ListField[Port]:
    """Published ports: what the Engine applied for a running container, else what it requested.

    A container that is not running publishes nothing now but will publish its PortBindings
    when started, so those are judged (an empty HostIp means every interface, IPv4 and IPv6).
    """
    tokens: tuple[str, ...]
    if d.get("State", "Running"):
        source, tokens = d.get("NetworkSettings", "Ports") or {}, ("NetworkSettings", "Ports")
    else:
        source, tokens = d.get("HostConfig", "PortBindings") or {}, ("HostConfig", "PortBindings")
    ports = []
    for spec, bindings in sorted(source.items()):
        target, _sep, protocol = str(spec).partition("/")
        if not bindings:
            ports.append((Port(target, None, None, protocol or "tcp"), d.at(*tokens, spec)))
            continue
        for index, binding in enumerate(bindings):
            host_port = str(binding.get("HostPort") or "")  # "" = an ephemeral host port
            host_ip = str(binding.get("HostIp") or "")
            ports.append(
                (Port(target, host_port, host_ip, protocol or "tcp"), d.at(*tokens, spec, index))
            )
    return d.items(ports, *tokens)


def _cpus(d: _Doc) -> Field[float | None]:
    nano = d.get("HostConfig", "NanoCpus") or 0
    if nano:
        return Field(nano / 1e9, d.at("HostConfig", "NanoCpus"))
    quota = d.get("HostConfig", "CpuQuota") or 0
    if quota > 0:
        period = d.get("HostConfig", "CpuPeriod") or 100_000
        return Field(quota / period, d.at("HostConfig", "CpuQuota"))
    return Field(None, d.at("HostConfig", "NanoCpus"), explicit=False)


def _environment(d: _Doc, image: Mapping[str, Any] | None) -> ListField[EnvVar]:
    from_image = set((image or {}).get("Config", {}).get("Env") or [])
    values = []
    for index, entry in enumerate(d.get("Config", "Env") or []):
        name, _sep, value = str(entry).partition("=")
        origin = "image" if entry in from_image else "inspect"
        values.append((EnvVar(name, value, origin), d.at("Config", "Env", index)))
    return d.items(values, "Config", "Env")


def _healthcheck(d: _Doc) -> Field[Healthcheck | None]:
    check = d.get("Config", "Healthcheck")
    if not check or not check.get("Test"):
        return Field(None, d.at("Config", "Healthcheck"), explicit=False)
    test = tuple(str(t) for t in check["Test"])
    return Field(Healthcheck(test[0].upper() == "NONE", test), d.at("Config", "Healthcheck"))


def _restart(d: _Doc) -> Field[RestartPolicy]:
    policy = d.get("HostConfig", "RestartPolicy") or {}
    name = str(policy.get("Name") or "no")
    retries = policy.get("MaximumRetryCount") or None
    return d.field(RestartPolicy(name, retries), RestartPolicy("no"), "HostConfig", "RestartPolicy")


def _optional_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _positive(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and value > 0 else None


def from_inspect(
    doc: Mapping[str, Any],
    *,
    image: Mapping[str, Any] | None = None,
    effective: EffectiveState | None = None,
    daemon_no_new_privileges: bool = False,
    path: str | None = None,
) -> Workload:
    """The workload of one container from its inspect document.

    ``image`` (``docker image inspect``) tells image-provided env and the image's USER;
    ``effective`` is the kernel's view of the running process; ``daemon_no_new_privileges``
    is the daemon-wide default when the process is not visible.
    """
    name = str(doc.get("Name") or doc.get("Id", "?")[:12]).lstrip("/")
    d = _Doc(doc, path or container_path(name))
    host_config = doc.get("HostConfig") or {}
    mounts, secrets = _mounts(d)
    devices = [
        (str(dev.get("PathOnHost", "")), d.at("HostConfig", "Devices", index))
        for index, dev in enumerate(host_config.get("Devices") or [])
    ]
    sysctls = [
        (Sysctl(str(k), str(v)), d.at("HostConfig", "Sysctls", k))
        for k, v in sorted((host_config.get("Sysctls") or {}).items())
    ]
    networks = [
        (str(net), d.at("NetworkSettings", "Networks", net))
        for net in sorted(d.get("NetworkSettings", "Networks") or {})
    ]
    image_config = (image or {}).get("Config") or {}
    user = _optional_str(d.get("Config", "User"))
    return Workload(
        name=name,
        kind="container",
        path=d.path,
        image=d.field(_optional_str(d.get("Config", "Image")), None, "Config", "Image"),
        user=d.field(user, None, "Config", "User"),
        privileged=d.field(bool(host_config.get("Privileged")), False, "HostConfig", "Privileged"),
        no_new_privileges=_no_new_privileges(d, effective, daemon_no_new_privileges),
        cap_add=_caps(d, "CapAdd"),
        cap_drop=_caps(d, "CapDrop"),
        read_only_rootfs=d.field(
            bool(host_config.get("ReadonlyRootfs")), False, "HostConfig", "ReadonlyRootfs"
        ),
        tmpfs=_tmpfs(d),
        seccomp=_seccomp(d, effective),
        apparmor=_apparmor(d),
        selinux=_selinux(d),
        host_network=d.field(
            host_config.get("NetworkMode") == "host", False, "HostConfig", "NetworkMode"
        ),
        host_pid=d.field(host_config.get("PidMode") == "host", False, "HostConfig", "PidMode"),
        host_ipc=d.field(host_config.get("IpcMode") == "host", False, "HostConfig", "IpcMode"),
        host_uts=d.field(host_config.get("UTSMode") == "host", False, "HostConfig", "UTSMode"),
        userns=d.field(
            _optional_str(host_config.get("UsernsMode")), None, "HostConfig", "UsernsMode"
        ),
        cgroup_parent=d.field(
            _optional_str(host_config.get("CgroupParent")), None, "HostConfig", "CgroupParent"
        ),
        mounts=mounts,
        devices=d.items(devices, "HostConfig", "Devices"),
        ports=_ports(d),
        memory=d.field(_positive(host_config.get("Memory")), None, "HostConfig", "Memory"),
        cpus=_cpus(d),
        pids=d.field(_positive(host_config.get("PidsLimit")), None, "HostConfig", "PidsLimit"),
        environment=_environment(d, image),
        secrets=secrets,
        healthcheck=_healthcheck(d),
        restart=_restart(d),
        sysctls=d.items(sysctls, "HostConfig", "Sysctls"),
        networks=d.items(networks, "NetworkSettings", "Networks"),
        image_user=_optional_str(image_config.get("User")) if image is not None else None,
        image_has_healthcheck=bool((image_config.get("Healthcheck") or {}).get("Test"))
        if image is not None
        else None,
    )


def inline_seccomp_profile(workload: Workload) -> dict[str, Any] | None:
    """The custom profile a container carries inline (``seccomp={…}``), parsed, or None."""
    value = workload.seccomp.value
    if not value or not value.lstrip().startswith("{"):
        return None
    try:
        profile = json.loads(value)
    except json.JSONDecodeError:
        return None
    return profile if isinstance(profile, dict) else None
