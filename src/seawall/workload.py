"""One normalised view of how a container runs, whoever declared it (DESIGN §4).

A ``Workload`` holds one ``Field`` per hardening property. Each field has a value, a ``Location``
(file span for compose and Kubernetes, JSON pointer for ``docker inspect``) and, for YAML sources,
an ``Editor`` describing the key's text so fixes can set or delete it later. A key the user did not
write is an explicit default (``explicit=False``) located at the mapping that would hold it.

Adapters: ``from_compose_service`` (here); ``from_inspect`` (``seawall.runtime.inspect_adapter``)
and ``from_k8s_container`` fill the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from seawall.model.finding import Location
from seawall.model.source import Span

if TYPE_CHECKING:
    from seawall.parsers.compose import ComposeProject, ComposeService
    from seawall.parsers.yamldoc import Origin, YEntry, YMap, YNode

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Editor:
    """What a YAML text editor needs to set or delete one key.

    ``key_span``/``value_span`` are None when the key is absent; ``parent_span`` is the mapping
    that holds (or would hold) it, ``parent_indent`` the 0-based column of that mapping's keys and
    ``parent_flow`` whether it is written ``{...}``.
    """

    path: str
    key: str
    key_span: Span | None
    value_span: Span | None
    parent_span: Span
    parent_indent: int
    parent_flow: bool


@dataclass(frozen=True, slots=True)
class Field(Generic[T]):
    """A value with where it was written (or, when ``explicit`` is False, where it would go)."""

    value: T
    location: Location
    editor: Editor | None = None
    explicit: bool = True


@dataclass(frozen=True, slots=True)
class Mount:
    """A mount: ``type`` is bind, volume, tmpfs or npipe; ``source`` a host path for binds."""

    type: str
    source: str | None
    target: str
    read_only: bool
    propagation: str | None = None


@dataclass(frozen=True, slots=True)
class Port:
    """A container port; ``published`` None means not published on the host."""

    target: str
    published: str | None
    host_ip: str | None
    protocol: str = "tcp"

    @property
    def all_interfaces(self) -> bool:
        """Published on every host interface (no address, ``0.0.0.0`` or ``::``)."""
        return self.published is not None and (self.host_ip or "") in ("", "0.0.0.0", "::", "[::]")

    def host_ports(self) -> range:
        """The published host port range (empty when unpublished or unparsable)."""
        if not self.published:
            return range(0)
        low, _sep, high = self.published.partition("-")
        try:
            return range(int(low), int(high or low) + 1)
        except ValueError:
            return range(0)


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable of the container; ``source`` says where it came from."""

    name: str
    value: str
    source: str  # environment | env_file | image | inspect


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """A healthcheck: ``disabled`` for ``disable: true`` / ``test: [NONE]``."""

    disabled: bool
    test: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """Restart policy name (no, always, on-failure, unless-stopped) and retry bound."""

    name: str
    max_attempts: int | None = None


@dataclass(frozen=True, slots=True)
class Sysctl:
    """A namespaced kernel parameter set for the container."""

    name: str
    value: str


ListField = Field[tuple[Field[T], ...]]


@dataclass(frozen=True)
class Workload:
    """How one container runs. ``kind`` is compose-service, k8s-container or container."""

    name: str
    kind: str
    path: str
    image: Field[str | None]
    user: Field[str | None]
    privileged: Field[bool]
    no_new_privileges: Field[bool]
    cap_add: ListField[str]
    cap_drop: ListField[str]
    read_only_rootfs: Field[bool]
    tmpfs: ListField[str]
    seccomp: Field[str | None]
    apparmor: Field[str | None]
    selinux: ListField[str]
    host_network: Field[bool]
    host_pid: Field[bool]
    host_ipc: Field[bool]
    host_uts: Field[bool]
    userns: Field[str | None]
    cgroup_parent: Field[str | None]
    mounts: ListField[Mount]
    devices: ListField[str]
    ports: ListField[Port]
    memory: Field[int | None]
    cpus: Field[float | None]
    pids: Field[int | None]
    environment: ListField[EnvVar]
    secrets: ListField[str]
    healthcheck: Field[Healthcheck | None]
    restart: Field[RestartPolicy]
    sysctls: ListField[Sysctl]
    networks: ListField[str]
    image_user: str | None = None  # the image's configured USER, when the adapter knows it
    image_has_healthcheck: bool | None = None  # whether the image defines a HEALTHCHECK, if known
    image_built: bool = False  # the image is built locally from source (compose `build:`)


