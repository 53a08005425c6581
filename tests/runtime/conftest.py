"""Fixtures for the ``seawall audit`` tests: a fleet of insecure and hardened containers.

Every container is created on the session's real ``dockerd`` from the busybox image. Each entry
of ``FLEET`` names the CR rules it must trigger; together they cover every CR rule. Containers
that cannot start on this host (``--privileged`` needs CAP_SYS_RESOURCE; shared propagation
needs a shared mount) are only created, which is also how non-running containers get audited.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.availability import provide
from harness.daemon import LABEL, DockerDaemon, start_daemon
from harness.registry import Registry

PREFIX = "swaudit-"


@dataclass(frozen=True)
class Spec:
    """One container: ``docker create`` options, whether to start it, and the rules it trips."""

    name: str
    options: tuple[str, ...]
    expect: frozenset[str]
    start: bool = True
    command: tuple[str, ...] = ("sleep", "600")


def fleet_specs(socket_path: str, scratch: str, image_latest: str) -> list[Spec]:
    """The insecure fleet (``{scratch}`` is a host dir for bind mounts)."""
    net = ("--network", f"{PREFIX}net")
    return [
        Spec("priv", ("--privileged", "--network", "host", "--pid", "host", "--ipc", "host",
                      "--uts", "host", "--restart", "always"),
             frozenset({"CR001", "CR007", "CR010", "CR011", "CR012", "CR013", "CR028"}),
             start=False),
        Spec("root", ("--user", "0:0", "--network", "none"),
             frozenset({"CR002", "CR003", "CR004", "CR006", "CR019", "CR020", "CR021",
                        "CR026", "CR027"})),
        Spec("caps", ("--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                      "--security-opt", "apparmor=unconfined", "--security-opt",
                      "label=disable", "--userns", "host", "--network", "none"),
             frozenset({"CR005", "CR007", "CR008", "CR009", "CR014"})),
        Spec("mounts", ("-v", f"{socket_path}:/var/run/docker.sock", "-v", "/etc:/host-etc:ro",
                        "-v", f"{scratch}:/data", "--device", "/dev/fuse", "--network", "none"),
             frozenset({"CR015", "CR016", "CR017", "CR018"})),
        Spec("ports", (*net, "-p", "18582:8080", "-p", "[::]:18583:8081",
                       "-e", "DB_PASSWORD=Sup3r-S3cret-Value-42"),
             frozenset({"CR022", "CR024"})),
        Spec("lowport", ("-p", "127.0.0.1:25:25", "--cgroup-parent", "/swaudit",
                         "--sysctl", "net.ipv4.ip_forward=1", *net),
             frozenset({"CR023", "CR029", "CR030"}), start=False),
        Spec("propagation", ("--mount", f"type=bind,source={scratch},target=/shared,"
                             "bind-propagation=rshared", "--network", "none"),
             frozenset({"CR031"}), start=False),
        Spec("latest", ("--network", "none"), frozenset({"CR025"}),
             command=("sleep", "600")),
    ]  # fmt: skip


HARDENED_OPTIONS = (
    "--user", "65534:65534", "--read-only", "--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=16m",
    "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", "--memory", "64m",
    "--memory-swap", "64m", "--cpus", "0.5", "--pids-limit", "64", "--network", "none",
    "--restart", "on-failure:5", "--health-cmd", "true", "--health-interval", "30s",
    "--ulimit", "nofile=1024:1024",
)  # fmt: skip


@dataclass(frozen=True)
class Fleet:
    """The containers created for a test module, by short name → container name."""

    names: dict[str, str]
    specs: dict[str, Spec]
    hardened: str


def _create(daemon: DockerDaemon, name: str, options: tuple[str, ...], image: str,
            command: tuple[str, ...], start: bool) -> None:  # fmt: skip
    daemon.run_cli("rm", "-f", name, check=False)  # leftovers of an interrupted run
    verb = ("run", "-d") if start else ("create",)
    daemon.run_cli(*verb, "--name", name, "--label", f"{LABEL}=audit", *options, image, *command)


@pytest.fixture(scope="session")
def fleet(dockerd: DockerDaemon, busybox_image: str, registry: Registry) -> Iterator[Fleet]:
    """Insecure containers (one or more per CR rule) and one fully hardened container."""
    scratch = tempfile.mkdtemp(prefix="swaudit-bind-")
    dockerd.run_cli("network", "rm", f"{PREFIX}net", check=False)
    dockerd.run_cli("network", "create", f"{PREFIX}net")
    latest = "seawall-test/busybox:latest"
    dockerd.run_cli("tag", busybox_image, latest)
    # The hardened container runs its image by digest, which needs a registry round trip.
    pinned_tag = registry.ref("audit/busybox", "1")
    dockerd.run_cli("tag", busybox_image, pinned_tag)
    pushed = dockerd.run_cli("push", pinned_tag).stdout
    digest = next(w for w in pushed.split() if w.startswith("sha256:"))
    pinned = f"{registry.host}/audit/busybox:1@{digest}"
    specs = fleet_specs(str(dockerd.socket_path or "/var/run/docker.sock"), scratch, latest)
    names: dict[str, str] = {}
    for spec in specs:
        name = PREFIX + spec.name
        image = latest if spec.name == "latest" else busybox_image
        _create(dockerd, name, spec.options, image, spec.command, spec.start)
        names[spec.name] = name
    hardened = PREFIX + "hardened"
    _create(dockerd, hardened, HARDENED_OPTIONS, pinned, ("sleep", "600"), True)
    try:
        yield Fleet(names, {s.name: s for s in specs}, hardened)
    finally:
        dockerd.run_cli("rm", "-f", *names.values(), hardened, check=False)
        dockerd.run_cli("network", "rm", f"{PREFIX}net", check=False)
        Path(scratch).rmdir()


# "icc": false is left out: dockerd refuses it together with --iptables=false (harness default).
HARDENED_DAEMON_JSON: dict[str, Any] = {
    "live-restore": True,
    "no-new-privileges": True,
    "userland-proxy": False,
    "log-level": "info",
    "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 4096, "Soft": 4096}},
}


@pytest.fixture(scope="session")
def hardened_dockerd(dockerd: DockerDaemon) -> Iterator[DockerDaemon]:
    """A second real daemon started with a hardened daemon.json."""
    if not dockerd.owned:
        pytest.skip("needs to start its own dockerd (SEAWALL_TEST_DOCKER_HOST is set)")
    daemon = provide(lambda: start_daemon(HARDENED_DAEMON_JSON))
    try:
        yield daemon
    finally:
        daemon.close()
