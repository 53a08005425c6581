"""A small fixed Report, with its own rules, that every reporter golden test renders.

The report exercises what reporters must get right: tabs and wide characters before a span,
multi-line spans, zero-length spans, JSON-pointer locations, findings without a position, a rule
the registry does not know, fixes of every applicability (one editing another file), characters
that need escaping in XML/JSON, target errors, suppressed and baselined counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus import SHARED
from seawall.model.finding import Finding, Location, Report, Severity, TargetError
from seawall.model.fix import Edit, Fix
from seawall.model.source import SourceFile, Span
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)

GOLDEN = Path(__file__).parent / "golden"
REPO_ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
UPDATE_GOLDENS = os.environ.get("SEAWALL_UPDATE_GOLDENS") == "1"

DOCKERFILE = (
    "FROM debian:12\n"
    "ADD\tapp.tar /app/\n"
    "RUN apt-get update && \\\n"
    "    apt-get install -y curl\n"
    "USER root\n"
)
COMPOSE = 'services:\n  web:\n    image: "网页/nginx"\n    ports:\n      - "80:80"\n'


class SampleRootUser(Rule[Any]):
    """## What it does
    Reports a stage that ends as root.

    ## Why is this bad?
    Root in a container is root on the host kernel.

    ## Example
    ```dockerfile
    FROM debian:12
    USER root
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    USER 10001
    ```

    ## Fix safety
    Changing the user may break writes to root-owned paths.
    """

    meta = RuleMeta(
        id="TS001",
        name="sample-root-user",
        title="Sample: the image runs as root",
        severity=Severity.HIGH,
        targets=frozenset({TargetKind.DOCKERFILE}),
        remediation="End the stage with `USER <uid>`.",
        references=(
            CIS_DOCKER.control("4.1", "Ensure that a user for the container has been created"),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=("DL3002", "CKV_DOCKER_8"),
        fix=FixAvailability.SOMETIMES,
        options=(Option("allowed-users", ["nobody"], "Users that count as unprivileged | safe."),),
    )


class SamplePublishedPort(Rule[Any]):
    """## What it does
    Reports ports published on every interface.

    ## Why is this bad?
    The service is reachable from outside the host.

    ## Example
    ```yaml
    ports: ["80:80"]
    ```

    Use instead:
    ```yaml
    ports: ["127.0.0.1:80:80"]
    ```

    ## Fix safety
    Binding to loopback changes who can reach the port.
    """

    meta = RuleMeta(
        id="TS002",
        name="sample-published-port",
        title="Sample: port published on all interfaces",
        severity=Severity.MEDIUM,
        targets=frozenset({TargetKind.COMPOSE, TargetKind.WORKLOAD}),
        remediation="Bind published ports to 127.0.0.1.",
        fix=FixAvailability.ALWAYS,
        tags=("network",),
    )


class SampleImageUser(Rule[Any]):
    """## What it does
    Reports an image config without a user.
    """

    meta = RuleMeta(
        id="TS003",
        name="sample-image-user",
        title="Sample: image config has no user",
        severity=Severity.LOW,
        targets=frozenset({TargetKind.IMAGE}),
        remediation="Set `USER` when building the image.",
        default_enabled=False,
    )


SAMPLE_RULES: dict[str, Rule[Any]] = {
    rule.meta.id: rule for rule in (SampleRootUser(), SamplePublishedPort(), SampleImageUser())
}


def _span(text: str, needle: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle))


def build_sample_report() -> Report:
    """The fixed report the goldens are rendered from (findings deliberately unsorted)."""
    dockerfile = SourceFile("Dockerfile", DOCKERFILE)
    compose = SourceFile("compose.yaml", COMPOSE)
    root, port, image = (SAMPLE_RULES[i] for i in ("TS001", "TS002", "TS003"))
    df_ctx = Context(target="Dockerfile", source=dockerfile)
    compose_ctx = Context(target="compose.yaml", source=compose)
    user_span = _span(DOCKERFILE, "root")
    run_span = Span(DOCKERFILE.index("RUN"), DOCKERFILE.index("curl") + len("curl"))
    port_span = _span(COMPOSE, '"80:80"')
    nginx_span = _span(COMPOSE, "nginx")
    end_of_web = COMPOSE.index("web:") + len("web:")
    findings = [
        df_ctx.finding(
            root,
            "the shipped stage runs as root",
            span=user_span,
            fix=Fix.safe("Run as an unprivileged user", Edit(user_span, "10001")),
        ),
        df_ctx.finding(
            root,
            'RUN installs packages as root & <never> drops "privileges" \x1b[0m',
            span=run_span,
            severity=Severity.CRITICAL,
            fix=Fix.unsafe(
                "Add a user and ignore the archive",
                Edit.insert(run_span.end, "\nRUN useradd --uid 10001 app"),
                Edit.insert(0, "app.tar\n", path=".dockerignore"),
            ),
        ),
        compose_ctx.finding(
            port,
            "port 80 is published on 0.0.0.0",
            span=port_span,
            fix=Fix.safe("Bind to 127.0.0.1", Edit(port_span, '"127.0.0.1:80:80"')),
        ),
        compose_ctx.finding(
            port,
            "image pulled without a tag",
            span=nginx_span,
            severity=Severity.LOW,
            fix=Fix.display_only("Pin the image", Edit(nginx_span, "nginx:1.27")),
        ),
        # Built with _replace(): Context.finding cannot lower a severity to INFO (INFO is falsy).
        compose_ctx.finding(
            port, "service has no network", span=Span(end_of_web, end_of_web)
        )._replace(severity=Severity.INFO),
        Context(target="alpine:3.19").finding(
            image, "image config sets no user", pointer="/config/User", path="alpine:3.19"
        ),
        Finding(
            rule_id="XX999",
            rule_name="unregistered-rule",
            message="a finding from a rule the registry does not know",
            location=Location("compose.yaml"),
            severity=Severity.INFO,
            target="compose.yaml",
            anchor="0123456789abcdef",
        ),
    ]
    return Report(
        findings=list(reversed(findings)),
        errors=[
            TargetError("broken/Dockerfile", "line 3: unknown instruction FORM", "parse"),
            TargetError("Dockerfile", "rule TS009 crashed: KeyError: 'x'", "rule-crash"),
        ],
        sources={"Dockerfile": dockerfile, "compose.yaml": compose},
        targets=[
            "Dockerfile",
            "compose.yaml",
            "alpine:3.19",
            "clean/Dockerfile",
            "broken/Dockerfile",
        ],
        suppressed=2,
        baselined=1,
    )


@pytest.fixture
def sample_report() -> Report:
    """A fresh copy of the fixed sample report."""
    return build_sample_report()


@pytest.fixture
def sample_rules() -> dict[str, Rule[Any]]:
    """The rules the sample report's findings come from (XX999 deliberately missing)."""
    return dict(SAMPLE_RULES)


@pytest.fixture
def sarif_validator() -> Iterator[Any]:
    """A jsonschema validator for SARIF 2.1.0 (schema read from the shared folder, never copied)."""
    import json

    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    yield cls(schema, format_checker=cls.FORMAT_CHECKER)


def _assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDENS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.is_file(), f"missing golden {path}; run with SEAWALL_UPDATE_GOLDENS=1"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from its golden"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """``golden(name, text)``: compare with ``golden/<name>``; SEAWALL_UPDATE_GOLDENS=1 rewrites."""
    return _assert_golden
