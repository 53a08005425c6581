"""The Workload model filled from a compose service: values, locations, defaults, editors."""

from __future__ import annotations

from collections.abc import Callable

from seawall.parsers.compose import ComposeProject
from seawall.workload import Workload, from_compose_service, parse_bytes

Load = Callable[..., ComposeProject]

TEXT = """services:
  web:
    image: nginx:1.27
    user: "101"
    read_only: true
    cap_drop: [ALL]
    cap_add: [cap_net_bind_service]
    security_opt:
      - no-new-privileges:true
      - seccomp=unconfined
      - apparmor:unconfined
      - label:disable
    pid: host
    mem_limit: 256m
    deploy:
      resources:
        limits:
          cpus: "0.5"
          pids: 64
      restart_policy:
        condition: on-failure
        max_attempts: 3
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
    ports: ["127.0.0.1:8080:80"]
    sysctls: {net.ipv4.ip_forward: 1}
    healthcheck:
      test: ["CMD", "true"]
  bare:
    image: busybox:1.36
"""


def workloads(project_in: Load) -> tuple[ComposeProject, Workload, Workload]:
    project = project_in({"compose.yaml": TEXT})
    web = from_compose_service(project.services["web"], project)
    bare = from_compose_service(project.services["bare"], project)
    return project, web, bare


def test_values(project_in: Load) -> None:
    _project, web, _bare = workloads(project_in)
    assert web.kind == "compose-service" and web.name == "web"
    assert web.user.value == "101"
    assert web.read_only_rootfs.value is True
    assert [c.value for c in web.cap_drop.value] == ["ALL"]
    assert [c.value for c in web.cap_add.value] == ["NET_BIND_SERVICE"]
    assert web.no_new_privileges.value is True
    assert web.seccomp.value == "unconfined"
    assert web.apparmor.value == "unconfined"
    assert [label.value for label in web.selinux.value] == ["disable"]
    assert web.host_pid.value is True and web.host_network.value is False
    assert web.memory.value == 256 * 1024 * 1024
    assert web.cpus.value == 0.5
    assert web.pids.value == 64
    assert web.restart.value.name == "on-failure" and web.restart.value.max_attempts == 3
    mount = web.mounts.value[0].value
    assert (mount.type, mount.source, mount.read_only) == ("bind", "/var/run/docker.sock", True)
    port = web.ports.value[0].value
    assert not port.all_interfaces and list(port.host_ports()) == [8080]
    assert [(s.value.name, s.value.value) for s in web.sysctls.value] == [
        ("net.ipv4.ip_forward", "1")
    ]
    assert web.healthcheck.value is not None and not web.healthcheck.value.disabled


def test_explicit_values_are_located_from_their_key(project_in: Load) -> None:
    project, web, _bare = workloads(project_in)
    source = project.sources["compose.yaml"]
    assert web.user.explicit
    assert web.user.location.span is not None
    assert source.slice(web.user.location.span) == 'user: "101"'
    editor = web.user.editor
    assert editor is not None and editor.key == "user"
    assert editor.key_span is not None and source.slice(editor.key_span) == "user"
    assert editor.value_span is not None and source.slice(editor.value_span) == '"101"'
    assert editor.parent_indent == 4 and not editor.parent_flow


def test_missing_keys_are_defaults_located_at_the_service(project_in: Load) -> None:
    project, _web, bare = workloads(project_in)
    source = project.sources["compose.yaml"]
    for field in (
        bare.user,
        bare.read_only_rootfs,
        bare.memory,
        bare.no_new_privileges,
        bare.cap_drop,
    ):
        assert not field.explicit
        assert field.location.span is not None
        assert source.slice(field.location.span) == "bare"
    assert bare.privileged.value is False and bare.read_only_rootfs.value is False
    assert bare.user.value is None and bare.memory.value is None
    editor = bare.read_only_rootfs.editor
    assert editor is not None and editor.key_span is None and editor.value_span is None
    assert source.position(editor.parent_span.start).line == 30  # the `image:` line of bare
    assert editor.parent_indent == 4
    assert [n.value for n in bare.networks.value] == ["default"]


def test_parse_bytes() -> None:
    assert parse_bytes("512m") == 512 * 1024**2
    assert parse_bytes("1G") == 1024**3
    assert parse_bytes("1.5gb") == int(1.5 * 1024**3)
    assert parse_bytes("2048") == 2048
    assert parse_bytes("lots") is None


def test_build_facts_from_the_services_dockerfile(project_in: Load) -> None:
    from compose_helpers import check

    project = project_in(
        {
            "compose.yaml": (
                "services:\n"
                "  app:\n    build: ./app\n"
                "  rooted:\n    build:\n      context: ./rooted\n      dockerfile: Containerfile\n"
                "  staged:\n    build:\n      context: ./staged\n      target: dev\n"
                "  inline:\n    build:\n      dockerfile_inline: |\n        FROM busybox:1.36\n"
                "        USER 65534\n"
            ),
            "app/Dockerfile": (
                "FROM python:3.12-slim\nUSER 10001\nHEALTHCHECK CMD python -c 'print(1)'\n"
            ),
            "rooted/Containerfile": "FROM debian:12\nUSER root\n",
            "staged/Dockerfile": "FROM debian:12 AS dev\nFROM debian:12 AS prod\nUSER 10001\n",
        }
    )
    report = check(project, "CR002", "CR027")
    found = sorted((f.rule_id, f.message) for f in report.findings)
    assert found == [
        ("CR002", "service 'rooted': no 'user:' set and the image's user is root: it runs as root"),
        (
            "CR002",
            "service 'staged': no 'user:' set and the image's user is unknown: it runs as root",
        ),
        ("CR027", "service 'inline': no healthcheck"),
        ("CR027", "service 'rooted': no healthcheck"),
        ("CR027", "service 'staged': no healthcheck"),
    ]