# ---------------------------------------------------------------- value parsing helpers

_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_bytes(text: str) -> int | None:
    """Bytes from ``512m``, ``1g``, ``1.5GB``, ``1024``; None if unparsable."""
    value = text.strip().lower().removesuffix("b").removesuffix("i")
    if not value:
        return None
    unit = 1
    if value[-1] in _UNITS:
        unit = _UNITS[value[-1]]
        value = value[:-1]
    try:
        return int(float(value) * unit)
    except ValueError:
        return None


def normalize_capability(name: str) -> str:
    """``cap_sys_admin`` / ``SYS_ADMIN`` → ``SYS_ADMIN``."""
    upper = name.strip().upper()
    return upper[4:] if upper.startswith("CAP_") else upper


# ---------------------------------------------------------------- compose adapter


class _ComposeFields:
    """Builds located fields for one compose service."""

    def __init__(self, service: ComposeService) -> None:
        self.service = service
        self.node = service.node
        self.parent_loc = Location(service.key_origin.path, service.key_origin.span)

    def loc(self, origin: Origin) -> Location:
        return Location(origin.path, origin.span)

    def entry_loc(self, entry: YEntry) -> Location:
        """From the key to the end of its value: the line a reader looks for is the key's."""
        value = entry.value.origin
        if value.path != entry.key_origin.path or value.span.end < entry.key_origin.span.start:
            return self.loc(value)
        return Location(value.path, entry.key_origin.span.cover(value.span))

    def editor(self, key: str, parent: YMap | None = None) -> Editor:
        holder = parent or self.node
        entry = holder.entries.get(key)
        return Editor(
            path=(entry.key_origin.path if entry else holder.origin.path),
            key=key,
            key_span=entry.key_origin.span if entry else None,
            value_span=entry.value.origin.span if entry else None,
            parent_span=holder.origin.span,
            parent_indent=holder.indent,
            parent_flow=holder.flow,
        )

    def field(self, key: str, value: T, default: T, parent: YMap | None = None) -> Field[T]:
        holder = parent or self.node
        entry = holder.entries.get(key)
        if entry is None:
            return Field(default, self.parent_loc, self.editor(key, parent), explicit=False)
        return Field(value, self.entry_loc(entry), self.editor(key, parent))

    def default(self, key: str, value: T) -> Field[T]:
        return Field(value, self.parent_loc, self.editor(key), explicit=False)

    def items(
        self, key: str, convert: Callable[[YNode], T | None], parent: YMap | None = None
    ) -> ListField[T]:
        from seawall.parsers.compose_syntax import list_of

        holder = parent or self.node
        node = holder.get(key)
        if node is None:
            return self.field(key, (), (), parent)
        fields: list[Field[T]] = []
        for item in list_of(node, key):
            value = convert(item)
            if value is not None:
                fields.append(Field(value, self.loc(item.origin)))
        return self.field(key, tuple(fields), (), parent)


def _text(node: YNode | None) -> str | None:
    from seawall.parsers.compose_syntax import scalar_text

    return scalar_text(node)


def _flag(node: YNode | None) -> bool:
    from seawall.parsers.compose_syntax import SyntaxProblem, as_bool

    try:
        return bool(as_bool(node))
    except SyntaxProblem:
        return False


