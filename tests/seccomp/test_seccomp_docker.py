"""End to end with a real dockerd: record in a container, generate, start 20 times, probe denials.

The workloads run hardened: read-only root, tmpfs /tmp, every capability dropped, non-root user,
and (for the smaller profile) no-new-privileges. Figures are printed (run with ``-s``) for the
issue's closing note: allowed syscalls against Docker's default, and the failure rate.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from seawall.cli import main
from seawall.seccomp.container import RunOptions
from seawall.seccomp.docker_default import default_allowed, docker_default_profile
from seawall.seccomp.generate import generate
from seawall.seccomp.probes import busybox_probes, python_probes
from seawall.seccomp.record import record_image
from seawall.seccomp.recording import Recording
from seawall.seccomp.verify import VerifyResult, verify

pytestmark = [pytest.mark.docker, pytest.mark.slow]

RUNS = 20
# A service counts as started when it still runs after SETTLE seconds and then answers the smoke
# requests (which retry for up to 10 s), so a short settle loses no failure.
SETTLE = 0.5
USER = "65534:65534"
BUSYBOX_WORK = ["sh", "-c", "ls / >/dev/null; echo ok > /tmp/f; cat /tmp/f; sleep 0.2"]
HTTP_SERVER = ["python3", "-m", "http.server", "8080", "--bind", "0.0.0.0"]


def figures(name: str, profile_size: int, result: VerifyResult) -> None:
    print(
        f"\n[seccomp e2e] {name}: {profile_size} syscalls allowed vs Docker's default "
        f"{len(default_allowed('x86_64'))}; {result.successes}/{len(result.runs)} starts, "
        f"failure rate {result.failure_rate:.0%}; probes: "
        + ", ".join(f"{p.syscall}={'EPERM' if p.denied else p.denied}" for p in result.probes)
    )


def assert_all_started(result: VerifyResult) -> None:
    assert result.successes == len(result.runs), [f.detail for f in result.failures]


def assert_denied(result: VerifyResult, names: set[str]) -> None:
    verdicts = {p.syscall: (p.denied, p.output) for p in result.probes}
    assert set(verdicts) == names
    for name, (denied, output) in verdicts.items():
        assert denied is True, f"{name}: {output}"


@pytest.fixture(scope="module")
def client(dockerd: Any) -> Any:
    return dockerd.client()


@pytest.fixture(scope="module")
def busybox_options() -> RunOptions:
    return RunOptions(user=USER, network="none", tmpfs=("/tmp",)).hardened()


@pytest.fixture(scope="module")
def busybox_recording(client: Any, busybox_image: str, busybox_options: RunOptions) -> Recording:
    return record_image(
        client, busybox_image, command=BUSYBOX_WORK, runs=3, duration=20, options=busybox_options
    )


def test_recording_in_a_container_needs_no_image_changes(
    client: Any, busybox_image: str, busybox_recording: Recording
) -> None:
    assert busybox_recording.runs == 3
    assert busybox_recording.arch == "x86_64"
    # sh, ls, cat and sleep were traced through forks; strace itself never appears.
    assert {"execve", "getdents64", "clock_nanosleep", "wait4", "write"} <= busybox_recording.names
    assert busybox_recording.syscalls["execve"] >= 3 * 3
    history = client.images.get(busybox_image).history()
    assert not any("strace" in (layer.get("CreatedBy") or "") for layer in history)


def test_recording_an_entrypoint_override_and_the_image_cmd(
    client: Any, busybox_image: str, busybox_options: RunOptions
) -> None:
    # --entrypoint replaces the image's CMD (/bin/sh) too: only sleep runs, so it sleeps once.
    sleeping = record_image(
        client, busybox_image, entrypoint=["/bin/sleep"], command=["0.1"], options=busybox_options
    )
    assert sleeping.syscalls.get("clock_nanosleep") == 1 and sleeping.syscalls["execve"] == 1
    # No command at all: the image's CMD, /bin/sh, which reads no input and ends.
    shell = record_image(client, busybox_image, options=busybox_options)
    assert "clock_nanosleep" not in shell.names and {"execve", "read"} <= shell.names


def test_busybox_profile_with_no_new_privileges(
    client: Any, busybox_image: str, busybox_recording: Recording, busybox_options: RunOptions
) -> None:
    generated = generate(busybox_recording, no_new_privileges=True)
    result = verify(
        client,
        busybox_image,
        generated.profile,
        command=BUSYBOX_WORK,
        runs=RUNS,
        options=busybox_options,
        probes=busybox_probes(),
    )
    figures("busybox, no-new-privileges", len(generated.allowed), result)
    assert_all_started(result)
    assert_denied(result, {"mount", "unshare", "chmod"})
    assert result.ok


def test_busybox_profile_without_no_new_privileges(
    client: Any, busybox_image: str, busybox_recording: Recording, busybox_options: RunOptions
) -> None:
    generated = generate(busybox_recording, no_new_privileges=False)
    options = replace(busybox_options, no_new_privileges=False)
    result = verify(
        client, busybox_image, generated.profile, command=BUSYBOX_WORK, runs=RUNS, options=options
    )
    figures("busybox, without no-new-privileges", len(generated.allowed), result)
    assert_all_started(result)


def test_verify_reports_a_profile_that_cannot_start(
    client: Any, busybox_image: str, busybox_recording: Recording, busybox_options: RunOptions
) -> None:
    # The no-new-privileges profile lacks what runc needs to switch user under the filter.
    generated = generate(busybox_recording, no_new_privileges=True)
    options = replace(busybox_options, no_new_privileges=False)
    result = verify(
        client, busybox_image, generated.profile, command=BUSYBOX_WORK, runs=2, options=options
    )
    assert result.successes == 0 and not result.ok
    assert all("operation not permitted" in f.detail for f in result.failures)


def test_app_only_profile_fails_like_the_peers_do(
    client: Any, busybox_image: str, busybox_recording: Recording, busybox_options: RunOptions
) -> None:
    # The trace alone (what slim / strace-based tools emit) misses runc's own calls.
    bare = {
        "defaultAction": "SCMP_ACT_ERRNO",
        "syscalls": [
            {"names": sorted(busybox_recording.names), "action": "SCMP_ACT_ALLOW"},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        ],
    }
    result = verify(
        client, busybox_image, bare, command=BUSYBOX_WORK, runs=2, options=busybox_options
    )
    assert result.successes < 2, "the runtime baseline would be unnecessary"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def network(client: Any) -> Iterator[str]:
    # The test daemon has no default bridge; published ports need a user-defined network.
    net = client.networks.create(f"seawall-seccomp-{uuid.uuid4().hex[:8]}", driver="bridge")
    try:
        yield net.name
    finally:
        net.remove()


@pytest.fixture(scope="module")
def http_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def http_options(network: str, http_port: int) -> RunOptions:
    return RunOptions(
        user=USER,
        network=network,
        ports=(f"127.0.0.1:{http_port}:8080",),
        tmpfs=("/tmp",),
        workdir="/usr/share",
    ).hardened()


def make_smoke(port: int) -> Any:
    def smoke(_container: Any) -> None:
        error: Exception | None = None
        for _ in range(100):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                assert b"Directory listing" in body
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/missing", timeout=5)
                except urllib.error.HTTPError as exc:
                    assert exc.code == 404
                return
            except (OSError, AssertionError) as exc:
                error = exc
                time.sleep(0.1)
        raise AssertionError(f"the service did not answer: {error}")

    return smoke


@pytest.fixture(scope="module")
def http_recording(
    client: Any, debian_image: str, http_options: RunOptions, http_port: int
) -> Recording:
    return record_image(
        client,
        debian_image,
        command=HTTP_SERVER,
        runs=3,
        duration=8,
        options=http_options,
        smoke=make_smoke(http_port),
        startup=0.5,
    )


def test_python_http_service_end_to_end(
    client: Any,
    debian_image: str,
    http_recording: Recording,
    http_options: RunOptions,
    http_port: int,
) -> None:
    assert {"accept4", "bind", "listen", "socket"} <= http_recording.names
    assert 2 in http_recording.socket_families  # AF_INET
    generated = generate(http_recording, no_new_privileges=True)
    probes = python_probes(("mount", "unshare", "chmod"), "x86_64")  # one probe container
    result = verify(
        client,
        debian_image,
        generated.profile,
        command=HTTP_SERVER,
        runs=RUNS,
        options=http_options,
        smoke=make_smoke(http_port),
        settle=SETTLE,
        probes=probes,
    )
    figures("python http.server, no-new-privileges", len(generated.allowed), result)
    assert_all_started(result)
    assert_denied(result, {"mount", "unshare", "chmod"})

    # The larger profile for containers without no-new-privileges: fewer starts keep the suite
    # lean; the 20-start evidence is the hardened run above.
    without = generate(http_recording, no_new_privileges=False)
    result = verify(
        client,
        debian_image,
        without.profile,
        command=HTTP_SERVER,
        runs=RUNS // 2,
        options=replace(http_options, no_new_privileges=False),
        smoke=make_smoke(http_port),
        settle=SETTLE,
    )
    figures("python http.server, without no-new-privileges", len(without.allowed), result)
    assert_all_started(result)


def test_control_docker_default_lets_chmod_reach_the_kernel(
    client: Any, busybox_image: str, busybox_options: RunOptions
) -> None:
    # The same probes under Docker's default profile: chmod works, so the EPERM seen under the
    # generated profiles is the profile's doing. (busybox: its containers are cheap to create.)
    result = verify(
        client,
        busybox_image,
        docker_default_profile(),
        command=["true"],
        runs=1,
        options=busybox_options,
        probes=[p for p in busybox_probes() if p.syscall in ("chmod", "mount")],
    )
    verdicts = {p.syscall: p for p in result.probes}
    assert verdicts["chmod"].denied is False, verdicts["chmod"].output
    assert verdicts["chmod"].output == "seawall-probe chmod errno=0"
    assert verdicts["mount"].denied is True


def test_cli_record_generate_verify(
    dockerd: Any,
    busybox_image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd.docker_host)
    rec, profile = tmp_path / "rec.json", tmp_path / "busybox.json"
    common = ["--user", USER, "--network", "none", "--tmpfs", "/tmp"]
    assert main(["seccomp", "record", "-o", str(rec), "--image", busybox_image, "--runs", "2",
                 *common, "--", *BUSYBOX_WORK]) == 0  # fmt: skip
    assert main(["seccomp", "generate", str(rec), "-o", str(profile)]) == 0
    assert json.loads(profile.read_text())["defaultAction"] == "SCMP_ACT_ERRNO"
    capsys.readouterr()
    verify_args = ["--profile", str(profile), "--image", busybox_image, "--runs", "3"]
    code = main(["seccomp", "verify", *verify_args, "--harden", "--probe", "busybox", *common,
                 "--", *BUSYBOX_WORK])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3/3 starts worked" in out and out.count("DENIED (EPERM)") == 3


def test_cli_unreachable_daemon_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nothing.sock")
    code = main(["seccomp", "record", "-o", str(tmp_path / "r.json"), "--image", "x"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("seawall: error: cannot reach the Docker daemon")


def test_cli_entrypoint_override_record_and_verify(
    dockerd: Any,
    busybox_image: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd.docker_host)
    rec, profile = tmp_path / "rec.json", tmp_path / "sleep.json"
    common = ["--user", USER, "--network", "none", "--entrypoint", "/bin/sleep"]
    assert main(["seccomp", "record", "-o", str(rec), "--image", busybox_image, "--runs", "1",
                 *common, "--", "0.1"]) == 0  # fmt: skip
    assert json.loads(rec.read_text())["syscalls"]["clock_nanosleep"] == 1
    assert main(["seccomp", "generate", str(rec), "-o", str(profile), "--no-new-privileges"]) == 0
    capsys.readouterr()
    code = main(["seccomp", "verify", "--profile", str(profile), "--image", busybox_image,
                 "--runs", "2", "--harden", *common, "--", "0.1"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "2/2 starts worked" in out, out
