"""Differential test: Debian's ``docker-compose config`` (1.29.2) and seawall's loader agree on the
merged model of each example (the fields both implement the same way).

docker-compose 1.x predates parts of the Compose Specification, so fields where the two
legitimately differ are not compared: ``ports`` merging (1.x concatenates, the spec merges by a
unique key), the ``!reset``/``!override`` tags, ``healthcheck.test`` normalisation, and profile
selection (1.x ``config`` prints inactive services too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from compose_helpers import CORPUS, write_files

from seawall.parsers.compose import ComposeProject, LoadOptions, load_project
from seawall.parsers.compose_syntax import VolumeSpec
from seawall.parsers.yamldoc import to_python

DOCKER_COMPOSE = shutil.which("docker-compose")


@pytest.fixture(autouse=True)
def _docker_compose_present() -> None:
    """Skip without Debian's docker-compose locally; under ``CI=true`` its absence fails."""
    if DOCKER_COMPOSE is None:
        from harness.availability import unavailable

        unavailable("docker-compose is not installed (apt-get install docker-compose)")


ENVIRON = {"FROM_PROCESS": "proc-value", "TAG": "1.27"}

EXAMPLES: dict[str, dict[str, str]] = {
    "override": {
        "compose.yaml": (
            "services:\n  web:\n    image: nginx:1.25\n    command: [nginx, -g, 'daemon off;']\n"
            "    environment: [A=1, B=2]\n    volumes: ['./a:/data', 'logs:/logs']\n"
            "    networks: [front]\n    cap_add: [CHOWN]\n    labels: {team: a}\n"
            "  db:\n    image: postgres:16\n    networks: [back]\n"
            "networks: {front: {}, back: {}}\nvolumes: {logs: {}}\n"
        ),
        "compose.override.yaml": (
            "services:\n  web:\n    image: nginx:1.27\n    command: [nginx]\n"
            "    environment: {B: '3', C: '4'}\n    volumes: ['./b:/data:ro']\n"
            "    networks: [back]\n    cap_add: [NET_ADMIN]\n    labels: {owner: b}\n"
            "    user: '1000'\n    read_only: true\n"
        ),
    },
    "interpolation": {
        "compose.yaml": (
            "services:\n  app:\n    image: 'example/app:${TAG:-1.0}'\n"
            "    environment:\n      FROM_DOTENV: ${DOTENV_VAR}\n"
            "      DEFAULTED: ${NOPE:-fallback}\n"
            "      EMPTY_DEFAULT: ${NOPE-}\n      PROC: $FROM_PROCESS\n      ESCAPED: $$HOME\n"
            "      INHERITED:\n    user: ${UID_VALUE:-1000}:${GID_VALUE:-1000}\n"
        ),
        ".env": "DOTENV_VAR=from-dotenv\nUID_VALUE=2000\nTAG=from-dotenv-but-process-wins\n",
    },
    "anchors": {
        "compose.yaml": (
            "x-defaults: &defaults\n  restart: on-failure\n  read_only: true\n"
            "  environment: &env\n    SHARED: 'yes'\n"
            "services:\n  a:\n    <<: *defaults\n    image: a:1\n"
            "  b:\n    <<: *defaults\n    image: b:1\n    read_only: false\n"
            "    environment:\n      <<: *env\n      OWN: '1'\n"
        ),
    },
    "extends": {
        "compose.yaml": (
            "services:\n  base:\n    image: app:1\n    environment: [A=1]\n    cap_drop: [ALL]\n"
            "  web:\n    extends: {service: base}\n    environment: [B=2]\n    user: '10'\n"
            "  worker:\n    extends: {file: common.yaml, service: shared}\n    command: work\n"
        ),
        "common.yaml": (
            "services:\n  shared:\n    image: shared:2\n    privileged: true\n"
            "    environment: {S: s}\n"
        ),
    },
    "profiles": {
        "compose.yaml": (
            "services:\n  web:\n    image: a:1\n"
            "  debug:\n    image: b:1\n    profiles: [debug]\n"
            "  tools:\n    image: c:1\n    profiles: [tools]\n"
        ),
    },
    "ports_secrets_paths": {
        "compose.yaml": (
            "services:\n  web:\n    image: nginx:${TAG?need a tag}\n    ports:\n"
            "      - '8080:80'\n      - '127.0.0.1:8443:443/tcp'\n      - '[::1]:9000:9000'\n"
            "      - {target: 53, published: 5353, protocol: udp}\n      - '3000'\n"
            "    volumes:\n"
            "      - {type: bind, source: ./site, target: /usr/share/nginx/html, read_only: true}\n"
            "      - data:/data:ro\n      - /var/run/docker.sock:/var/run/docker.sock\n"
            "    secrets: [db_pw, {source: api, target: api_key}]\n"
            "    environment:\n      MODE: ${MODE-dev}\n      EMPTY: ${UNSET_X:-}\n"
            "    env_file: sub/app.env\n"
            "  worker:\n    extends: {file: sub/common.yaml, service: base}\n"
            "secrets:\n  db_pw: {file: ./db_pw.txt}\n  api: {file: ./api.txt}\n"
            "volumes: {data: {}}\n"
        ),
        "sub/app.env": "FROM_FILE=1\n",
        # extends from another folder: its relative paths resolve against that folder.
        "sub/common.yaml": (
            "services:\n  base:\n    image: busybox:1.36\n    env_file: app.env\n"
            "    volumes: ['./local:/x']\n"
        ),
        "db_pw.txt": "",
        "api.txt": "",
    },
    "env_file": {
        "compose.yaml": (
            "services:\n  web:\n    image: a:1\n    env_file: [web.env]\n"
            "    environment: {OVERRIDDEN: from-compose}\n"
        ),
        "web.env": "# comment\nPLAIN=1\nOVERRIDDEN=from-file\nQUOTED='single'\n",
    },
}


