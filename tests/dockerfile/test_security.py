"""Unit tests for the Dockerfile security rules (DF002-DF049) beyond the fixture folders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from corpus import SHARED
from seawall.config import Config
from seawall.engine import make_context, run_rules
from seawall.errors import ParseError
from seawall.model.finding import Finding
from seawall.model.source import SourceFile, Span
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.rules._base import Rule
from seawall.rules.dockerfile.security_rules import SECURITY_RULES
from seawall.targets.dockerfile import check_dockerfile

MY_RULES = [r for r in SECURITY_RULES if "DF002" <= r.meta.id <= "DF049"]
CORPUS = SHARED / "corpus" / "dockerfiles"
_BLOCK = re.compile(r"```dockerfile\n(.*?)```", re.S)


def run(rule: Rule[Any], text: str, target: str = "Dockerfile", **extra: Any) -> list[Finding]:
    """Findings of one rule on Dockerfile text."""
    source = SourceFile(target, text)
    df = parse_dockerfile(source)
    ctx = make_context(Config(), target, source)
    ctx.extra.update(extra)
    found, errors = run_rules([rule], df, ctx)
    assert not errors, errors
    return found


def _examples(rule: Rule[Any]) -> tuple[str, str]:
    doc = type(rule).__doc__ or ""
    example = doc.split("## Example", 1)[1].split("## Fix safety", 1)[0]
    bad_part, good_part = example.split("Use instead:", 1)
    bad = _BLOCK.search(bad_part)
    good = _BLOCK.search(good_part)
    assert bad and good, rule.meta.id
    dedent = re.compile(r"^    ", re.M)
    return dedent.sub("", bad.group(1)), dedent.sub("", good.group(1))


def test_ids_are_consecutive_from_df002() -> None:
    ids = [r.meta.id for r in MY_RULES]
    assert ids == [f"DF{n:03d}" for n in range(2, 2 + len(ids))]


@pytest.mark.parametrize("rule", MY_RULES, ids=[r.meta.id for r in MY_RULES])
def test_docstring_example_fires_and_alternative_does_not(rule: Rule[Any]) -> None:
    doc = type(rule).__doc__ or ""
    sections = re.findall(r"^\s*## (.+)$", doc, re.M)
    assert sections == ["What it does", "Why is this bad?", "Example", "Fix safety"]
    bad, good = _examples(rule)
    assert run(rule, bad, "app/Dockerfile"), f"{rule.meta.id}: example does not fire"
    assert run(rule, good, "app/Dockerfile", dockerignore=[".git", ".env", "*.pem", "*.key"]) == []


@pytest.mark.parametrize("rule", MY_RULES, ids=[r.meta.id for r in MY_RULES])
def test_meta_is_complete(rule: Rule[Any]) -> None:
    meta = rule.meta
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", meta.name)
    assert meta.references and meta.remediation and meta.title


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_runs_without_rule_crashes() -> None:
    config = Config(select=tuple(r.meta.id for r in MY_RULES))
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    checked = 0
    for path in files:
        report = check_dockerfile(path, str(path.relative_to(CORPUS)), config)
        assert all(e.kind == "parse" for e in report.errors), report.errors
        checked += not report.errors
    assert checked > 400


def _rule(rule_id: str) -> Rule[Any]:
    return next(r for r in MY_RULES if r.meta.id == rule_id)


def test_dev_containers_are_not_judged_as_shipped_images() -> None:
    text = "FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\n"
    for rule_id in ("DF004", "DF017", "DF018"):
        assert run(_rule(rule_id), text, "proj/Dockerfile"), rule_id
        assert run(_rule(rule_id), text, "proj/.devcontainer/Dockerfile") == [], rule_id


def test_secret_values_never_appear_in_messages() -> None:
    secret = "s3cr3t-Value-42"
    text = (
        f"FROM alpine:3.20\nENV DB_PASSWORD={secret}\n"
        "ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
        f"RUN wget https://deploy:{secret}@repo.example.com/x\n"
    )
    found = [f for rid in ("DF005", "DF006") for f in run(_rule(rid), text)]
    assert len(found) == 3
    for finding in found:
        assert secret not in finding.message and "AKIAIOSFODNN7EXAMPLE" not in finding.message


def test_severity_depends_on_where_it_ships() -> None:
    copy = "FROM alpine:3.20 AS build\nCOPY id_rsa /root/.ssh/\nFROM alpine:3.20\nCOPY .env /app/\n"
    found = sorted(
        (f.location.span or Span(0, 0), f.severity.name) for f in run(_rule("DF007"), copy)
    )
    assert [severity for _, severity in found] == ["MEDIUM", "HIGH"]
    env = (
        "FROM node:22 AS b\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\n"
        "FROM node:22\nENV PYTHONHTTPSVERIFY=0\n"
    )
    assert sorted(f.severity.name for f in run(_rule("DF020"), env)) == ["HIGH", "MEDIUM"]
    url = (
        "FROM alpine:3.20\nRUN wget https://u:hunter2pass@example.com/x\nENV K=ghp_"
        + "a" * 36
        + "\n"
    )
    assert sorted(f.severity.name for f in run(_rule("DF006"), url)) == ["CRITICAL", "HIGH"]


def test_secret_mount_suggestion_is_display_only() -> None:
    text = 'FROM node:22-slim\nENV NPM_TOKEN=""\nRUN echo $NPM_TOKEN > .npmrc\n'
    (finding,) = run(_rule("DF009"), text)
    assert finding.fix is not None and finding.fix.applicability.value == "display-only"
    assert finding.fix.edits[0].content == "--mount=type=secret,id=npm_token,env=NPM_TOKEN "
    # Declared by a default-less ARG of the stage: the mount is applied (unsafe), ARG removed.
    (finding,) = run(_rule("DF009"), text.replace('ENV NPM_TOKEN=""', "ARG NPM_TOKEN"))
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"
    assert [e.content for e in finding.fix.edits] == [
        "--mount=type=secret,id=npm_token,env=NPM_TOKEN ",
        "",
    ]


def test_digest_rule_shipped_only_option() -> None:
    text = "FROM golang:1.22 AS build\nFROM alpine:3.20\n"
    rule = _rule("DF003")
    source = SourceFile("Dockerfile", text)
    config = Config(rule_options={"DF003": {"shipped-only": True}})
    found, _ = run_rules(
        [rule], parse_dockerfile(source), make_context(config, "Dockerfile", source)
    )
    assert [f.message for f in found] == ["base image 'alpine:3.20' is not pinned by digest"]
    assert len(run(rule, text)) == 2


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        ([".git"], ".git", True),
        ([".git"], "sub/.git", False),
        (["**/.env"], "a/b/.env", True),
        (["**/.env"], ".env", True),
        (["*", "!src"], ".env", True),
        (["*", "!src"], "src", False),
        (["*.pem", "!public.pem"], "public.pem", False),
        (["/.git/"], ".git", True),
        (["secrets"], "secrets/key.pem", True),
    ],
)
def test_dockerignore_matching(patterns: list[str], path: str, excluded: bool) -> None:
    from seawall.rules.dockerfile.sensitive_copies import is_excluded

    assert is_excluded(path, patterns) is excluded


@pytest.mark.parametrize(
    ("mode", "world", "setid"),
    [
        ("777", True, None),
        ("0666", True, None),
        ("1777", False, None),
        ("755", False, None),
        ("4755", False, "setuid"),
        ("2755", False, "setgid"),
        ("6755", False, "setuid and setgid"),
        ("3777", False, "setgid"),
        ("a+rwx", True, None),
        ("go+w", True, None),
        ("+w", False, None),
        ("a+t,o+w", False, None),
        ("u+s", False, "setuid"),
        ("+s", False, "setuid and setgid"),
        ("g-s", False, None),
        ("o-w", False, None),
    ],
)
def test_mode_parsing(mode: str, world: bool, setid: str | None) -> None:
    from seawall.rules.dockerfile.privileges import setid_bits, world_writable

    assert world_writable(mode) is world
    assert setid_bits(mode) == setid


def test_windows_shell_stages_are_not_tokenized_as_posix() -> None:
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN curl.exe -k https://example.com/x | iex\n"
    )
    assert run(_rule("DF019"), text) == []
    assert run(_rule("DF010"), text) == []


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


@pytest.mark.parametrize("rule", MY_RULES, ids=[r.meta.id for r in MY_RULES])
def test_rule_never_crashes_on_any_dockerfile_fixture(rule: Rule[Any]) -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and "Dockerfile" in p.name]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            parse_dockerfile(SourceFile(path.name, text))
        except ParseError:  # fixtures of parse-error rules are not our concern
            continue
        run(rule, text, path.name)
