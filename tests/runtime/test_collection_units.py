"""Collection pieces without a daemon: dockerd argv, daemon.json, audit rules, /proc status,
the inspect adapter on documents shaped like Engine 20.10 output, the CIS catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seawall.model.finding import Finding, Location, Severity
from seawall.rules.host import HOST_RULES
from seawall.runtime import cis
from seawall.runtime.containers import parse_status
from seawall.runtime.daemon import parse_argv, read_config_file
from seawall.runtime.host import AuditFacts
from seawall.runtime.inspect_adapter import from_inspect
from seawall.runtime.pointer import pointer


def test_argv_flags_become_daemon_json_keys_with_their_positions() -> None:
    argv = (
        "/usr/sbin/dockerd", "-H", "fd://", "--host=tcp://0.0.0.0:2375", "--icc=false",
        "--live-restore", "-l", "debug", "--insecure-registry", "reg:5000",
        "--insecure-registry=other:5000", "--tlsverify=0", "--graph", "/srv/docker",
        "--containerd=/run/containerd/containerd.sock", "-Dunused",
    )  # fmt: skip
    settings = parse_argv(argv)
    assert settings["hosts"].value == ["fd://", "tcp://0.0.0.0:2375"]
    assert settings["hosts"].location == "/argv/1"
    assert settings["icc"].value is False and settings["icc"].location == "/argv/4"
    assert settings["live-restore"].value is True
    assert settings["log-level"].value == "debug"
    assert settings["insecure-registries"].value == ["reg:5000", "other:5000"]
    assert settings["tlsverify"].value is False
    assert settings["data-root"].value == "/srv/docker"
    assert settings["containerd"].value == "/run/containerd/containerd.sock"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'{"icc": false,}', ":1:15: not valid JSON"),
        (b"[1, 2]", ": not a JSON object"),
        (b'{"log-level": "\xff"}', ": not UTF-8 text"),
    ],
)
def test_bad_daemon_json_gives_a_one_line_error(tmp_path: Path, content: bytes, error: str) -> None:
    path = tmp_path / "daemon.json"
    path.write_bytes(content)
    exists, data, message = read_config_file(str(path))
    assert exists and data is None
    assert message is not None and message.startswith(str(path)) and error in message
    assert "\n" not in message


def test_missing_daemon_json_is_not_an_error(tmp_path: Path) -> None:
    assert read_config_file(str(tmp_path / "absent.json")) == (False, None, None)


def test_audit_rule_matching() -> None:
    facts = AuditFacts(
        ("-w /usr/bin/dockerd -p rwxa -k docker", "-a always,exit -F path=/usr/bin/runc -k d",
         "-a always,exit -F dir=/var/lib/docker/ -k docker"),
        "auditctl -l",
    )  # fmt: skip
    assert facts.watches("/usr/bin/dockerd")
    assert facts.watches("/usr/bin/runc")
    assert facts.watches("/var/lib/docker")
    assert not facts.watches("/etc/docker")
    assert not AuditFacts(None, "none", "no rules").watches("/usr/bin/dockerd")


def test_proc_status_parsing() -> None:
    text = (
        "Name:\tsleep\nUid:\t65534\t65534\t65534\t65534\nCapEff:\t0000000000000000\n"
        "CapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n"
    )
    state = parse_status(text)
    assert state is not None
    assert (state.cap_eff, state.cap_bnd, state.no_new_privs, state.seccomp_mode, state.uid) == (
        0, 0xA80425FB, True, 2, 65534,
    )  # fmt: skip
    assert parse_status("Name:\tx\n") is None


def test_pointer_escaping() -> None:
    assert (
        pointer("NetworkSettings", "Ports", "8080/tcp", 0) == "/NetworkSettings/Ports/8080~1tcp/0"
    )
    assert pointer("a~b") == "/a~0b"


def inspect_doc(**host_config: Any) -> dict[str, Any]:
    return {
        "Id": "0123456789abcdef",
        "Name": "/web",
        "State": {"Running": False, "Pid": 0, "StartedAt": "0001-01-01T00:00:00Z"},
        "Config": {"User": "", "Image": "nginx:1.27", "Env": ["PATH=/bin", "API_TOKEN=x"]},
        "HostConfig": {"SecurityOpt": None, "PortBindings": {}, **host_config},
        "NetworkSettings": {"Ports": {}, "Networks": {"bridge": {}}},
        "Mounts": [],
        "AppArmorProfile": "",
    }


def test_privileged_means_no_seccomp_and_requested_ports_of_created_containers() -> None:
    doc = inspect_doc(
        Privileged=True,
        PortBindings={"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
        CapAdd=["CAP_NET_ADMIN"],
        PidsLimit=None,
    )
    workload = from_inspect(doc)
    assert workload.name == "web" and workload.path == "container/web"
    assert workload.seccomp.value == "unconfined"
    assert workload.seccomp.location == Location("container/web", None, "/HostConfig/Privileged")
    port = workload.ports.value[0]
    assert port.value.all_interfaces and port.value.published == "8080"
    assert port.location.pointer == "/HostConfig/PortBindings/80~1tcp/0"
    assert workload.cap_add.value[0].value == "NET_ADMIN"
    assert workload.pids.value is None
    # Absent keys are located at the deepest existing parent.
    assert workload.healthcheck.location.pointer == "/Config"


def test_security_options_both_separators_and_image_env() -> None:
    doc = inspect_doc(SecurityOpt=["no-new-privileges=true", "seccomp:unconfined", "label=disable"])
    image = {"Config": {"Env": ["PATH=/bin"], "User": "101"}}
    workload = from_inspect(doc, image=image)
    assert workload.no_new_privileges.value is True
    assert workload.seccomp.value == "unconfined"
    assert [f.value for f in workload.selinux.value] == ["disable"]
    sources = {f.value.name: f.value.source for f in workload.environment.value}
    assert sources == {"PATH": "image", "API_TOKEN": "inspect"}
    assert workload.image_user == "101"


def test_cis_catalogue_and_host_rule_coverage() -> None:
    controls = cis.load_controls()
    assert len(controls) == 117
    assert sum(c.manual for c in controls) == 27
    covered = cis.coverage(HOST_RULES)
    wanted = [f"1.1.{n}" for n in range(1, 19)] + [f"3.{n}" for n in range(1, 25)]
    wanted += [f"2.{n}" for n in range(1, 19)]
    wanted += ["4.5", "5.23", "5.24", "6.2", "7.1", "7.2", "7.3", "7.5"]
    assert [c for c in wanted if c not in covered] == []


def test_cis_statuses() -> None:
    rules = {r.meta.id: r for r in HOST_RULES}
    ran = [rules["HOST003"], rules["HOST014"], rules["HOST209"], rules["HOST201"], rules["HOST007"]]
    finding = Finding("HOST003", "x", "m", Location("d", None, "/argv/3"), Severity.LOW, "t", "a")
    results = {
        r.control.id: r
        for r in cis.evaluate(
            [finding], ran, {"HOST201": "needs root"}, {"HOST209": "no TLS CA certificate"}
        )
    }
    assert results["2.4"].status == "fail" and results["2.4"].findings == 1
    assert results["2.15"].status == "pass"
    assert results["3.1"].status == "not-evaluated" and results["3.1"].note == "needs root"
    assert results["3.9"].status == "not-applicable"
    assert results["2.8"].status == "manual"  # HOST007 covers a manual control
    assert results["5.5"].status == "not-covered"  # no workload rule ran in this evaluation
    assert cis.score(list(results.values())) == (1, 2)
    text = cis.render_summary(list(results.values()))
    assert (
        "  FAIL   2.4     Ensure Docker is allowed to make changes to iptables  (1 finding)" in text
    )
    assert "score: 1/2 automated controls passed (50%)" in text


def test_unknown_benchmark_is_a_config_error() -> None:
    from seawall.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown benchmark"):
        cis.load_controls("cis-docker-9")
