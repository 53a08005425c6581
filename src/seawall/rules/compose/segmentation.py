"""Network segmentation rules over the whole Compose project (DC001-DC003)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seawall.compose_graph import DATASTORES, ServiceGraph, build_graph, on_all_interfaces
from seawall.model.finding import Finding, Severity
from seawall.model.fix import Fix
from seawall.parsers.compose import ComposeProject
from seawall.parsers.yamldoc import Origin
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)

_COMPOSE = frozenset({TargetKind.COMPOSE})
_DATASTORES = Option("datastores", list(DATASTORES), "image names recognised as datastores")
_NIST_NET = NIST_800_190.control("4.3.3", "Poorly separated inter-container network traffic")


def graph_for(rule: Rule[ComposeProject], project: ComposeProject, ctx: Context) -> ServiceGraph:
    """The project's graph with this rule's configured datastore names (cached per names)."""
    names = tuple(str(n) for n in ctx.option(rule, "datastores"))
    cache: dict[tuple[str, ...], ServiceGraph] = ctx.extra.setdefault("compose_graphs", {})
    graph = cache.get(names)
    if graph is None:
        graph = cache[names] = build_graph(project, names)
    return graph


def located(
    rule: Rule[ComposeProject],
    ctx: Context,
    origin: Origin,
    message: str,
    anchor: str,
    fix: Fix | None = None,
) -> Finding:
    """A finding at ``origin`` with a structural anchor."""
    return ctx.finding(
        rule,
        message,
        span=origin.span,
        path=origin.path,
        anchor=f"{rule.meta.id}:{anchor}",
        fix=fix,
    )


def project_fix(ctx: Context, project: ComposeProject, kind: str, **detail: Any) -> Fix:
    """A fix for a project-wide finding (imported only when a rule fires)."""
    from seawall.fixes.compose import rulefix

    return rulefix.project_fix(ctx, project, kind, **detail)


class DatastoreReachableFromEdge(Rule[ComposeProject]):
    """## What it does
    Reports an internet-facing service that can reach a datastore (postgres, mysql, mariadb,
    mongo, redis, memcached, elasticsearch, opensearch, rabbitmq, kafka... — the rule option
    `datastores`) over a shared network although it does not use it: no `depends_on` or `links`,
    no mention of the datastore's name or alias as a host in its environment or command, no
    secret mounted by both, no variable named for that kind of datastore (`POSTGRES_*`,
    `REDIS_URL`, `DB_*`...), and not a known client of it (pgadmin, adminer, phpmyadmin,
    mongo-express, kibana...).
    Internet-facing means publishing a port on a non-loopback address, or `network_mode: host`.
    One finding per edge service names the datastores it should not reach.

    ## Why is this bad?
    The edge service is the one attackers reach first. If it shares a flat network with a
    database it never talks to, one compromise gives direct access to the data.

    ## Example
    ```yaml
    services:
      proxy:
        image: nginx:1.27
        ports: ["80:80"]
        depends_on: [app]
      app:
        image: example/app:3.2
        depends_on: [db]
      db:
        image: postgres:16
    ```

    Use instead:
    ```yaml
    services:
      proxy:
        image: nginx:1.27
        ports: ["80:80"]
        networks: [front]
        depends_on: [app]
      app:
        image: example/app:3.2
        networks: [front, back]
        depends_on: [db]
      db:
        image: postgres:16
        networks: [back]
    networks:
      front:
      back:
        internal: true
    ```

    ## Fix safety
    Networks must be designed around the traffic the services really need. When no service
    chooses its network yet, the unsafe fix puts datastores on an `internal: true` network
    `backend`, their users on `frontend` and `backend`, everything else on `frontend`, from who
    uses whom (`depends_on`, `links`, host names in environment and command). Otherwise the fix
    is only displayed.
    """

    meta = RuleMeta(
        id="DC001",
        name="datastore-reachable-from-edge",
        title="Datastore reachable from an internet-facing service that does not use it",
        severity=Severity.HIGH,
        targets=_COMPOSE,
        remediation="Put datastores on an internal network shared only with their users.",
        references=(
            _NIST_NET,
            NIST_800_190.control("4.4.2", "Unbounded network access from containers"),
            CWE.control(
                "CWE-923", "Improper Restriction of Communication Channel to Intended Endpoints"
            ),
        ),
        options=(_DATASTORES,),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: ComposeProject, ctx: Context) -> Iterator[Finding]:
        graph = graph_for(self, model, ctx)
        stores = [
            (s, graph.names(s.name), {x.source for x in model.services[s.name].secrets})
            for s in graph.services.values()
            if s.datastore
        ]
        for edge in graph.services.values():
            if not edge.edge or edge.datastore:
                continue
            reach = graph.reachable_from(edge.name)
            mentioned = graph.mentioned(edge.name)
            clients = graph.client_of(edge.name)
            secrets = {x.source for x in model.services[edge.name].secrets}
            unused = [
                s
                for s, names, store_secrets in stores
                if s.name in reach
                and names.isdisjoint(mentioned)
                and s.datastore not in clients
                and secrets.isdisjoint(store_secrets)
            ]
            if not unused:
                continue
            # One finding per edge service, at the network that opens the first path.
            first = unused[0]
            shared = graph.shared_networks(edge.name, first.name)
            origin = model.services[edge.name].key_origin
            for attachment in model.services[edge.name].networks:
                if attachment.name in shared and attachment.origin is not None:
                    origin = attachment.origin
                    break
            via = f"network {shared[0]!r}" if shared else "the host network"
            names = ", ".join(f"'{s.name}' ({s.datastore})" for s in unused[:3])
            more = f" and {len(unused) - 3} more" if len(unused) > 3 else ""
            noun = "datastore" if len(unused) == 1 else "datastores"
            yield located(
                self,
                ctx,
                origin,
                f"internet-facing service '{edge.name}' can reach {noun} {names}{more} "
                f"over {via} but does not use {'it' if len(unused) == 1 else 'them'}",
                edge.name,
                project_fix(ctx, model, "segmentation", graph=graph),
            )


class DatastorePublishedOnAllInterfaces(Rule[ComposeProject]):
    """## What it does
    Reports a datastore (see DC001's `datastores` option) that publishes a port on all host
    interfaces (`"5432:5432"`, `0.0.0.0`, `::`).

    ## Why is this bad?
    Databases, caches and brokers are built to sit behind an application. Published on every
    interface, they are reachable from the network — Docker's iptables rules bypass the host
    firewall — and exposed Redis, MongoDB and Elasticsearch are scanned for and emptied daily.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        ports:
          - "5432:5432"
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16
        ports:
          - "127.0.0.1:5432:5432"
    ```

    ## Fix safety
    Binding to `127.0.0.1` cuts off remote clients: an unsafe fix.
    """

    meta = RuleMeta(
        id="DC002",
        name="datastore-published-on-all-interfaces",
        title="Datastore port published on all host interfaces",
        severity=Severity.HIGH,
        targets=_COMPOSE,
        remediation="Do not publish datastore ports, or bind them to 127.0.0.1.",
        references=(
            CIS_DOCKER.control(
                "5.14",
                "Ensure that incoming container traffic is bound to a specific host interface",
            ),
            NIST_800_190.control("4.4.2", "Unbounded network access from containers"),
            CWE.control("CWE-1327", "Binding to an Unrestricted IP Address"),
        ),
        options=(_DATASTORES,),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: ComposeProject, ctx: Context) -> Iterator[Finding]:
        graph = graph_for(self, model, ctx)
        for node in graph.services.values():
            if node.datastore is None:
                continue
            for port in model.services[node.name].ports:
                if on_all_interfaces(port):
                    yield located(
                        self,
                        ctx,
                        port.origin,
                        f"datastore '{node.name}' ({node.datastore}) publishes port "
                        f"{port.published}->{port.target} on all interfaces",
                        f"{node.name}:{port.published}:{port.target}:{port.protocol}",
                        project_fix(ctx, model, "port", service=node.name, port=port),
                    )


class FlatNetwork(Rule[ComposeProject]):
    """## What it does
    Reports a project of three or more services that all share one network which holds both an
    internet-facing service and a datastore (typically everything on the implicit `default`
    network).

    ## Why is this bad?
    A flat network means no segmentation at all: any compromised service reaches every other one,
    including the datastores, on every port.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
        ports: ["80:80"]
      app:
        image: example/app:3.2
      db:
        image: postgres:16
    ```

    Use instead:
    ```yaml
    services:
      web:
        image: nginx:1.27
        ports: ["80:80"]
        networks: [front]
      app:
        image: example/app:3.2
        networks: [front, back]
      db:
        image: postgres:16
        networks: [back]
    networks:
      front:
      back:
        internal: true
    ```

    ## Fix safety
    The same unsafe fix as DC001: `frontend` and an internal `backend` network derived from who
    uses whom, when no service chooses its network yet.
    """

    meta = RuleMeta(
        id="DC003",
        name="flat-network",
        title="All services share one flat network with an edge service and a datastore",
        severity=Severity.MEDIUM,
        targets=_COMPOSE,
        remediation="Split the project into front and back networks; make the back one internal.",
        references=(
            _NIST_NET,
            CWE.control(
                "CWE-923", "Improper Restriction of Communication Channel to Intended Endpoints"
            ),
        ),
        options=(_DATASTORES,),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, model: ComposeProject, ctx: Context) -> Iterator[Finding]:
        graph = graph_for(self, model, ctx)
        everyone = set(graph.services)
        if len(everyone) < 3:
            return
        for net in graph.networks.values():
            members = set(net.members)
            if members != everyone:
                continue
            nodes = [graph.services[m] for m in net.members]
            if not any(n.edge for n in nodes) or not any(n.datastore for n in nodes):
                continue
            definition = model.networks.get(net.name)
            if definition is not None and definition.origin is not None:
                origin = definition.origin
            else:
                origin = model.root.entries["services"].key_origin
            yield located(
                self,
                ctx,
                origin,
                f"all {len(members)} services share network {net.name!r}, "
                "including an internet-facing service and a datastore",
                net.name,
                project_fix(ctx, model, "segmentation", graph=graph),
            )


RULES = (DatastoreReachableFromEdge(), DatastorePublishedOnAllInterfaces(), FlatNetwork())