def _security_opt(
    fields: _ComposeFields,
) -> tuple[Field[bool], Field[str | None], Field[str | None], ListField[str]]:
    """no-new-privileges, seccomp, apparmor and SELinux label options from ``security_opt``."""
    from seawall.parsers.compose_syntax import list_of

    nnp: Field[bool] = fields.default("security_opt", False)
    seccomp: Field[str | None] = fields.default("security_opt", None)
    apparmor: Field[str | None] = fields.default("security_opt", None)
    labels: list[Field[str]] = []
    node = fields.node.get("security_opt")
    for item in list_of(node, "security_opt"):
        text = _text(item)
        if not text:
            continue
        name, _sep, value = text.replace("=", ":", 1).partition(":")
        name = name.strip().lower()
        value = value.strip()
        where = fields.loc(item.origin)
        editor = fields.editor("security_opt")
        if name == "no-new-privileges":
            nnp = Field(value.lower() in ("", "true", "1"), where, editor)
        elif name == "seccomp":
            seccomp = Field(value, where, editor)
        elif name == "apparmor":
            apparmor = Field(value, where, editor)
        elif name == "label":
            labels.append(Field(value, where))
    label_field: ListField[str] = (
        Field(tuple(labels), labels[0].location, fields.editor("security_opt"))
        if labels
        else fields.default("security_opt", ())
    )
    return nnp, seccomp, apparmor, label_field


