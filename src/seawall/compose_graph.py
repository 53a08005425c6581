"""The network reachability graph of a Compose project, and its Mermaid / Graphviz renderings.

Services are nodes; two services can reach each other when they share a network (the implicit
``default`` network included; ``network_mode: service:x`` shares ``x``'s). A service is an *edge*
(internet-facing) when it publishes a port on a non-loopback address or uses the host's network.
A *datastore* is recognised by its image (or, for a service that only builds, its name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seawall.parsers.compose import ComposeProject, ComposeService
from seawall.parsers.compose_syntax import PortSpec

DATASTORES = (
    "postgres",
    "postgis",
    "timescaledb",
    "mysql",
    "mariadb",
    "percona",
    "mssql",
    "oracle",
    "mongo",
    "redis",
    "valkey",
    "keydb",
    "memcached",
    "elasticsearch",
    "opensearch",
    "solr",
    "rabbitmq",
    "kafka",
    "redpanda",
    "zookeeper",
    "nats",
    "cassandra",
    "scylla",
    "couchdb",
    "couchbase",
    "neo4j",
    "influxdb",
    "clickhouse",
    "cockroach",
    "etcd",
    "minio",
    "questdb",
)
_SQL = ("postgres", "postgis", "timescaledb", "mysql", "mariadb", "percona", "mssql", "oracle")
# Images that are clients (admin UIs) of a datastore kind: they use it by design.
CLIENT_IMAGES = {
    "pgadmin": ("postgres", "postgis", "timescaledb"),
    "pgadmin4": ("postgres", "postgis", "timescaledb"),
    "adminer": _SQL,
    "phpmyadmin": ("mysql", "mariadb", "percona"),
    "mongo-express": ("mongo",),
    "redis-commander": ("redis", "valkey", "keydb"),
    "redisinsight": ("redis", "valkey", "keydb"),
    "kibana": ("elasticsearch",),
    "opensearch-dashboards": ("opensearch",),
    "kafka-ui": ("kafka", "redpanda"),
    "akhq": ("kafka", "redpanda"),
    "console": ("redpanda",),
}
# Environment-variable name tokens that say "I talk to a datastore of this kind".
_ENV_TOKENS = {
    "POSTGRES": ("postgres", "postgis", "timescaledb"),
    "PG": ("postgres", "postgis", "timescaledb"),
    "MYSQL": ("mysql", "mariadb", "percona"),
    "MARIADB": ("mariadb", "mysql"),
    "MONGO": ("mongo",),
    "MONGODB": ("mongo",),
    "REDIS": ("redis", "valkey", "keydb"),
    "MEMCACHED": ("memcached",),
    "ELASTIC": ("elasticsearch",),
    "ELASTICSEARCH": ("elasticsearch",),
    "OPENSEARCH": ("opensearch",),
    "RABBITMQ": ("rabbitmq",),
    "AMQP": ("rabbitmq",),
    "KAFKA": ("kafka", "redpanda"),
    "DB": _SQL,
    "DATABASE": _SQL,
    "MSSQL": ("mssql",),
}
_LOOPBACK = ("127.", "::1", "[::1]", "localhost")
# Host-name-like words (``db`` in ``postgres://u:p@db:5432/x``; ``redis-commander`` stays whole).
_HOST_WORD = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?")


@functools.lru_cache(maxsize=32)
def _datastore_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    options = "|".join(re.escape(n) for n in names)
    if not options:
        return None
    return re.compile(rf"^(?:cp-)?({options})(?:ql|db|-server|-oss|-stack)?$")


def datastore_kind(service: ComposeService, names: Iterable[str] = DATASTORES) -> str | None:
    """Which datastore a service runs (matched on its image's path components), or None."""
    pattern = _datastore_pattern(tuple(names))
    if pattern is None:
        return None
    if service.image:
        repository = service.image.split("@", 1)[0]
        last = repository.rsplit("/", 1)
        if ":" in last[-1]:
            repository = repository[: repository.rfind(":")]
        for part in repository.lower().split("/"):
            m = pattern.match(part)
            if m:
                return m.group(1)
        return None
    m = pattern.match(service.name.lower())
    return m.group(1) if m else None


def is_public(port: PortSpec) -> bool:
    """Published on an address other machines can reach (not loopback)."""
    if port.published is None:
        return False
    return not (port.host_ip or "").startswith(_LOOPBACK)


def on_all_interfaces(port: PortSpec) -> bool:
    """Published with no address, ``0.0.0.0`` or ``::``."""
    return port.published is not None and (port.host_ip or "") in ("", "0.0.0.0", "::", "[::]")


@dataclass(frozen=True)
class ServiceNode:
    """One service in the graph."""

    name: str
    image: str | None
    datastore: str | None
    edge: bool
    host_network: bool
    networks: frozenset[str]
    public_ports: tuple[PortSpec, ...]


@dataclass(frozen=True)
class NetworkNode:
    """One network and the services attached to it."""

    name: str
    internal: bool
    members: tuple[str, ...]


@dataclass(frozen=True)
class ServiceGraph:
    """Reachability between the services of one project."""

    project: ComposeProject
    services: dict[str, ServiceNode]
    networks: dict[str, NetworkNode]
    shares_namespace: tuple[tuple[str, str], ...]  # (service, the service whose network it uses)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def shared_networks(self, a: str, b: str) -> list[str]:
        """Networks both services are attached to."""
        return sorted(self.services[a].networks & self.services[b].networks)

    def reachable(self, a: str, b: str) -> bool:
        """Whether ``a`` can open connections to ``b`` (from the host's network, every published
        port is reachable)."""
        return a == b or b in self.reachable_from(a)

    def reachable_from(self, a: str) -> frozenset[str]:
        """Every service ``a`` can reach (itself excluded)."""
        cache: dict[str, frozenset[str]] = self._cache.setdefault("reach", {})
        if a not in cache:
            node = self.services[a]
            reach: set[str] = set()
            for net in node.networks:
                reach.update(self.networks[net].members)
            if node.host_network:
                reach.update(
                    name
                    for name, other in self.services.items()
                    if other.host_network
                    or any(p.published for p in self.project.services[name].ports)
                )
            reach.discard(a)
            cache[a] = frozenset(reach)
        return cache[a]

    def uses(self, a: str, b: str) -> bool:
        """Whether ``a`` is declared or configured to talk to ``b``: ``depends_on``, ``links``,
        ``b``'s name or alias as a host name in ``a``'s environment or command, a secret both
        mount, or (for a datastore ``b``) a client image or variable names of ``b``'s kind."""
        if not self.names(b).isdisjoint(self.mentioned(a)):
            return True
        kind = self.services[b].datastore
        return (kind is not None and kind in self.client_of(a)) or self.share_secret(a, b)

    def share_secret(self, a: str, b: str) -> bool:
        """Whether both services mount a common Compose secret."""
        ours = {s.source for s in self.project.services[a].secrets}
        return bool(ours) and not ours.isdisjoint(
            s.source for s in self.project.services[b].secrets
        )

    def client_of(self, name: str) -> frozenset[str]:
        """Datastore kinds a service is a client of, by its image or its variable names."""
        cache: dict[str, frozenset[str]] = self._cache.setdefault("client", {})
        if name not in cache:
            service = self.project.services[name]
            kinds: set[str] = set()
            if service.image:
                repository = service.image.split("@", 1)[0].rsplit(":", 1)[0].lower()
                kinds.update(CLIENT_IMAGES.get(repository.rsplit("/", 1)[-1], ()))
            for var in service.environment:
                for token in re.split(r"[^A-Z0-9]+", var.name.upper()):
                    kinds.update(_ENV_TOKENS.get(token, ()))
            cache[name] = frozenset(kinds)
        return cache[name]

    def names(self, name: str) -> frozenset[str]:
        """A service's name and its network aliases."""
        cache: dict[str, frozenset[str]] = self._cache.setdefault("names", {})
        if name not in cache:
            names = {name}
            for net in self.project.services[name].networks:
                names.update(net.aliases)
            cache[name] = frozenset(names)
        return cache[name]

    def mentioned(self, name: str) -> frozenset[str]:
        """Services a service declares (``depends_on``, ``links``) and host-like words of its
        environment values and command."""
        cache: dict[str, frozenset[str]] = self._cache.setdefault("mentioned", {})
        if name not in cache:
            service = self.project.services[name]
            texts = [v.value for v in service.environment]
            command = service.get("command")
            if command is not None:
                from seawall.parsers.yamldoc import to_python

                texts.append(str(to_python(command)))
            words = {w for t in texts for w in _HOST_WORD.findall(t)}
            cache[name] = frozenset((*words, *service.depends_on, *service.links))
        return cache[name]


def build_graph(project: ComposeProject, datastores: Iterable[str] = DATASTORES) -> ServiceGraph:
    """The reachability graph of a loaded project."""
    names = tuple(datastores)
    base: dict[str, set[str]] = {}
    borrowed: list[tuple[str, str]] = []
    for service in project.services.values():
        mode = (service.network_mode or "").strip()
        if mode.startswith(("service:", "container:")):
            borrowed.append((service.name, mode.split(":", 1)[1]))
            base[service.name] = set()
        elif service.network_mode is None:
            base[service.name] = {n.name for n in service.networks}
        elif mode == "bridge":
            base[service.name] = {"bridge"}  # Docker's default bridge, shared by such services
        else:
            base[service.name] = set()
    for name, other in borrowed:
        if other in base:
            base[name] = set(base[other])
    nodes: dict[str, ServiceNode] = {}
    for service in project.services.values():
        host = (service.network_mode or "").strip() == "host"
        public = tuple(p for p in service.ports if is_public(p))
        nodes[service.name] = ServiceNode(
            name=service.name,
            image=service.image,
            datastore=datastore_kind(service, names),
            edge=host or bool(public),
            host_network=host,
            networks=frozenset(base[service.name]),
            public_ports=public,
        )
    networks: dict[str, NetworkNode] = {}
    for net_name in sorted({n for node in nodes.values() for n in node.networks}):
        definition = project.networks.get(net_name)
        members = tuple(sorted(s for s, node in nodes.items() if net_name in node.networks))
        networks[net_name] = NetworkNode(
            net_name, bool(definition and definition.internal), members
        )
    return ServiceGraph(project, nodes, networks, tuple(borrowed))


# ---------------------------------------------------------------- rendering


def _ident(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _port_label(port: PortSpec) -> str:
    where = f"{port.host_ip}:" if port.host_ip else ""
    return f"{where}{port.published}->{port.target}/{port.protocol}"


def to_mermaid(graph: ServiceGraph) -> str:
    """A Mermaid flowchart: networks as hexagons, datastores as cylinders, edges highlighted."""
    lines = ["flowchart LR"]
    if any(n.edge for n in graph.services.values()):
        lines.append('  internet(("internet"))')
    if any(n.host_network for n in graph.services.values()):
        lines.append('  hostnet(["host network"])')
    for net in graph.networks.values():
        label = net.name + (" (internal)" if net.internal else "")
        lines.append(f'  {_ident("net_", net.name)}{{{{"{label}"}}}}')
    for node in graph.services.values():
        ident = _ident("svc_", node.name)
        label = node.name + (f" ({node.datastore})" if node.datastore else "")
        shape = f'[("{label}")]' if node.datastore else f'["{label}"]'
        classes = [c for c, on in (("edge", node.edge), ("datastore", node.datastore)) if on]
        suffix = f":::{classes[0]}" if classes else ""
        lines.append(f"  {ident}{shape}{suffix}")
    for node in graph.services.values():
        ident = _ident("svc_", node.name)
        for port in node.public_ports:
            lines.append(f'  internet -->|"{_port_label(port)}"| {ident}')
        if node.host_network:
            lines.append(f"  internet --> {ident}")
            lines.append(f"  {ident} --- hostnet")
        for net_name in sorted(node.networks):
            if not any(b[0] == node.name for b in graph.shares_namespace):
                lines.append(f"  {ident} --- {_ident('net_', net_name)}")
    for name, other in graph.shares_namespace:
        lines.append(f'  {_ident("svc_", name)} -.->|"network of"| {_ident("svc_", other)}')
    lines.append("  classDef edge fill:#fde2e1,stroke:#c0392b")
    lines.append("  classDef datastore fill:#e1ecfd,stroke:#2c5fa8")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: ServiceGraph) -> str:
    """A Graphviz ``graph``: networks as hexagons, datastores as cylinders, edges in red."""
    q = _dot_quote
    lines = [f"graph {q(graph.project.name)} {{", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    if any(n.edge for n in graph.services.values()):
        lines.append(f"  {q('internet')} [shape=doublecircle];")
    for net in graph.networks.values():
        label = net.name + (" (internal)" if net.internal else "")
        lines.append(f"  {q('net:' + net.name)} [shape=hexagon, label={q(label)}];")
    for node in graph.services.values():
        attrs = [f"label={q(node.name + (f' ({node.datastore})' if node.datastore else ''))}"]
        attrs.append("shape=cylinder" if node.datastore else "shape=box")
        if node.edge:
            attrs.append("color=red")
        lines.append(f"  {q('svc:' + node.name)} [{', '.join(attrs)}];")
    for node in graph.services.values():
        for port in node.public_ports:
            lines.append(
                f"  {q('internet')} -- {q('svc:' + node.name)} [label={q(_port_label(port))}];"
            )
        if node.host_network:
            lines.append(
                f"  {q('internet')} -- {q('svc:' + node.name)} [label={q('host network')}];"
            )
        for net_name in sorted(node.networks):
            lines.append(f"  {q('svc:' + node.name)} -- {q('net:' + net_name)};")
    for name, other in graph.shares_namespace:
        lines.append(f"  {q('svc:' + name)} -- {q('svc:' + other)} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"
