"""The reachability graph, its renderings, and ``seawall graph``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from compose_helpers import CORPUS, check, write_files

from seawall.cli import main
from seawall.compose_graph import build_graph, datastore_kind, to_dot, to_mermaid
from seawall.parsers.compose import ComposeProject

Load = Callable[..., ComposeProject]

PROJECT = """services:
  proxy:
    image: nginx:1.27
    ports: ["80:80", "127.0.0.1:8080:8080"]
    networks: [front]
  app:
    image: example/app:3.2
    networks: [front, back]
    depends_on: [db]
  db:
    image: docker.io/library/postgres:16@sha256:{digest}
    networks: [back]
  sidecar:
    image: example/sidecar:1.0
    network_mode: service:app
  agent:
    image: example/agent:1.0
    network_mode: host
  admin:
    image: mongo-express:1.0
    networks: [back]
networks:
  front:
  back:
    internal: true
""".replace("{digest}", "0123456789abcdef" * 4)


def test_graph_semantics(project_in: Load) -> None:
    graph = build_graph(project_in({"compose.yaml": PROJECT}))
    nodes = graph.services
    assert nodes["proxy"].edge and not nodes["proxy"].datastore
    assert [p.published for p in nodes["proxy"].public_ports] == ["80"]
    assert nodes["db"].datastore == "postgres"
    assert nodes["admin"].datastore is None  # mongo-express is a UI, not a datastore
    assert nodes["agent"].edge and nodes["agent"].host_network
    assert graph.networks["back"].internal
    assert graph.networks["back"].members == ("admin", "app", "db", "sidecar")
    assert graph.reachable("app", "db") and graph.uses("app", "db")
    assert not graph.reachable("proxy", "db")
    assert graph.reachable("sidecar", "db")  # shares app's network namespace
    assert graph.reachable("agent", "proxy")  # host network reaches published ports
    assert not graph.reachable("agent", "db")


def test_uses_by_environment_and_alias(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "services:\n  web:\n    image: a:1\n    ports: ['80:80']\n"
                "    environment: [REDIS_URL=redis://cache:6379/0]\n"
                "  redis:\n    image: redis:7\n"
                "    networks:\n      default:\n        aliases: [cache]\n"
                "  other:\n    image: a:1\n    environment: [HOST=redis-commander]\n"
            )
        }
    )
    graph = build_graph(project)
    assert graph.uses("web", "redis")
    assert not graph.uses("other", "redis")


def test_datastore_names_are_configurable(project_in: Load) -> None:
    project = project_in({"compose.yaml": "services:\n  x:\n    image: acme/ledgerdb:1\n"})
    service = project.services["x"]
    assert datastore_kind(service) is None
    assert datastore_kind(service, ["ledger"]) == "ledger"


def test_renderings(project_in: Load) -> None:
    graph = build_graph(project_in({"compose.yaml": PROJECT}))
    mermaid = to_mermaid(graph)
    assert mermaid.startswith("flowchart LR\n")
    assert 'svc_db[("db (postgres)")]:::datastore' in mermaid
    assert 'svc_proxy["proxy"]:::edge' in mermaid
    assert 'internet -->|"80->80/tcp"| svc_proxy' in mermaid
    assert 'net_back{{"back (internal)"}}' in mermaid
    assert "svc_sidecar -.->" in mermaid
    dot = to_dot(graph)
    assert dot.startswith('graph "') and dot.rstrip().endswith("}")
    assert '"svc:db" [label="db (postgres)", shape=cylinder];' in dot
    assert '"svc:proxy" [label="proxy", shape=box, color=red];' in dot
    assert dot.count("{") == dot.count("}")


def test_graph_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(tmp_path, {"compose.yaml": PROJECT})
    assert main(["graph", str(tmp_path)]) == 0
    assert "flowchart LR" in capsys.readouterr().out
    out = tmp_path / "g.dot"
    assert (
        main(["graph", "-f", str(tmp_path / "compose.yaml"), "--format", "dot", "-o", str(out)])
        == 0
    )
    assert out.read_text().startswith("graph ")


def test_graph_command_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / "awesome-compose" / "nginx-flask-mysql"
    assert main(["graph", str(folder)]) == 0
    out = capsys.readouterr().out
    assert 'svc_db[("db (mariadb)")]:::datastore' in out


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no compose.yaml"),
        ({"compose.yaml": "services: [\n"}, "compose.yaml:"),
        ({"compose.yaml": "services:\n  a:\n    image: ${X:?X is required}\n"}, "X is required"),
    ],
)
def test_graph_command_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], message: str
) -> None:
    write_files(tmp_path, files)
    assert main(["graph", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("seawall: error: ") and message in err
    assert "Traceback" not in err


def test_uses_by_secret_client_image_and_variable_names(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "services:\n"
                "  api:\n    image: a:1\n    ports: ['80:80']\n    secrets: [pw]\n"
                "  ui:\n    image: dpage/pgadmin4:8\n    ports: ['81:80']\n"
                "  app:\n    image: a:1\n    ports: ['82:80']\n    environment: [POSTGRES_DB=x]\n"
                "  proxy:\n    image: nginx:1.27\n    ports: ['83:80']\n"
                "  db:\n    image: postgres:16\n    secrets: [pw]\n"
                "secrets:\n  pw: {file: ./pw.txt}\n"
            )
        }
    )
    graph = build_graph(project)
    assert graph.uses("api", "db") and graph.share_secret("api", "db")
    assert graph.uses("ui", "db") and "postgres" in graph.client_of("ui")
    assert graph.uses("app", "db")
    assert not graph.uses("proxy", "db")
    report = check(project, "DC001")
    assert [f.message for f in report.findings] == [
        "internet-facing service 'proxy' can reach datastore 'db' (postgres) over network "
        "'default' but does not use it"
    ]