def _compose_config(files: list[Path], cwd: Path, profiles: tuple[str, ...] = ()) -> Any:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), **ENVIRON}
    args = [str(DOCKER_COMPOSE)]
    for f in files:
        args += ["-f", str(f)]
    for p in profiles:
        args += ["--profile", p]
    done = subprocess.run(
        [*args, "config"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        return None
    return yaml.safe_load(done.stdout)


def _normal_env(value: Any, unescape: bool = False) -> dict[str, str]:
    """A mapping of strings; unset (null) variables are dropped, as at run time."""
    if value is None:
        return {}
    if isinstance(value, list):
        value = dict(item.split("=", 1) if "=" in item else (item, None) for item in value)
    out = {str(k): str(v) for k, v in value.items() if v is not None}
    # `docker-compose config` re-escapes '$' so that its output can be loaded again.
    return {k: v.replace("$$", "$") for k, v in out.items()} if unescape else out


def _docker_port(entry: Any) -> tuple[str | None, str | None, str, str]:
    """(host_ip, published, target, protocol) of a port as ``docker-compose config`` prints it
    (long syntax, or short syntax with an unbracketed IPv6 address)."""
    if isinstance(entry, dict):
        published = entry.get("published")
        return (
            entry.get("host_ip"),
            None if published is None else str(published),
            str(entry["target"]),
            entry.get("protocol", "tcp"),
        )
    text, _, protocol = str(entry).partition("/")
    parts = text.rsplit(":", 2)
    ip = parts[0] if len(parts) == 3 else None
    published = parts[-2] if len(parts) >= 2 else None
    return ip, published, parts[-1], protocol or "tcp"


def _comparable_docker(service: dict[str, Any]) -> dict[str, Any]:
    volumes = {}
    for v in service.get("volumes") or []:
        if isinstance(v, dict):
            volumes[v["target"]] = (v.get("source"), bool(v.get("read_only")))
        else:
            parts = v.split(":")
            target = parts[1] if len(parts) > 1 else parts[0]
            source = parts[0] if len(parts) > 1 else None
            volumes[target] = (source, len(parts) > 2 and "ro" in parts[2].split(","))
    command = service.get("command")
    return {
        "image": service.get("image"),
        "command": command if isinstance(command, list) or command is None else [command],
        "environment": _normal_env(service.get("environment"), unescape=True),
        "user": None if service.get("user") is None else str(service.get("user")),
        "volumes": volumes,
        "networks": []
        if "network_mode" in service
        else sorted(service.get("networks") or ["default"]),
        "cap_add": sorted(service.get("cap_add") or []),
        "cap_drop": sorted(service.get("cap_drop") or []),
        "privileged": bool(service.get("privileged")),
        "read_only": bool(service.get("read_only")),
        "restart": service.get("restart"),
        "labels": _normal_env(service.get("labels")),
        "ports": sorted((_docker_port(p) for p in service.get("ports") or []), key=repr),
        "secrets": sorted(
            (s["source"], s.get("target", s["source"])) if isinstance(s, dict) else (s, s)
            for s in service.get("secrets") or []
        ),
    }


def _seawall_source(project: ComposeProject, volume: VolumeSpec, home: Path) -> str | None:
    """A bind source resolved as Compose does: ``~`` is the user's home, a relative path is
    relative to the folder of the file it is written in."""
    if volume.source == "":
        return "."  # an unset ${VAR} leaves an empty source; docker-compose 1.x prints "."
    if volume.source is None or volume.type != "bind":
        return volume.source
    if volume.source.startswith("/"):
        return os.path.normpath(volume.source)
    if volume.source.startswith("~"):
        return os.path.normpath(str(home) + volume.source[1:])
    return os.path.normpath(project.base_dir(volume.origin).resolve() / volume.source)


def _comparable_seawall(project: ComposeProject, name: str, home: Path) -> dict[str, Any]:
    service = project.services[name]
    node = to_python(service.node)
    command = node.get("command")
    return {
        "image": service.image,
        "command": command if isinstance(command, list) or command is None else command.split(),
        "environment": {v.name: v.value for v in service.environment},
        "user": None if node.get("user") is None else str(node.get("user")),
        "volumes": {
            v.target: (_seawall_source(project, v, home), v.read_only) for v in service.volumes
        },
        "networks": sorted(n.name for n in service.networks),
        "cap_add": sorted(node.get("cap_add") or []),
        "cap_drop": sorted(node.get("cap_drop") or []),
        "privileged": bool(node.get("privileged")),
        "read_only": bool(node.get("read_only")),
        "restart": node.get("restart"),
        "labels": _normal_env(node.get("labels")),
        "ports": sorted(
            ((p.host_ip, p.published, p.target, p.protocol) for p in service.ports), key=repr
        ),
        "secrets": sorted(
            (f.source, f.target.removeprefix("/run/secrets/")) for f in service.secrets
        ),
    }


def _agree(files: list[Path], cwd: Path, profiles: tuple[str, ...] = ()) -> int:
    expected = _compose_config(files, cwd, profiles)
    assert expected is not None, "docker-compose config failed on the example"
    project = load_project(files, LoadOptions(environ=ENVIRON, profiles=profiles))
    assert sorted(project.services) == sorted(expected["services"])
    for name, service in expected["services"].items():
        theirs = _comparable_docker(service)
        ours = _comparable_seawall(project, name, cwd)
        if isinstance(service.get("command"), str):
            theirs["command"] = service["command"].split()
        assert ours == theirs, name
    return len(project.services)


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_examples_agree_with_docker_compose(example: str, tmp_path: Path) -> None:
    files = EXAMPLES[example]
    write_files(tmp_path, files)
    names = [n for n in ("compose.yaml", "compose.override.yaml") if n in files]
    # docker-compose 1.x `config` prints every service whatever the profiles: compare with all
    # profiles enabled (profile selection itself is covered in test_loader).
    profiles = ("debug", "tools") if example == "profiles" else ()
    assert _agree([tmp_path / n for n in names], tmp_path, profiles) >= 1


@pytest.mark.slow
def test_corpus_files_agree_with_docker_compose() -> None:
    compared = 0
    for path in sorted(CORPUS.glob("*/*/compose.y*ml")):
        if _compose_config([path], path.parent) is None:
            continue  # docker-compose 1.x refuses it (e.g. a missing build context)
        compared += _agree([path], path.parent)
    assert compared >= 10, f"only {compared} corpus services could be compared"