def _limits(
    fields: _ComposeFields,
) -> tuple[Field[int | None], Field[float | None], Field[int | None]]:
    """Memory, CPU and pids limits from service keys or ``deploy.resources.limits``."""
    from seawall.parsers.yamldoc import YMap

    limits: YMap | None = None
    deploy = fields.node.get("deploy")
    if isinstance(deploy, YMap):
        resources = deploy.get("resources")
        if isinstance(resources, YMap):
            found = resources.get("limits")
            limits = found if isinstance(found, YMap) else None

    def pick(key: str, limit_key: str, parse: Callable[[str], T | None]) -> Field[T | None]:
        for holder, name in ((fields.node, key), (limits, limit_key)):
            if holder is None or name not in holder.entries:
                continue
            entry = holder.entries[name]
            text = _text(entry.value)
            value = parse(text) if text is not None else None
            return Field(value, fields.entry_loc(entry), fields.editor(name, holder))
        return fields.default(key, None)

    def cpus(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None

    def pids(text: str) -> int | None:
        try:
            return int(text)
        except ValueError:
            return None

    return (
        pick("mem_limit", "memory", parse_bytes),
        pick("cpus", "cpus", cpus),
        pick("pids_limit", "pids", pids),
    )


def _healthcheck(fields: _ComposeFields) -> Field[Healthcheck | None]:
    from seawall.parsers.compose_syntax import list_of
    from seawall.parsers.yamldoc import YMap, YScalar

    node = fields.node.get("healthcheck")
    if not isinstance(node, YMap):
        return fields.field("healthcheck", None, None)
    test_node = node.get("test")
    if isinstance(test_node, YScalar):
        test: tuple[str, ...] = (_text(test_node) or "",)
    else:
        test = tuple(_text(t) or "" for t in list_of(test_node, "test"))
    disabled = _flag(node.get("disable")) or (bool(test) and test[0].upper() == "NONE")
    return fields.field("healthcheck", Healthcheck(disabled, test), None)


def _restart(fields: _ComposeFields) -> Field[RestartPolicy]:
    from seawall.parsers.yamldoc import YMap

    node = fields.node.get("restart")
    deploy = fields.node.get("deploy")
    policy = deploy.get("restart_policy") if isinstance(deploy, YMap) else None
    if isinstance(policy, YMap):
        condition = _text(policy.get("condition")) or "any"
        attempts_text = _text(policy.get("max_attempts"))
        attempts = int(attempts_text) if attempts_text and attempts_text.isdigit() else None
        name = {"any": "always", "none": "no"}.get(condition, condition)
        assert isinstance(deploy, YMap)
        return Field(
            RestartPolicy(name, attempts),
            fields.entry_loc(deploy.entries["restart_policy"]),
            fields.editor("restart"),
        )
    if node is None:
        return fields.default("restart", RestartPolicy("no"))
    text = _text(node) or "no"
    name, _sep, count = text.partition(":")
    return Field(
        RestartPolicy(name, int(count) if count.isdigit() else None),
        fields.entry_loc(fields.node.entries["restart"]),
        fields.editor("restart"),
    )


def _mounts(fields: _ComposeFields) -> ListField[Mount]:
    service = fields.service
    mounts = [
        Field(Mount(v.type, v.source, v.target, v.read_only, v.propagation), fields.loc(v.origin))
        for v in service.volumes
    ]
    return fields.field("volumes", tuple(mounts), ())


def _sysctls(fields: _ComposeFields) -> ListField[Sysctl]:
    from seawall.parsers.compose_syntax import list_or_map

    node = fields.node.get("sysctls")
    if node is None:
        return fields.default("sysctls", ())
    items = [
        Field(Sysctl(key, _text(entry.value) or ""), fields.loc(entry.key_origin))
        for key, entry in list_or_map(node, "sysctls").entries.items()
    ]
    return fields.field("sysctls", tuple(items), ())


def from_compose_service(
    service: ComposeService,
    project: ComposeProject | None = None,
    image_user: str | None = None,
    image_has_healthcheck: bool | None = None,
) -> Workload:
    """The workload of one compose service of a loaded project."""
    fields = _ComposeFields(service)
    node = service.node
    nnp, seccomp, apparmor, selinux = _security_opt(fields)
    memory, cpus, pids = _limits(fields)
    mode = (service.network_mode or "").lower()

    def namespace(key: str) -> Field[bool]:
        return fields.field(key, (_text(node.get(key)) or "").lower() == "host", False)

    host_network = (
        fields.field("network_mode", mode == "host", False)
        if "network_mode" in node
        else fields.default("network_mode", False)
    )
    environment = tuple(
        Field(EnvVar(v.name, v.value, v.source), Location(v.origin.path, v.origin.span))
        for v in service.environment
    )
    env_field: ListField[EnvVar] = (
        Field(environment, fields.parent_loc, fields.editor("environment"))
        if environment
        else fields.default("environment", ())
    )
    return Workload(
        name=service.name,
        kind="compose-service",
        path=service.key_origin.path,
        image=fields.field("image", service.image, None),
        user=fields.field("user", _text(node.get("user")), None),
        privileged=fields.field("privileged", _flag(node.get("privileged")), False),
        no_new_privileges=nnp,
        cap_add=fields.items("cap_add", lambda n: normalize_capability(_text(n) or "") or None),
        cap_drop=fields.items("cap_drop", lambda n: normalize_capability(_text(n) or "") or None),
        read_only_rootfs=fields.field("read_only", _flag(node.get("read_only")), False),
        tmpfs=fields.items("tmpfs", _text),
        seccomp=seccomp,
        apparmor=apparmor,
        selinux=selinux,
        host_network=host_network,
        host_pid=namespace("pid"),
        host_ipc=namespace("ipc"),
        host_uts=namespace("uts"),
        userns=fields.field("userns_mode", _text(node.get("userns_mode")), None),
        cgroup_parent=fields.field("cgroup_parent", _text(node.get("cgroup_parent")), None),
        mounts=_mounts(fields),
        devices=fields.items("devices", _device),
        ports=fields.field(
            "ports",
            tuple(
                Field(Port(p.target, p.published, p.host_ip, p.protocol), fields.loc(p.origin))
                for p in service.ports
            ),
            (),
        ),
        memory=memory,
        cpus=cpus,
        pids=pids,
        environment=env_field,
        secrets=fields.field(
            "secrets", tuple(Field(s.source, fields.loc(s.origin)) for s in service.secrets), ()
        ),
        healthcheck=_healthcheck(fields),
        restart=_restart(fields),
        sysctls=_sysctls(fields),
        networks=_networks(fields),
        image_user=image_user,
        image_has_healthcheck=image_has_healthcheck,
        image_built=service.has_build,
    )


def _device(node: YNode) -> str | None:
    from seawall.parsers.yamldoc import YMap

    if isinstance(node, YMap):
        return _text(node.get("source"))
    return _text(node)


def _networks(fields: _ComposeFields) -> ListField[str]:
    nets = [
        Field(n.name, fields.loc(n.origin) if n.origin else fields.parent_loc)
        for n in fields.service.networks
    ]
    return fields.field("networks", tuple(nets), tuple(nets))


def explicit_items(field: ListField[T]) -> Iterable[Field[T]]:
    """The items of a list field (empty for a default)."""
    return field.value
