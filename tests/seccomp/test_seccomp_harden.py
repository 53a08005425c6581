"""``harden --seccomp``: per-service recording in real containers and the compose reference edit."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from harness.availability import unavailable
from seawall.config import Config
from seawall.errors import DaemonError, FixError, SeawallError
from seawall.fixer import apply_edits
from seawall.model.source import SourceFile
from seawall.parsers.yamldoc import YMap, parse_yaml, to_python
from seawall.runtime.inspect_adapter import from_inspect
from seawall.seccomp.container import RunOptions
from seawall.seccomp.harden_hook import record_service_profiles, security_opt_edits
from seawall.seccomp.service_plan import healthcheck_argv, run_options, service_argv
from seawall.seccomp.workload_profiles import check_workload_profile, profile_rules
from seawall.targets.compose import load

# The server comes up only after 3 s, later than the first healthcheck: the hook must retry it
# until it is answered. (Measured: with one attempt only, the generated profile leaves the
# service "starting" for good under docker-compose; with retries it becomes healthy.)
WEB_COMMAND = 'sh -c "sleep 3; echo ok > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"'
HEALTH = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]


def compose_text(image: str) -> str:
    return f"""# a tiny project: a web service with a healthcheck, a worker without one
services:
  web:
    image: {image}
    command: {json.dumps(WEB_COMMAND)}
    user: "65534:65534"
    read_only: true
    tmpfs:
      - /tmp
    cap_drop:
      - ALL
    security_opt:
      - no-new-privileges:true  # keep
    healthcheck:
      test: {json.dumps(HEALTH)}
      interval: 1s
      timeout: 3s
      retries: 30
  worker:
    image: {image}
    command: ["sleep", "1000"]
