"""Fix choices of DF001 (non-root user) and DF009 (secret mounts) beyond the fixture folders."""

from __future__ import annotations

import pytest

from seawall.config import Config
from seawall.engine import make_context, run_rules
from seawall.fixer import fix_until_stable
from seawall.model.finding import Finding
from seawall.model.fix import Applicability
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.rules import RULES_BY_ID
from seawall.rules.dockerfile._user_fix import builtin_user, image_family


def _findings(rule_id: str, text: str, options: dict[str, object] | None = None) -> list[Finding]:
    source = SourceFile("Dockerfile", text)
    config = Config(rule_options={rule_id: options or {}})
    found, errors = run_rules(
        [RULES_BY_ID[rule_id]], parse_dockerfile(source), make_context(config, "Dockerfile", source)
    )
    assert not errors
    return found


def _validate(text: str) -> None:
    parse_dockerfile(SourceFile("Dockerfile", text))


def _fixed(rule_id: str, text: str, options: dict[str, object] | None = None) -> str:
    fixed, _ = fix_until_stable(
        text, "Dockerfile", lambda t: _findings(rule_id, t, options), _validate, unsafe=True
    )
    return fixed


@pytest.mark.parametrize(
    ("base", "family"),
    [
        ("debian:bookworm-slim", "debian"),
        ("ubuntu:24.04", "debian"),
        ("python:3.12-slim", "debian"),
        ("docker.io/library/node:22", "debian"),
        ("node:22-alpine", "alpine"),
        ("alpine:3.20", "alpine"),
        ("busybox:1.36", "alpine"),
        ("fedora:40", "rpm"),
        ("mcr.microsoft.com/powershell:lts-debian-11", "debian"),
        ("example.org/tools:2-bookworm", "debian"),
        ("example.org/tools:ubuntu22.04", "debian"),
        ("example.org/tools:debianish", "unknown"),
        ("gcr.io/distroless/python3-debian12", "shellless"),
        ("cgr.dev/chainguard/python:latest", "shellless"),
        ("scratch", "shellless"),
        ("rockylinux:9-minimal", "unknown"),
        ("mcr.microsoft.com/windows/servercore:ltsc2022", "unknown"),
        ("myorg/runtime:1", "unknown"),
        (None, "unknown"),
    ],
)
def test_image_family(base: str | None, family: str) -> None:
    assert image_family(base) == family


@pytest.mark.parametrize(
    ("base", "user"),
    [
        ("node:22-alpine", "node"),
        ("mcr.microsoft.com/devcontainers/javascript-node:16", "node"),
        ("mcr.microsoft.com/vscode/devcontainers/python:3.12", "vscode"),
        ("mcr.microsoft.com/vscode/devcontainers/universal:2-linux", "codespace"),
        ("python:3.12", None),
    ],
)
def test_builtin_users(base: str, user: str | None) -> None:
    assert builtin_user(base) == user


def test_unknown_base_is_only_a_suggestion() -> None:
    text = 'FROM myorg/runtime:1\nCOPY app /app\nCMD ["/app"]\n'
    (finding,) = _findings("DF001", text)
    assert finding.fix is not None and finding.fix.applicability is Applicability.DISPLAY_ONLY
    assert "USER 10001:10001" in finding.fix.edits[0].content
    assert _fixed("DF001", text) == text


def test_windows_stage_is_only_a_suggestion() -> None:
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN apt-get update\n"
    (finding,) = _findings("DF001", text)
    assert finding.fix is not None and finding.fix.applicability is Applicability.DISPLAY_ONLY


def test_user_name_and_uid_options() -> None:
    text = 'FROM debian:12\nWORKDIR /srv\nCOPY . .\nENTRYPOINT ["/srv/run"]\n'
    fixed = _fixed("DF001", text, {"fix-user": "svc", "fix-uid": 20000})
    assert fixed == (
        "FROM debian:12\nWORKDIR /srv\nCOPY . .\n"
        "RUN groupadd -r -g 20000 svc && useradd -r -l -u 20000 -g svc -M"
        " -s /usr/sbin/nologin svc && chown svc:svc /srv\n"
        'USER 20000:20000\nENTRYPOINT ["/srv/run"]\n'
    )


def test_workdir_root_or_variable_is_not_chowned() -> None:
    for workdir in ("/", "$APP_HOME"):
        text = f'FROM alpine:3.20\nWORKDIR {workdir}\nCMD ["sh"]\n'
        assert "chown" not in _fixed("DF001", text)


