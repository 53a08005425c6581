"""Service status from inspect data, regressions between two bring-ups, confinement checks."""

from __future__ import annotations

import socket
from typing import Any

from seawall.harden.inspection import confinement, render_confinement
from seawall.harden.status import ServiceStatus, regressions, status_of


def inspect(
    status: str = "running",
    health: str | None = None,
    exit_code: int = 0,
    exposed: tuple[str, ...] = (),
    address: str = "",
    **host: Any,
) -> dict[str, Any]:
    state: dict[str, Any] = {"Status": status, "ExitCode": exit_code, "Restarting": False}
    if health:
        state["Health"] = {"Status": health}
    return {
        "State": state,
        "Config": {"User": host.pop("user", ""), "ExposedPorts": {p: {} for p in exposed}},
        "HostConfig": host,
        "NetworkSettings": {"Networks": {"n": {"IPAddress": address}}, "Ports": {}},
    }


def test_working_means_running_and_healthy_or_exited_zero() -> None:
    assert ServiceStatus("a", "running").working
    assert ServiceStatus("a", "running", health="healthy").working
    assert not ServiceStatus("a", "running", health="unhealthy").working
    assert not ServiceStatus("a", "running", health="starting").working
    assert ServiceStatus("a", "exited", exit_code=0).working
    assert not ServiceStatus("a", "exited", exit_code=1).working
    assert not ServiceStatus("a", "restarting").working
    assert not ServiceStatus("a", "missing").working


def test_regressions_only_for_services_that_worked_before() -> None:
    before = {
        "web": ServiceStatus("web", "running", health="healthy", ports=(("80/tcp", True),)),
        "job": ServiceStatus("job", "exited", exit_code=1),
        "db": ServiceStatus("db", "running", ports=(("5432/tcp", True),)),
    }
    after = {
        "web": ServiceStatus("web", "exited", exit_code=1, health="starting"),
        "job": ServiceStatus("job", "exited", exit_code=2),
        "db": ServiceStatus("db", "running", ports=(("5432/tcp", False),)),
    }
    broken = regressions(before, after)
    assert set(broken) == {"web", "db"}
    assert "now exited (1), starting" in broken["web"][0]
    assert broken["db"] == ("port 5432/tcp no longer answers",)
    assert regressions(before, before) == {}
    assert "missing" in regressions(before, {})["web"][0]


def test_status_probes_exposed_ports_on_the_container_address() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            dead = closed.getsockname()[1]
        info = inspect(exposed=(f"{port}/tcp", f"{dead}/tcp", "53/udp"), address="127.0.0.1")
        status = status_of("web", info)
    assert status.ports == tuple(sorted(((f"{port}/tcp", True), (f"{dead}/tcp", False))))
    assert status.describe() == "running, ports answering 1/2"
    assert status_of("gone", None).state == "missing"
    exited = status_of("job", inspect("exited", "unhealthy", exit_code=3))
    assert (exited.state, exited.exit_code, exited.health, exited.ports) == (
        "exited",
        3,
        "unhealthy",
        (),
    )


def test_confinement_reads_user_rootfs_caps_nnp_and_limits() -> None:
    hardened = confinement(
        "web",
        inspect(
            user="10001:10001",
            ReadonlyRootfs=True,
            CapDrop=["ALL"],
            SecurityOpt=["no-new-privileges:true"],
            Memory=512 * 2**20,
            NanoCpus=10**9,
            PidsLimit=256,
        ),
    )
    assert hardened.missing == ()
    default = confinement("db", inspect())
    assert default.user == "root"
    assert set(default.missing) == {
        "non-root",
        "read-only",
        "caps dropped",
        "no-new-privileges",
        "memory",
        "cpu",
        "pids",
    }
    assert confinement("x", inspect(user="0:0")).missing[0] == "non-root"
    assert confinement("x", inspect(CapDrop=["CAP_ALL"], CpuQuota=50000)).properties[2:6:3] == (
        ("caps dropped", True),
        ("cpu", True),
    )
    table = render_confinement([hardened, default])
    assert table.splitlines()[1].split()[:3] == ["web", "10001:10001", "yes"]
    assert "NO" in table.splitlines()[2]


def test_a_restart_policy_does_not_hide_a_crash_loop() -> None:
    info = inspect()
    info["RestartCount"] = 2
    status = status_of("web", info)
    assert (status.state, status.working) == ("restarting", False)
