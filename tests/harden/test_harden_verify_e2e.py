"""``seawall harden --verify`` on a real Docker engine with Debian's docker-compose."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from harden_helpers import DEMO, PROJECTS, copy_project, seawall, tree

from harness.daemon import DockerDaemon
from seawall.harden.plan import BACKED_OUT_REASON

SERVICES = ("web", "worker", "store")


def _leftover_verify_projects(client: Any) -> set[str]:
    labels = [
        (c.labels or {}).get("com.docker.compose.project", "")
        for c in client.containers.list(all=True)
    ]
    networks = [n.name for n in client.networks.list()]
    return {p for p in labels + networks if p.startswith("seawall-verify-")}


def _compose(dockerd: DockerDaemon, project: Path, name: str, *args: str) -> None:
    subprocess.run(
        ["docker-compose", "--compatibility", "-p", name, *args],
        cwd=project,
        env=dockerd.env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )


def _wait_healthy(client: Any, name: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.time() + timeout
    while True:
        found = {
            c.labels["com.docker.compose.service"]: c.attrs
            for c in client.containers.list(
                all=True, filters={"label": f"com.docker.compose.project={name}"}
            )
        }
        health = {s: found[s]["State"].get("Health", {}).get("Status") for s in found}
        if set(found) == set(SERVICES) and all(h == "healthy" for h in health.values()):
            return found
        assert time.time() < deadline, f"not healthy in time: {health}"
        time.sleep(0.5)
        for c in client.containers.list(filters={"label": f"com.docker.compose.project={name}"}):
            c.reload()


def test_demo_is_hardened_verified_and_confined(
    tmp_path: Path, dockerd: DockerDaemon, demo_base_image: str, compose_cli: str
) -> None:
    project = copy_project(DEMO, tmp_path)
    env = {"DOCKER_HOST": dockerd.docker_host, "BASE_IMAGE": demo_base_image}
    proc = seawall("harden", str(project), "--verify", "--no-config", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "verify: 2 bring-up(s) of the project" in out
    for service in SERVICES:
        row = next(
            line for line in out.splitlines() if line.startswith(f"{service} ") and "->" in line
        )
        original, hardened = row.split("->")
        assert "running, healthy" in original and "running, healthy" in hardened
    assert "BROKEN" not in out
    assert "hardened: 4 file(s) written" in out
    client = dockerd.client()
    assert _leftover_verify_projects(client) == set()

    # Independently of seawall: bring the written project up and inspect its containers.
    name = f"harden-e2e-{uuid.uuid4().hex[:8]}"
    try:
        _compose(dockerd, project, name, "up", "-d", "--build")
        containers = _wait_healthy(client, name)
        for service, attrs in containers.items():
            host = attrs["HostConfig"]
            assert attrs["Config"]["User"].split(":")[0] not in ("", "0", "root"), service
            assert host["ReadonlyRootfs"] is True, service
            assert "ALL" in host["CapDrop"], service
            assert "no-new-privileges:true" in host["SecurityOpt"], service
            assert host["Memory"] > 0 and host["NanoCpus"] > 0 and host["PidsLimit"] > 0, service
            uid = client.containers.get(attrs["Id"]).exec_run(["id", "-u"]).output.strip()
            assert uid == b"10001", service
    finally:
        _compose(dockerd, project, name, "down", "-v", "--rmi", "local", "-t", "2")


def test_keep_working_backs_out_exactly_the_breaking_change(
    tmp_path: Path, dockerd: DockerDaemon, busybox_image: str, compose_cli: str
) -> None:
    project = copy_project(PROJECTS / "breaking", tmp_path)
    env = {"DOCKER_HOST": dockerd.docker_host, "BASE_IMAGE": busybox_image}
    proc = seawall("harden", str(project), "--verify", "--keep-working", "--no-config", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "BROKEN recorder" in out
    culprits = out.split("changes that broke it:\n", 1)[1].split("\n")
    assert culprits[0].startswith("  recorder: CR003 ")
    assert not culprits[1].startswith("  ")  # exactly one change backed out
    assert "the project works" in out
    compose = (project / "docker-compose.yml").read_text()
    assert f"  # seawall: ignore=CR003 -- {BACKED_OUT_REASON}\n  recorder:" in compose
    assert "    read_only:" not in compose
    for kept in ("- ALL", "no-new-privileges:true", "mem_limit", "pids_limit"):
        assert kept in compose
    assert _leftover_verify_projects(dockerd.client()) == set()
    # A second harden leaves the backed-out change alone.
    written = tree(project)
    again = seawall("harden", str(project), "--no-config")
    assert again.returncode == 0 and tree(project) == written, again.stdout + again.stderr


def test_a_breaking_hardening_without_keep_working_writes_nothing(
    tmp_path: Path, dockerd: DockerDaemon, busybox_image: str, compose_cli: str
) -> None:
    project = copy_project(PROJECTS / "breaking-one", tmp_path)
    before = tree(project)
    env = {"DOCKER_HOST": dockerd.docker_host, "BASE_IMAGE": busybox_image}
    proc = seawall("harden", str(project), "--verify", "--no-config", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "BROKEN recorder" in out
    assert "changes that broke it:\n  recorder: CR003 " in out
    assert out.rstrip().endswith("hardening broke a service: nothing written")
    assert "verify: 3 bring-up(s)" in out  # original, hardened, hardened without the one change
    assert tree(project) == before
    assert _leftover_verify_projects(dockerd.client()) == set()