"""


def edited(tmp_path: Path, text: str, profiles: dict[str, Path]) -> str:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(text)
    project = load([compose])
    return apply_edits(text, security_opt_edits(project, profiles))


def security_opts(text: str, service: str) -> Any:
    root = parse_yaml(SourceFile("c.yml", text))
    assert isinstance(root, YMap)
    return to_python(root)["services"][service].get("security_opt")


@pytest.mark.parametrize(
    ("service_yaml", "expected"),
    [
        ("    image: x\n", ["seccomp=./seccomp/web.json"]),
        (
            "    image: x\n    security_opt:\n      - no-new-privileges:true\n",
            ["no-new-privileges:true", "seccomp=./seccomp/web.json"],
        ),
        (
            '    security_opt:\n      - "seccomp:old.json"\n    image: x\n',
            ["seccomp=./seccomp/web.json"],
        ),
    ],
)
def test_reference_edit_keeps_the_rest(
    tmp_path: Path, service_yaml: str, expected: list[str]
) -> None:
    text = "# top comment\nservices:\n  web:\n" + service_yaml + "  db:\n    image: y\n"
    result = edited(tmp_path, text, {"web": tmp_path / "seccomp" / "web.json"})
    assert security_opts(result, "web") == expected
    assert result.startswith("# top comment\n") and "  db:\n    image: y\n" in result


def test_reference_edit_refuses_flow_style(tmp_path: Path) -> None:
    text = "services:\n  web: {image: x}\n"
    with pytest.raises(FixError, match="flow style"):
        edited(tmp_path, text, {"web": tmp_path / "seccomp" / "web.json"})


@pytest.mark.parametrize(
    ("test", "argv"),
    [
        (["CMD", "wget", "-q", "x"], ("wget", "-q", "x")),
        (["CMD-SHELL", "wget -q x || exit 1"], ("/bin/sh", "-c", "wget -q x || exit 1")),
        ("curl -f x", ("/bin/sh", "-c", "curl -f x")),
        (["NONE"], None),
        (None, None),
    ],
)
def test_healthcheck_forms(test: Any, argv: tuple[str, ...] | None) -> None:
    assert healthcheck_argv(test) == argv


def test_unreachable_daemon_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: x\n")
    with pytest.raises(DaemonError, match="cannot reach the Docker daemon"):
        record_service_profiles(
            tmp_path,
            [Path("docker-compose.yml")],
            None,
            docker_host=f"unix://{tmp_path}/none.sock",
            runs=1,
        )
    assert not (tmp_path / "seccomp").exists()


@pytest.mark.docker
@pytest.mark.slow
def test_record_service_profiles_and_compose_up(
    dockerd: Any, busybox_image: str, tmp_path: Path
) -> None:
    if shutil.which("docker-compose") is None:
        unavailable("docker-compose is not installed")
    text = compose_text(busybox_image)
    (tmp_path / "docker-compose.yml").write_text(text)
    with pytest.raises(SeawallError, match="no service 'nope'"):
        record_service_profiles(
            tmp_path,
            [Path("docker-compose.yml")],
            ["nope"],
            docker_host=dockerd.docker_host,
            runs=1,
        )

    profiles = record_service_profiles(
        tmp_path, [Path("docker-compose.yml")], None, docker_host=dockerd.docker_host, runs=2
    )
    # The worker has no healthcheck and no smoke command: nothing exercises it, so no profile.
    assert profiles == {"web": tmp_path / "seccomp" / "web.json"}
    profile = json.loads(profiles["web"].read_text())
    allowed = {
        n for r in profile["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]
    }
    assert {"bind", "listen"} <= allowed  # httpd, the traced entrypoint
    assert {"accept", "accept4"} & allowed  # httpd served requests
    assert "connect" in allowed  # wget, the healthcheck exec'd into the container
    assert not {"mount", "unshare", "chmod", "ptrace"} & allowed
    why = (tmp_path / "seccomp" / "web.why").read_text()
    assert "no-new-privileges: required" in why and "exec'd in image" in why

    result = edited(tmp_path, text, profiles)
    assert security_opts(result, "web") == [
        "no-new-privileges:true",
        "seccomp=./seccomp/web.json",
    ]
    assert "# keep" in result
    (tmp_path / "docker-compose.yml").write_text(result)
    project = f"swsc{uuid.uuid4().hex[:8]}"
    compose = ["docker-compose", "-p", project, "-f", "docker-compose.yml"]
    env = dockerd.env()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # docker-compose v1 opens seccomp files relative to its working directory.
        return subprocess.run(
            [*compose, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
        )

    try:
        up = run("up", "-d", "web")
        assert up.returncode == 0, up.stderr
        client = dockerd.client()
        container = client.containers.get(f"{project}_web_1")
        inline = next(o for o in container.attrs["HostConfig"]["SecurityOpt"] if "seccomp" in o)
        assert json.loads(inline.split("=", 1)[1]) == profile
        status = ""
        for _ in range(60):
            container.reload()
            status = container.attrs["State"].get("Health", {}).get("Status", "")
            if status in ("healthy", "unhealthy") or container.status != "running":
                break
            time.sleep(0.5)
        assert status == "healthy", container.logs()[-500:]
        denied = container.exec_run(["chmod", "700", "/tmp/index.html"])
        assert denied.exit_code != 0 and b"not permitted" in denied.output
        # audit's view: the Engine keeps the profile inline; the SC rules grade it clean.
        workload = from_inspect(container.attrs)
        assert workload.seccomp.location.pointer.startswith("/HostConfig/SecurityOpt/")
        graded = check_workload_profile(workload, Config(), profile_rules(Config()))
        assert not graded.findings and not graded.errors
    finally:
        run("down", "-v", "-t", "1")


def test_service_runs_as_compose_would_run_it(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n"
        "  app:\n"
        "    image: x\n"
        "    entrypoint: /bin/app --serve\n"
        "    command: ['--port', '8080']\n"
        "    user: '1000:1000'\n"
        "    read_only: true\n"
        "    tmpfs: /run\n"
        "    cap_drop: [ALL]\n"
        "    cap_add: [NET_BIND_SERVICE]\n"
        "    security_opt: ['no-new-privileges:true']\n"
        "    working_dir: /srv\n"
        "    environment:\n"
        "      MODE: prod\n"
        "    volumes:\n"
        "      - ./conf:/etc/app:ro\n"
        "      - data:/var/lib/app\n"
        "volumes:\n"
        "  data: {}\n"
    )
    project = load([tmp_path / "docker-compose.yml"])
    service = project.services["app"]
    assert service_argv(service, "entrypoint") == ("/bin/app", "--serve")
    assert service_argv(service, "command") == ("--port", "8080")
    options = run_options(project, service)
    assert options == RunOptions(
        user="1000:1000",
        read_only=True,
        tmpfs=("/run", "/var/lib/app"),  # the named volume: writable, nothing persisted
        cap_drop=("ALL",),
        cap_add=("NET_BIND_SERVICE",),
        no_new_privileges=True,
        network="none",
        volumes=(f"{(tmp_path / 'conf').resolve()}:/etc/app:ro",),
        env=("MODE=prod",),
        workdir="/srv",
    )