def test_user_goes_after_the_last_run_even_behind_metadata() -> None:
    text = (
        'FROM alpine:3.20\nEXPOSE 8080\nCMD ["app"]\nRUN apk add --no-cache curl\n'
        "HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\n"
    )
    fixed = _fixed("DF001", text)
    lines = fixed.splitlines()
    assert lines.index("USER 10001:10001") == lines.index("RUN apk add --no-cache curl") + 2
    assert _findings("DF001", fixed) == []


def test_secret_mount_only_for_the_variable_it_sets() -> None:
    text = (
        "FROM alpine:3.20\nARG NPM_TOKEN\nARG GH_TOKEN\n"
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN echo $NPM_TOKEN $GH_TOKEN\n"
    )
    (finding,) = _findings("DF009", text)
    assert "GH_TOKEN" in finding.message
    fixed = _fixed("DF009", text)
    assert fixed == (
        "FROM alpine:3.20\nARG NPM_TOKEN\n"
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN "
        "--mount=type=secret,id=gh_token,env=GH_TOKEN echo $NPM_TOKEN $GH_TOKEN\n"
    )


def test_secret_fix_keeps_an_arg_that_declares_other_names() -> None:
    text = "FROM alpine:3.20\nARG NPM_TOKEN OTHER\nRUN echo $NPM_TOKEN\n"
    fixed = _fixed("DF009", text)
    assert fixed == (
        "FROM alpine:3.20\nARG NPM_TOKEN OTHER\n"
        "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN echo $NPM_TOKEN\n"
    )


def test_secret_in_another_stage_or_with_default_is_a_suggestion() -> None:
    text = (
        "FROM alpine:3.20 AS base\nARG API_TOKEN\n\nFROM base\nRUN wget --header"
        ' "Authorization: Bearer $API_TOKEN" https://example.com/\n'
    )
    for variant in (text, "FROM alpine:3.20\nARG API_TOKEN=x\nRUN echo $API_TOKEN\n"):
        (finding,) = _findings("DF009", variant)
        assert finding.fix is not None
        assert finding.fix.applicability is Applicability.DISPLAY_ONLY
        assert _fixed("DF009", variant) == variant


def test_quoted_heredoc_is_mounted() -> None:
    text = "FROM alpine:3.20\nARG API_TOKEN\nRUN <<'EOT'\nwget -q --header \"X-Token: $API_TOKEN\" https://example.com/\nEOT\n"
    fixed = _fixed("DF009", text)
    assert fixed.startswith(
        "FROM alpine:3.20\nRUN --mount=type=secret,id=api_token,env=API_TOKEN <<'EOT'\n"
    )
    assert _findings("DF009", fixed) == []


@pytest.mark.parametrize(
    ("text", "applicability"),
    [
        ("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n", Applicability.SAFE),
        (
            "FROM debian:12 AS base\nRUN apt-get update && apt-get install -y curl\n"
            "FROM base\nRUN apt-get install -y git && rm -rf /var/lib/apt/lists/*\n",
            Applicability.UNSAFE,  # a later stage installs from the index
        ),
        ("FROM debian:12\nRUN apt-get update; apt-get install -y curl;\n", None),
        ("FROM debian:12\nRUN apt-get update && apt-get install -y curl # tools\n", None),
        ('FROM debian:12\nRUN ["sh", "-c", "apt-get update"]\n', None),
    ],
)
def test_package_cache_cleanup_safety(text: str, applicability: Applicability | None) -> None:
    (finding,) = _findings("DF053", text)
    got = finding.fix.applicability if finding.fix is not None else None
    assert got is applicability


def test_package_cache_cleanup_keeps_continuation_style() -> None:
    text = "FROM fedora:40\nRUN dnf install -y \\\n\thttpd\n"
    assert (
        _fixed("DF053", text)
        == "FROM fedora:40\nRUN dnf install -y \\\n\thttpd \\\n\t&& dnf clean all\n"
    )


def test_crlf_files_keep_crlf() -> None:
    text = "FROM debian:12\r\nWORKDIR /app\r\nRUN apt-get update && \\\r\n  apt-get install -y curl\r\n"
    fixed = _fixed("DF001", _fixed("DF053", text))
    assert fixed.count("\n") == fixed.count("\r\n") == 7
    assert "USER 10001:10001\r\n" in fixed and "  && rm -rf /var/lib/apt/lists/*\r\n" in fixed
