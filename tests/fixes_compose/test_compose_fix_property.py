"""Property: a fixed Compose file loads to the same model as the original except the keys the
fixes are meant to change, and keeps the comments it had."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawall.config import Config
from seawall.fixes.compose import plan_compose_fixes
from seawall.parsers.compose import ComposeProject, LoadOptions, load_project
from seawall.parsers.yamldoc import to_python

# Keys the fixes set, add or remove; everything else must load unchanged.
INTENDED = {
    "privileged",
    "cap_drop",
    "cap_add",
    "read_only",
    "tmpfs",
    "security_opt",
    "mem_limit",
    "cpus",
    "pids_limit",
    "user",
    "networks",
    "secrets",
    "ports",
    "environment",
}
IMAGES = ("postgres:16", "nginx:1.27", "redis:7.4", "example/app:1.0", "mysql:8.4")


@st.composite
def services(draw: st.DrawFn) -> str:
    step = draw(st.sampled_from((2, 4)))
    seq_offset = draw(st.sampled_from((0, step)))
    pad1, pad2 = " " * step, " " * (2 * step)
    item = " " * (2 * step + seq_offset) + "- "
    lines = ["# generated project", "services:"]
    names = draw(
        st.lists(
            st.sampled_from(("web", "api", "db", "cache", "job")),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    for name in names:
        lines.append(f"{pad1}# the {name} service")
        lines.append(f"{pad1}{name}:")
        image = draw(st.sampled_from(IMAGES))
        lines.append(f"{pad2}image: {image}  # pinned later")
        if draw(st.booleans()):
            lines.append(f"{pad2}privileged: {draw(st.sampled_from(('true', 'false')))}")
        if draw(st.booleans()):
            user = draw(st.sampled_from(("root", '"1000"', '"0:0"')))
            lines.append(f"{pad2}user: {user}")
        if draw(st.booleans()):
            lines.append(f"{pad2}read_only: false")
        if draw(st.booleans()):
            if draw(st.booleans()):
                lines.append(f"{pad2}cap_drop: [NET_RAW]")
            else:
                lines += [f"{pad2}cap_add:", f"{item}CHOWN"]
        if draw(st.booleans()):
            lines += [f"{pad2}ports:", f'{item}"{draw(st.integers(1, 65535))}:80"']
            if draw(st.booleans()):
                lines.append(f"{item}127.0.0.1:9000:9000")
        if draw(st.booleans()):
            secret = draw(st.sampled_from(("POSTGRES_PASSWORD", "MYSQL_PASSWORD", "API_TOKEN")))
            if draw(st.booleans()):
                lines += [
                    f"{pad2}environment:",
                    f"{pad2}{pad1}{secret}: hunter2",
                    f"{pad2}{pad1}A: b",
                ]
            else:
                lines += [f"{pad2}environment:", f"{item}{secret}=hunter2", f"{item}A=b"]
        if draw(st.booleans()):
            lines += [f"{pad2}command: |", f"{pad2}{pad1}run --flag", ""]
        if draw(st.booleans()):
            lines += [
                f"{pad2}deploy:",
                f"{pad2}{pad1}resources:",
                f"{pad2}{pad1}{pad1}reservations:",
                f"{pad2}{pad1}{pad1}{pad1}memory: 64m",
            ]
        if draw(st.booleans()):
            lines.append(f"{pad2}restart: unless-stopped  # keep")
    return "\n".join(lines) + "\n"


def _service_model(project: ComposeProject) -> dict[str, Any]:
    out = {}
    for name, service in project.services.items():
        data = {k: v for k, v in to_python(service.node).items() if k not in INTENDED}
        deploy = data.get("deploy")
        if isinstance(deploy, dict) and isinstance(deploy.get("resources"), dict):
            deploy["resources"].pop("limits", None)
        data["ports"] = sorted((p.published, p.target, p.protocol) for p in service.ports)
        env = {v.name: v.value for v in service.environment}
        data["environment"] = {k: v for k, v in env.items() if not k.endswith("_FILE")}
        out[name] = data
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(services())
def test_fixed_file_loads_to_the_same_model_except_intended_keys(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compose.yaml"
        path.write_text(text)
        options = LoadOptions(environ={}, display_root=Path(folder))
        original = load_project([path], options)
        plan = plan_compose_fixes([path], Config(), unsafe=True, options=options)
        assert plan.applied, "every generated service lacks cap_drop ALL and limits"
        texts = {c.path: c.fixed for c in plan.changes if not c.created}
        fixed_text = texts.get(path.resolve(), text)
        fixed = load_project([path], LoadOptions(environ={}, texts=texts))
    before, after = _service_model(original), _service_model(fixed)
    for name in before:
        moved = {
            k
            for k in before[name]["environment"]
            if f"{k}_FILE" in {v.name for v in fixed.services[name].environment}
        }
        before[name]["environment"] = {
            k: v for k, v in before[name]["environment"].items() if k not in moved
        }
    assert after == before
    # Top-level keys other than the networks and secrets the fixes declare are unchanged.
    top_before = {k: v for k, v in to_python(original.root).items() if k != "services"}
    top_after = {
        k: v
        for k, v in to_python(fixed.root).items()
        if k not in ("services", "networks", "secrets")
    }
    assert top_after == top_before
    # Every comment is still there except those describing a deleted 'privileged' key.
    for line in text.splitlines():
        if "#" in line:
            assert line.split("#", 1)[1] in fixed_text
    # Fixing again changes nothing.
    assert not [
        f
        for f in plan.remaining
        if f.fix is not None and f.fix.edits and f.fix.applicability.value != "display-only"
    ]


@st.composite
def overrides(draw: st.DrawFn) -> tuple[str, str]:
    base = draw(services())
    names = [
        line.strip().rstrip(":")
        for line in base.splitlines()
        if line.endswith(":")
        and line.startswith(" ")
        and line.strip()[:-1].isalpha()
        and not line.startswith("     ")
        and line.strip()[:-1] in ("web", "api", "db", "cache", "job")
    ]
    lines = ["services:"]
    for name in draw(st.lists(st.sampled_from(names), unique=True)) if names else []:
        lines.append(f"  {name}:")
        body = draw(
            st.lists(
                st.sampled_from(
                    (
                        "    privileged: true",
                        "    read_only: false",
                        "    user: root",
                        "    pids_limit: 0",
                        "    security_opt:\n      - no-new-privileges:false",
                        "    ports:\n      - '5432:5432'",
                    )
                ),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        lines.extend(body)
    return base, "\n".join(lines) + "\n"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(overrides())
def test_fixed_override_project_loads_to_the_same_model(texts: tuple[str, str]) -> None:
    base_text, override_text = texts
    with tempfile.TemporaryDirectory() as folder:
        base, override = Path(folder) / "compose.yaml", Path(folder) / "compose.override.yaml"
        base.write_text(base_text)
        override.write_text(override_text)
        options = LoadOptions(environ={}, display_root=Path(folder))
        original = load_project([base, override], options)
        plan = plan_compose_fixes([base, override], Config(), unsafe=True, options=options)
        changed = {c.path: c.fixed for c in plan.changes if not c.created}
        fixed = load_project([base, override], LoadOptions(environ={}, texts=changed))
    before, after = _service_model(original), _service_model(fixed)
    for name in before:
        fixed_env = {v.name for v in fixed.services[name].environment}
        before[name]["environment"] = {
            k: v for k, v in before[name]["environment"].items() if f"{k}_FILE" not in fixed_env
        }
    assert after == before
    # Values set in the override file were fixed there, not shadowed from the base file.
    for finding in plan.remaining:
        assert finding.fix is None or "not applied" in finding.fix.title
    for service in fixed.services.values():
        assert service.get("privileged") is None or to_python(service.get("privileged")) is False
