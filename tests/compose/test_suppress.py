"""Inline pragmas in compose files, override files and env files silence Compose findings."""

from __future__ import annotations

from collections.abc import Callable

from compose_helpers import check

from seawall.parsers.compose import ComposeProject

Load = Callable[..., ComposeProject]


def test_seawall_and_peer_pragmas(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "services:\n"
                "  web:\n    image: nginx:1.27\n"
                "    # seawall: ignore=CR001 -- needed for the demo\n"
                "    privileged: true\n"
                "  db:\n    image: postgres:16\n"
                "    pid: host  # seawall: ignore=host-pid\n"
                "    # kics-scan ignore-line\n"
                "    network_mode: host\n"
                "  agent:\n    image: example/agent:1.0\n"
                "    volumes:\n"
                "      # seawall: ignore=docker_socket_mounted_in_container\n"
                "      - /var/run/docker.sock:/var/run/docker.sock\n"
                "      - /run/containerd/containerd.sock:/c.sock\n"
            )
        }
    )
    report = check(project, "CR001", "CR010", "CR011", "CR015")
    remaining = sorted((f.rule_id, f.message) for f in report.findings)
    assert remaining == [
        (
            "CR015",
            "service 'agent': mounts the container runtime socket "
            "'/run/containerd/containerd.sock'",
        )
    ]
    assert report.suppressed == 4


def test_pragma_in_an_env_file(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n",
            "db.env": (
                "# seawall: ignore=CR024 -- throwaway test database\nPGPASSWORD=x1\nTOKEN=abc\n"
            ),
        }
    )
    report = check(project, "CR024")
    assert [f.message for f in report.findings] == [
        "service 'db': TOKEN in env_file holds a literal secret (value not shown)"
    ]
    assert report.suppressed == 1
