"""Prove each real-component fixture works: run containers, push/pull, inspect."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from harness import availability
from harness.daemon import LABEL, RUN_PREFIX, RUN_ROOT, DockerDaemon, clean_stale_run_dirs
from harness.registry import Registry


def test_dockerd_answers_on_its_own_socket(dockerd: DockerDaemon) -> None:
    client = dockerd.client()
    assert client.ping() is True
    info = client.info()
    assert info["SecurityOptions"], "seccomp should be reported by the daemon"
    if dockerd.owned:
        assert dockerd.socket_path is not None and dockerd.socket_path.is_socket()
        assert info["DockerRootDir"] == str(dockerd.data_root)
        assert info["Driver"] == "vfs"
        cmdline = Path(f"/proc/{dockerd.pid}/cmdline").read_bytes().split(b"\0")
        assert f"unix://{dockerd.socket_path}".encode() in cmdline


def test_cli_uses_the_same_daemon(dockerd: DockerDaemon) -> None:
    via_cli = dockerd.run_cli("info", "--format", "{{.ID}}").stdout.strip()
    assert via_cli == dockerd.client().info()["ID"]


def test_busybox_image_runs_applets_as_root_and_nobody(
    dockerd: DockerDaemon, busybox_image: str
) -> None:
    out = dockerd.run_cli("run", "--rm", "--network", "none", busybox_image, "id").stdout
    assert out.strip().startswith("uid=0(root) gid=0(root)")
    lines = dockerd.run_cli(
        "run", "--rm", "--network", "none", "--user", "65534:65534", busybox_image,
        "sh", "-c", "whoami; ls -ld /tmp; touch /tmp/x && echo wrote",
    ).stdout.split("\n")  # fmt: skip
    assert lines[0] == "nobody"
    assert lines[1].startswith("drwxrwxrwt")
    assert lines[2] == "wrote"
    size = dockerd.client().images.get(busybox_image).attrs["Size"]
    assert size < 5_000_000, f"busybox image should be tiny, is {size} bytes"


def test_busybox_container_inspect_and_effective_state(
    dockerd: DockerDaemon, busybox_image: str
) -> None:
    container = dockerd.client().containers.run(
        busybox_image,
        ["sleep", "300"],
        detach=True,
        network_mode="none",
        user="65534:65534",
        cap_drop=["ALL"],
        security_opt=["no-new-privileges:true"],
        read_only=True,
        labels={LABEL: "harness"},
    )
    try:
        container.reload()
        attrs = container.attrs
        assert attrs["State"]["Running"] is True
        assert attrs["HostConfig"]["ReadonlyRootfs"] is True
        assert attrs["Config"]["User"] == "65534:65534"
        if dockerd.owned:  # same host: the kernel's view of the container process
            status = Path(f"/proc/{attrs['State']['Pid']}/status").read_text()
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            assert fields["CapEff"].strip() == "0000000000000000"
            assert fields["NoNewPrivs"].strip() == "1"
            assert fields["Seccomp"].strip() == "2"
    finally:
        container.remove(force=True)


def test_privileged_container_is_created_with_complete_inspect(
    dockerd: DockerDaemon, busybox_image: str
) -> None:
    cid = dockerd.run_cli(
        "create", "--privileged", "--pid", "host", "--network", "host", "--label", f"{LABEL}=1",
        busybox_image, "sleep", "60",
    ).stdout.strip()  # fmt: skip
    try:
        doc = json.loads(dockerd.run_cli("inspect", cid).stdout)[0]
        assert doc["HostConfig"]["Privileged"] is True
        assert doc["HostConfig"]["PidMode"] == "host"
        assert doc["State"]["Status"] == "created"
    finally:
        dockerd.run_cli("rm", "-f", cid, check=False)


def test_push_and_pull_through_local_registry(
    dockerd: DockerDaemon, busybox_image: str, registry: Registry
) -> None:
    ref = registry.ref("harness/busybox", "1")
    dockerd.run_cli("tag", busybox_image, ref)
    dockerd.run_cli("push", ref)
    with urllib.request.urlopen(f"{registry.url}/v2/_catalog", timeout=5) as response:
        assert "harness/busybox" in json.load(response)["repositories"]
    dockerd.run_cli("rmi", ref)
    dockerd.run_cli("pull", ref)
    pulled = dockerd.client().images.get(ref)
    assert pulled.id == dockerd.client().images.get(busybox_image).id
    prefix = f"{registry.host}/harness/busybox@sha256:"
    assert any(digest.startswith(prefix) for digest in pulled.attrs["RepoDigests"])
    dockerd.run_cli("rmi", ref)


@pytest.mark.slow
def test_debian_image_has_python_and_dpkg(dockerd: DockerDaemon, debian_image: str) -> None:
    out = dockerd.run_cli(
        "run", "--rm", "--network", "none", debian_image,
        "sh", "-c", "python3 -c 'import sys; print(sys.version_info[:2])'; dpkg-query -W | wc -l",
    ).stdout.split()  # fmt: skip
    assert out[0:2] == ["(3,", "11)"]
    assert int(out[2]) > 50
    assert dockerd.client().images.get(debian_image).attrs["Config"]["Cmd"] == ["/bin/bash"]


def test_stale_run_directory_is_cleaned() -> None:
    stale = RUN_ROOT / f"{RUN_PREFIX}stale-test"
    (stale / "data").mkdir(parents=True, exist_ok=True)
    # A pid that cannot exist (above pid_max) stands for a dockerd that died.
    (stale / "dockerd.pid").write_text("99999999\n")
    clean_stale_run_dirs()
    assert not stale.exists()


def test_unavailable_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no dockerd here"):
        availability.unavailable("no dockerd\n here")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="in CI: no dockerd here"):
        availability.unavailable("no dockerd here")


def test_docker_marker_is_added(request: pytest.FixtureRequest, dockerd: DockerDaemon) -> None:
    assert request.node.get_closest_marker("docker") is not None
    # The session must not leak DOCKER_HOST into the environment of other tests.
    assert os.environ.get("DOCKER_HOST") != dockerd.docker_host
