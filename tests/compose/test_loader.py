"""The Compose loader against the Compose Specification: discovery, merging, interpolation,
extends, profiles, env files, short/long syntax, and clear errors for bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from compose_helpers import write_files

from seawall.errors import ParseError, SourceError
from seawall.parsers.compose import (
    MAX_SERVICES,
    ComposeProject,
    LoadOptions,
    default_files,
    discover_projects,
    load_project,
)
from seawall.parsers.yamldoc import to_python

Load = Callable[..., ComposeProject]


def service(project: ComposeProject, name: str) -> dict[str, object]:
    data = to_python(project.services[name].node)
    assert isinstance(data, dict)
    return data


def line_of(project: ComposeProject, origin_path: str, start: int) -> int:
    return project.sources[origin_path].position(start).line


# ---------------------------------------------------------------- discovery


def test_default_files_prefer_compose_yaml_and_pick_its_override(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "docker-compose.yml": "services: {}\n",
            "compose.yaml": "services: {}\n",
            "compose.override.yml": "services: {}\n",
            "docker-compose.prod.yml": "services: {}\n",
        },
    )
    assert [p.name for p in default_files(tmp_path)] == ["compose.yaml", "compose.override.yml"]
    projects = discover_projects(tmp_path)
    assert [[p.name for p in files] for files in projects] == [
        ["compose.yaml", "compose.override.yml"],
        ["docker-compose.yml"],
        ["compose.yaml", "docker-compose.prod.yml"],
    ]


# ---------------------------------------------------------------- merging


BASE = """services:
  web:
    image: nginx:1.25
    command: ["nginx", "-g", "daemon off;"]
    dns: 1.1.1.1
    environment:
      - A=1
      - B=2
    ports:
      - "8080:80"
      - "127.0.0.1:9090:90"
    volumes:
      - ./a:/data
      - logs:/logs
    networks: [front]
    healthcheck:
      test: ["CMD", "a"]
      interval: 10s
    labels: {team: a}
networks:
  front:
  back:
volumes:
  logs:
"""
OVERRIDE = """services:
  web:
    image: nginx:1.27
    command: ["nginx"]
    dns: [8.8.8.8]
    environment:
      B: "3"
      C: "4"
    ports:
      - "8080:80"
      - "8443:443"
    volumes:
      - ./b:/data:ro
    networks:
      back:
        aliases: [w]
    healthcheck:
      test: ["CMD", "b"]
    labels: {owner: b}
