"""Property test: arbitrary values under real Compose keys never crash the loader, the workload
adapter or a rule — the outcome is a project with findings, or one SeawallError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawall.config import Config
from seawall.errors import SeawallError
from seawall.parsers.compose import LoadOptions, load_project
from seawall.targets.compose import check_project

KEYS = [
    "image",
    "user",
    "privileged",
    "read_only",
    "cap_add",
    "cap_drop",
    "security_opt",
    "network_mode",
    "networks",
    "pid",
    "ipc",
    "uts",
    "userns_mode",
    "cgroup_parent",
    "volumes",
    "devices",
    "ports",
    "mem_limit",
    "cpus",
    "pids_limit",
    "environment",
    "secrets",
    "healthcheck",
    "restart",
    "sysctls",
    "deploy",
    "tmpfs",
    "depends_on",
    "links",
    "command",
    "profiles",
    "build",
    "extends",
    "env_file",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.sampled_from(
        [
            "host",
            "ALL",
            "SYS_ADMIN",
            "0",
            "root",
            "/",
            "/var/run/docker.sock:/s",
            "80:80",
            "127.0.0.1:5432:5432",
            "a=b",
            "seccomp:unconfined",
            "always",
            "on-failure:9",
            "512m",
            "x:y:z:w",
            "[::1]:1:2",
            "-1",
            "${X:-1}",
            "$$",
            "net.ipv4.ip_forward=1",
            "latest",
            "",
        ]
    ),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "test",
                    "source",
                    "target",
                    "limits",
                    "resources",
                    "memory",
                    "published",
                    "host_ip",
                    "type",
                    "disable",
                    "condition",
                    "max_attempts",
                    "service",
                    "a",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
services = st.dictionaries(
    st.sampled_from(["web", "db", "cache"]),
    st.dictionaries(st.sampled_from(KEYS), values, max_size=8),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(services=services)
def test_no_crash_on_arbitrary_values(services: dict[str, Any], tmp_path: Path) -> None:
    for service in services.values():
        service.setdefault("image", "busybox:1.36")  # most examples should get past the loader
    doc = {"services": services, "networks": {"a": None}, "secrets": {"a": {"file": "x"}}}
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    try:
        project = load_project([path], LoadOptions(environ={}, display_root=tmp_path))
    except SeawallError:
        return
    report = check_project(project, Config())
    crashes = [e for e in report.errors if e.kind == "rule-crash"]
    assert crashes == []
    for error in report.errors:  # shape errors found while building workloads name the line
        assert error.kind == "parse" and error.message.startswith("line ")