"""


def test_override_merge_follows_the_spec(project_in: Load) -> None:
    project = project_in(
        {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE},
        names=["compose.yaml", "compose.override.yaml"],
    )
    web = service(project, "web")
    assert web["image"] == "nginx:1.27"  # scalars: the later file wins
    assert web["command"] == ["nginx"]  # shell commands are replaced, not appended
    assert web["dns"] == ["1.1.1.1", "8.8.8.8"]  # sequences append
    assert web["environment"] == {"A": "1", "B": "3", "C": "4"}  # list and map syntax merge
    assert web["healthcheck"] == {"test": ["CMD", "b"], "interval": "10s"}
    assert web["labels"] == {"team": "a", "owner": "b"}
    ports = project.services["web"].ports
    assert [(p.host_ip, p.published, p.target) for p in ports] == [
        (None, "8080", "80"),
        ("127.0.0.1", "9090", "90"),
        (None, "8443", "443"),
    ]
    volumes = project.services["web"].volumes
    assert [(v.source, v.target, v.read_only) for v in volumes] == [
        ("./b", "/data", True),  # unique by target: the override's entry replaces the base's
        ("logs", "/logs", False),
    ]
    assert [n.name for n in project.services["web"].networks] == ["front", "back"]
    assert project.services["web"].networks[1].aliases == ("w",)


def test_merged_values_keep_the_file_and_line_they_were_written_in(project_in: Load) -> None:
    project = project_in(
        {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE},
        names=["compose.yaml", "compose.override.yaml"],
    )
    web = project.services["web"].node
    image = web.get("image")
    assert image is not None
    assert image.origin.path == "compose.override.yaml"
    assert line_of(project, image.origin.path, image.origin.span.start) == 3
    labels = web.get("labels")
    assert labels is not None
    assert labels.origin.path == "compose.yaml"
    env = {v.name: v for v in project.services["web"].environment}
    assert env["A"].origin.path == "compose.yaml"
    assert line_of(project, "compose.yaml", env["A"].origin.span.start) == 7
    assert env["C"].origin.path == "compose.override.yaml"


def test_reset_and_override_tags(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": BASE,
            "compose.override.yaml": (
                "services:\n  web:\n    dns: !reset []\n    labels: !override {only: me}\n"
            ),
        },
        names=["compose.yaml", "compose.override.yaml"],
    )
    web = service(project, "web")
    assert "dns" not in web
    assert web["labels"] == {"only": "me"}


def test_override_can_add_services_and_top_level_objects(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": "services:\n  a:\n    image: x:1\n",
            "o.yaml": (
                "services:\n  b:\n    image: y:1\n    networks: [n]\n"
                "networks:\n  n:\n    internal: true\n"
            ),
        },
        names=["compose.yaml", "o.yaml"],
    )
    assert sorted(project.services) == ["a", "b"]
    assert project.networks["n"].internal
    assert "default" in project.networks


# ---------------------------------------------------------------- interpolation


def test_dotenv_and_process_environment(project_in: Load) -> None:
    files = {
        "compose.yaml": "services:\n  web:\n    image: nginx:${TAG}\n    user: ${USER_ID:-1000}\n",
        ".env": "TAG=1.25\nUSER_ID=2000\n",
    }
    project = project_in(files)
    assert service(project, "web") == {"image": "nginx:1.25", "user": "2000"}
    project = project_in(files, environ={"TAG": "1.27"})
    assert service(project, "web")["image"] == "nginx:1.27"  # the process environment wins


def test_env_file_option_replaces_dotenv(project_in: Load, tmp_path: Path) -> None:
    write_files(tmp_path, {"other.env": "TAG=9\n"})
    project = project_in(
        {"compose.yaml": "services:\n  web:\n    image: nginx:${TAG}\n", ".env": "TAG=1\n"},
        env_files=(tmp_path / "other.env",),
    )
    assert service(project, "web")["image"] == "nginx:9"


def test_missing_required_variable_is_an_error_with_its_line(project_in: Load) -> None:
    with pytest.raises(ParseError) as info:
        project_in({"compose.yaml": "services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n"})
    assert info.value.line == 3
    assert "required variable IMAGE is missing a value: set IMAGE" in str(info.value)


def test_dollar_escape(project_in: Load) -> None:
    project = project_in(
        {"compose.yaml": "services:\n  web:\n    image: a:1\n    command: echo $$HOME\n"}
    )
    assert service(project, "web")["command"] == "echo $HOME"


# ---------------------------------------------------------------- extends


def test_extends_same_file_and_other_file(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "services:\n"
                "  base:\n    image: app:1\n    environment: [A=1]\n    cap_drop: [ALL]\n"
                "  web:\n    extends: base\n    environment: [B=2]\n"
                "  worker:\n    extends:\n      file: common/common.yaml\n      service: shared\n"
            ),
            "common/common.yaml": (
                "services:\n  shared:\n    image: shared:2\n    env_file: shared.env\n"
                "    read_only: true\n"
            ),
            "common/shared.env": "FROM_SHARED=yes\n",
        }
    )
    web = service(project, "web")
    assert web["image"] == "app:1"
    assert web["environment"] == {"A": "1", "B": "2"}
    assert web["cap_drop"] == ["ALL"]
    worker = project.services["worker"]
    assert worker.image == "shared:2"
    # env_file of the extended service resolves relative to the file that declares it
    assert {v.name: v.value for v in worker.environment} == {"FROM_SHARED": "yes"}
    read_only = worker.node.get("read_only")
    assert read_only is not None and read_only.origin.path == "common/common.yaml"


def test_extends_cycle_is_an_error(project_in: Load) -> None:
    with pytest.raises(ParseError, match="extends cycle: a -> b -> a") as info:
        project_in(
            {
                "compose.yaml": (
                    "services:\n  a:\n    image: x:1\n    extends: b\n"
                    "  b:\n    image: x:1\n    extends: a\n"
                )
            }
        )
    assert info.value.line is not None


@pytest.mark.parametrize(
    ("extends", "message"),
    [
        ("missing", "service 'missing' not found"),
        ("{service: s, file: nope.yaml}", "extends file no such file"),
        ("{file: other.yaml}", "extends needs 'service'"),
    ],
)
def test_extends_errors(project_in: Load, extends: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        project_in({"compose.yaml": f"services:\n  a:\n    image: x:1\n    extends: {extends}\n"})
    assert info.value.line == 4


# ---------------------------------------------------------------- profiles


PROFILED = (
    "services:\n  web:\n    image: a:1\n"
    "  debug:\n    image: b:1\n    profiles: [debug]\n"
    "  tools:\n    image: c:1\n    profiles: [tools, debug]\n"
)


def test_profiles(project_in: Load) -> None:
    assert sorted(project_in({"compose.yaml": PROFILED}).services) == ["web"]
    enabled = project_in({"compose.yaml": PROFILED}, profiles=("tools",))
    assert sorted(enabled.services) == ["tools", "web"]
    assert enabled.inactive_services == ("debug",)
    from_env = project_in({"compose.yaml": PROFILED}, environ={"COMPOSE_PROFILES": "debug"})
    assert sorted(from_env.services) == ["debug", "tools", "web"]


# ---------------------------------------------------------------- env files


def test_env_file_and_environment_precedence(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "services:\n  web:\n    image: a:1\n"
                "    env_file: [one.env, {path: opt.env, required: false}]\n"
                "    environment:\n      A: from-environment\n      INHERIT:\n"
            ),
            "one.env": "A=from-file\nB=from-file\n",
        },
        environ={"INHERIT": "from-process"},
    )
    env = {v.name: (v.value, v.source) for v in project.services["web"].environment}
    assert env == {
        "A": ("from-environment", "environment"),
        "B": ("from-file", "env_file"),
        "INHERIT": ("from-process", "environment"),
    }


def test_unreadable_env_file_is_an_error_at_its_line(project_in: Load) -> None:
    with pytest.raises(ParseError, match=r"env_file 'missing\.env': no such file") as info:
        project_in(
            {"compose.yaml": "services:\n  web:\n    image: a:1\n    env_file: missing.env\n"}
        )
    assert info.value.line == 4


# ---------------------------------------------------------------- syntax


def test_port_and_volume_syntax(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "services:\n  web:\n    image: a:1\n    ports:\n"
                "      - 3000\n      - 8000-8010:8000-8010\n      - '[::1]:53:53/udp'\n"
                "      - ::1:54:54\n"
                "      - {target: 80, published: '8080', host_ip: 10.0.0.1, protocol: tcp}\n"
                "    volumes:\n      - /anon\n      - named:/n:ro\n      - ./rel:/r:rw,z\n"
                "      - C:\\data:/win\n"
                "      - {type: bind, source: /h, target: /t, bind: {propagation: rshared}}\n"
                "    secrets: [s1, {source: s2, target: custom}]\n"
                "volumes:\n  named:\nsecrets:\n  s1: {file: ./s1}\n  s2: {environment: S2}\n"
            )
        }
    )
    web = project.services["web"]
    assert [(p.host_ip, p.published, p.target, p.protocol) for p in web.ports] == [
        (None, None, "3000", "tcp"),
        (None, "8000-8010", "8000-8010", "tcp"),
        ("::1", "53", "53", "udp"),
        ("::1", "54", "54", "tcp"),
        ("10.0.0.1", "8080", "80", "tcp"),
    ]
    assert [(v.type, v.source, v.target, v.read_only, v.propagation) for v in web.volumes] == [
        ("volume", None, "/anon", False, None),
        ("volume", "named", "/n", True, None),
        ("bind", "./rel", "/r", False, None),
        ("bind", "C:\\data", "/win", False, None),
        ("bind", "/h", "/t", False, "rshared"),
    ]
    assert [(s.source, s.target) for s in web.secrets] == [
        ("s1", "/run/secrets/s1"),
        ("s2", "/run/secrets/custom"),
    ]
    assert project.secrets["s1"].kind == "file" and project.secrets["s2"].kind == "environment"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("- a\n- b\n", "top-level must be a mapping, not a list", 1),
        ("just text\n", "top-level must be a mapping, not a str", 1),
        ("services:\n  web:\n    image: a:1\nwhatever: 1\n", "unknown top-level key 'whatever'", 4),
        (
            "services:\n  web:\n    image: a:1\n    imagee: b\n",
            "service 'web': unknown key 'imagee'",
            4,
        ),
        ("services:\n  web: nginx\n", "service 'web' must be a mapping", 2),
        ("services:\n  web:\n    restart: always\n", "neither an image nor a build", 2),
        ("services: [a]\n", "'services' must be a mapping", 1),
        ("services:\n  web:\n    image: a:1\n    ports: ['99999:80']\n", "invalid host port", 4),
        (
            "services:\n  web:\n    image: a:1\n    deploy:\n      resources:\n"
            "        limits: {memroy: 512m}\n",
            "service 'web': unknown key 'memroy' in deploy.resources.limits",
            6,
        ),
        (
            "services:\n  web:\n    image: a:1\n    volumes:\n"
            "      - {type: bind, source: ./x, target: /x, readonly: true}\n",
            "service 'web': unknown key 'readonly' in volumes entry",
            5,
        ),
        (
            "services:\n  web:\n    image: a:1\nnetworks:\n  back:\n    internl: true\n",
            "network 'back': unknown key 'internl'",
            6,
        ),
        (
            "services:\n  web:\n    image: a:1\n    healthcheck:\n      test: [CMD, x]\n"
            "      intervall: 5s\n",
            "service 'web': unknown key 'intervall' in healthcheck",
            6,
        ),
        (
            "services:\n  web:\n    image: a:1\n    ports:\n      - '::80:80'\n",
            "invalid host IP address ':'",
            5,
        ),
        (
            "services:\n  web:\n    image: a:1\n    ports:\n"
            "      - {target: 80, published: 80, host_ip: localhost}\n",
            "invalid host IP address 'localhost'",
            5,
        ),
        (
            "services:\n  web:\n    image: a:1\n    networks: [nope]\n",
            "undefined network 'nope'",
            4,
        ),
        (
            "services:\n  web:\n    image: a:1\n    volumes: ['data:/b:bogus']\n",
            "unknown volume mode",
            4,
        ),
    ],
)
def test_bad_input_errors(project_in: Load, text: str, message: str, line: int) -> None:
    with pytest.raises(ParseError, match=message) as info:
        project_in({"compose.yaml": text})
    assert info.value.line == line


def test_extension_keys_are_allowed(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "x-common: &c {image: a:1}\nservices:\n  web:\n    <<: *c\n    x-note: hi\n"
            )
        }
    )
    assert project.services["web"].image == "a:1"


def test_empty_file_is_an_error(project_in: Load) -> None:
    with pytest.raises(ParseError, match="empty compose file"):
        project_in({"compose.yaml": "# nothing here\n"})


def test_too_many_services(tmp_path: Path) -> None:
    count = 10_000
    text = "services:\n" + "".join(f"  s{i}:\n    image: a:1\n" for i in range(count))
    write_files(tmp_path, {"compose.yaml": text})
    with pytest.raises(
        ParseError, match=f"too many services \\({count}; the limit is {MAX_SERVICES}\\)"
    ):
        load_project([tmp_path / "compose.yaml"], LoadOptions(environ={}))


def test_missing_compose_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load_project([tmp_path / "compose.yaml"], LoadOptions(environ={}))


# ---------------------------------------------------------------- include


def test_include_adds_resources_relative_to_the_included_file(project_in: Load) -> None:
    project = project_in(
        {
            "compose.yaml": (
                "include:\n  - db/compose.yaml\n"
                "services:\n  web:\n    image: a:1\n    depends_on: [db]\n    networks: [back]\n"
            ),
            "db/compose.yaml": (
                "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n"
                "    networks: [back]\nnetworks:\n  back:\n    internal: true\n"
            ),
            "db/db.env": "POSTGRES_DB=app\n",
        }
    )
    assert sorted(project.services) == ["db", "web"]
    assert project.networks["back"].internal
    db = project.services["db"]
    assert [(v.name, v.origin.path) for v in db.environment] == [("POSTGRES_DB", "db/db.env")]
    image = db.node.get("image")
    assert image is not None and image.origin.path == "db/compose.yaml"


def test_include_conflict_and_cycle_are_errors(project_in: Load) -> None:
    with pytest.raises(ParseError, match="service 'web' is also defined by include"):
        project_in(
            {
                "compose.yaml": "include: [other.yaml]\nservices:\n  web:\n    image: a:1\n",
                "other.yaml": "services:\n  web:\n    image: b:1\n",
            }
        )
    with pytest.raises(ParseError, match="include cycle"):
        project_in(
            {
                "compose.yaml": "include: [other.yaml]\nservices:\n  web:\n    image: a:1\n",
                "other.yaml": "include: [compose.yaml]\nservices:\n  x:\n    image: b:1\n",
            }
        )
    with pytest.raises(ParseError, match=r"include 'gone\.yaml': no such file"):
        project_in({"compose.yaml": "include: [gone.yaml]\nservices:\n  web:\n    image: a:1\n"})
