"""Unit tests for the Dockerfile hygiene and reliability rules (DF050-DF099) beyond the fixtures."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest

from corpus import SHARED
from seawall.config import Config
from seawall.engine import make_context, run_rules, select_rules
from seawall.model.finding import Finding
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.parsers.shell import tokenize
from seawall.ruledoc import docstring_sections, example_snippets
from seawall.rules import RULES_BY_ID
from seawall.rules._base import KNOWN_STANDARDS, Rule, TargetKind
from seawall.rules.dockerfile._hygiene_util import insert_after, mounts_of, runs_of
from seawall.rules.dockerfile._package_managers import split_args
from seawall.rules.dockerfile.hygiene_rules import HYGIENE_RULES
from seawall.rules.dockerfile.instructions import port_problem
from seawall.targets.dockerfile import check_dockerfile

CORPUS = SHARED / "corpus" / "dockerfiles"
OPT_IN = {"DF056", "DF060", "DF061"}


def run(rule_id: str, text: str, **options: Any) -> list[Finding]:
    """Findings of one rule on Dockerfile text, with rule options."""
    source = SourceFile("Dockerfile", text)
    df = parse_dockerfile(source)
    config = Config(rule_options={rule_id: options} if options else {})
    found, errors = run_rules(
        [RULES_BY_ID[rule_id]], df, make_context(config, "Dockerfile", source)
    )
    assert not errors, errors
    return found


def lines(findings: list[Finding], text: str) -> list[int]:
    source = SourceFile("Dockerfile", text)
    return [source.position(f.location.span.start).line for f in findings if f.location.span]


def test_ids_are_consecutive_from_df050_and_names_unique() -> None:
    ids = [r.meta.id for r in HYGIENE_RULES]
    assert ids == [f"DF{n:03d}" for n in range(50, 50 + len(ids))]
    names = [r.meta.name for r in HYGIENE_RULES]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)


@pytest.mark.parametrize("rule", HYGIENE_RULES, ids=[r.meta.id for r in HYGIENE_RULES])
def test_metadata(rule: Rule[Any]) -> None:
    meta = rule.meta
    assert meta.targets == frozenset({TargetKind.DOCKERFILE})
    assert meta.references and all(r.standard in KNOWN_STANDARDS for r in meta.references)
    assert meta.aliases, "every rule maps to at least one peer id"
    assert meta.default_enabled == (meta.id not in OPT_IN)


@pytest.mark.parametrize("rule", HYGIENE_RULES, ids=[r.meta.id for r in HYGIENE_RULES])
def test_docstring_example_fires_and_alternative_does_not(rule: Rule[Any]) -> None:
    assert list(docstring_sections(rule)) == [
        "What it does",
        "Why is this bad?",
        "Example",
        "Fix safety",
    ]
    bad, good = example_snippets(rule)
    assert run(rule.meta.id, bad), f"{rule.meta.id}: the example does not fire"
    assert run(rule.meta.id, good) == [], f"{rule.meta.id}: 'Use instead' fires"


def test_aliases_do_not_collide_between_hygiene_rules() -> None:
    owners: dict[str, str] = {}
    for rule in HYGIENE_RULES:
        for alias in rule.meta.aliases:
            assert alias not in owners, f"{alias} in {owners.get(alias)} and {rule.meta.id}"
            owners[alias] = rule.meta.id


def test_opt_in_rules_are_not_selected_by_default_but_by_alias() -> None:
    default = {r.meta.id for r in select_rules(Config(), TargetKind.DOCKERFILE)}
    assert OPT_IN.isdisjoint(default)
    assert {"DF050", "DF081"} <= default
    chosen = {
        r.meta.id for r in select_rules(Config(extend_select=("DL3008",)), TargetKind.DOCKERFILE)
    }
    assert "DF060" in chosen


@pytest.mark.parametrize(
    ("word", "valid"),
    [
        ("80", True),
        ("0", True),
        ("65535", True),
        ("443/tcp", True),
        ("53/UDP", True),
        ("3868/sctp", True),
        ("8000-8010/tcp", True),
        ("65536", False),
        ("80800", False),
        ("9000-8000", False),
        ("53/dns", False),
        ("8080:80", False),
        ("http", False),
        ("80-70000", False),
    ],
)
def test_port_validity(word: str, valid: bool) -> None:
    assert (port_problem(word) is None) is valid


def test_split_args_skips_option_values() -> None:
    cmd = tokenize(
        "apt-get -o Dpkg::Options::=--force-confold -t bookworm-backports install -y curl"
    )[0]
    args = split_args(cmd, ("-o", "-t"))
    assert [w.text for w in args.positionals] == ["install", "curl"]
    assert [w.text for w in args.options] == ["-o", "-t", "-y"]


def test_mounts_are_parsed_with_aliases_for_target() -> None:
    df = parse_dockerfile(
        SourceFile(
            "Dockerfile",
            "FROM debian\nRUN --mount=type=cache,dst=/var/cache/apt --mount=type=secret,id=x "
            "--mount=target=/src true\n",
        )
    )
    mounts = mounts_of(df.stages[0].instructions[0])
    assert [(m.type, m.target) for m in mounts] == [
        ("cache", "/var/cache/apt"),
        ("secret", ""),
        ("bind", "/src"),
    ]


def test_runs_are_analysed_once_per_dockerfile() -> None:
    one = parse_dockerfile(SourceFile("a", "FROM debian\nRUN apt-get update\n"))
    two = parse_dockerfile(SourceFile("b", "FROM debian\nRUN apk add curl\n"))
    first = runs_of(one)
    assert runs_of(one) is first
    assert runs_of(two).runs[0].calls[0].manager == "apk"
    assert runs_of(one) is not first  # the cache holds one Dockerfile; recomputed, same content
    assert runs_of(one).runs[0].calls[0].action == "update"


def test_no_fix_when_a_word_span_does_not_map_exactly() -> None:
    # In exec form, the command's offsets come from _util.scripts_of; a fix is only offered when
    # the mapped span holds exactly the word, so an offset error can never corrupt the file.
    text = 'FROM alpine\nRUN ["/bin/sh", "-c", "apk add curl"]\n'
    df = parse_dockerfile(SourceFile("Dockerfile", text))
    cmd = runs_of(df).runs[0].commands[0]
    sub = cmd.program.words[1]
    edit = insert_after(df, cmd, sub, "--no-cache")
    if edit is not None:
        assert df.source.slice(cmd.word_span(sub)) == "add"
    findings = run("DF057", text)
    assert len(findings) == 1
    if findings[0].fix is not None:
        fixed = (
            text[: findings[0].fix.edits[0].span.start]
            + " --no-cache"
            + text[findings[0].fix.edits[0].span.end :]
        )
        assert '"apk add --no-cache curl"' in fixed


def test_size_rules_skip_builder_stages_unless_all_stages() -> None:
    text = (
        "FROM debian:bookworm AS build\n"
        "RUN apt-get update && apt-get install -y gcc\n"
        "FROM debian:bookworm-slim\n"
        "COPY --from=build /out /out\n"
    )
    for rule_id in ("DF052", "DF053"):
        assert run(rule_id, text) == []
        assert lines(run(rule_id, text, **{"all-stages": True}), text) == [2]


def test_pipefail_all_pipes_option() -> None:
    text = (
        "FROM debian:bookworm-slim\nRUN find / -name '*.pyc' | xargs rm -f\nRUN echo x | tee /y\n"
    )
    assert run("DF081", text) == []
    assert lines(run("DF081", text, **{"all-pipes": True}), text) == [2]


def test_useradd_threshold_option() -> None:
    text = "FROM debian:bookworm-slim\nRUN useradd -u 20000 app\n"
    assert run("DF083", text) == []
    assert lines(run("DF083", text, **{"uid-threshold": 10000}), text) == [2]


def test_language_pinning_managers_option() -> None:
    text = "FROM python:3.12\nRUN pip install --no-cache-dir flask && npm install -g typescript\n"
    assert len(run("DF061", text)) == 2
    only_npm = run("DF061", text, managers=["npm"])
    assert [f.message for f in only_npm] == [
        "`npm install` of 'typescript' without a pinned version"
    ]


def test_update_alone_and_cache_skip_nested_scripts() -> None:
    text = (
        "FROM debian\n"
        "RUN apt-get update && bash -c 'apt-get install -y curl && rm -rf /var/lib/apt/lists/*'\n"
    )
    assert run("DF050", text) == []
    assert run("DF053", text) == []


def test_messages_never_quote_secrets_from_env() -> None:
    # DF079 names variables, never values.
    text = "FROM alpine\nENV TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 URL=https://x/$TOKEN\n"
    findings = run("DF079", text)
    assert findings and all("ghp_" not in f.message for f in findings)


# Regression guard against false positives on well-maintained real Dockerfiles: the official
# images follow these practices, so these rules must stay silent on them.
QUIET_ON_OFFICIAL_IMAGES = (
    "DF051",
    "DF054",
    "DF055",
    "DF062",
    "DF064",
    "DF065",
    "DF066",
    "DF069",
    "DF070",
    "DF071",
    "DF072",
    "DF073",
    "DF074",
    "DF076",
    "DF077",
    "DF078",
    "DF080",
    "DF083",
)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_real_corpus_no_crash_and_quiet_where_expected() -> None:
    ids = tuple(r.meta.id for r in HYGIENE_RULES)
    counts: collections.Counter[str] = collections.Counter()
    official: collections.Counter[str] = collections.Counter()
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 400
    for path in files:
        rel = path.relative_to(CORPUS).as_posix()
        report = check_dockerfile(path, rel, Config(select=ids))
        assert all(e.kind == "parse" for e in report.errors), report.errors
        for finding in report.findings:
            counts[finding.rule_id] += 1
            if rel.startswith("docker-library/"):
                official[finding.rule_id] += 1
    assert not {k: v for k, v in official.items() if k in QUIET_ON_OFFICIAL_IMAGES}
    # The rules do find real problems in the corpus (dev containers, personal files).
    assert counts["DF050"] > 0 and counts["DF053"] > 0 and counts["DF081"] > 0


EDGE_CASES = [
    "FROM scratch\n",
    "FROM alpine\nRUN\n",
    "FROM alpine\nRUN --mount=type=cache\n",
    "FROM alpine\nRUN []\n",
    'FROM alpine\nRUN [""]\n',
    "FROM alpine\nEXPOSE\n",
    "FROM alpine\nCOPY onlyone\n",
    "FROM alpine\nCOPY --from= a b\n",
    "FROM alpine AS\n",
    "FROM --platform= alpine\n",
    "FROM alpine\nONBUILD\n",
    "FROM alpine\nENV =x A=$\n",
    "FROM alpine\nWORKDIR\n",
    "FROM alpine\nCMD\nCMD []\nENTRYPOINT [\n",
    "FROM alpine\nMAINTAINER\n",
    "FROM alpine\nRUN apt-get\nRUN apk\nRUN pip\nRUN python -m\nRUN yarn\nRUN useradd -u\n",
    "FROM alpine\nRUN cd\nRUN set -o\nRUN | |\nRUN curl |\n",
    "FROM alpine\nRUN ln -s\nRUN npm install\nRUN gem install\nRUN go install\n",
    "FROM alpine\nRUN <<EOF\nEOF\n",
    "FROM alpine\nSHELL []\nRUN curl x | sh\n",
    "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN apt-get install x | y\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_odd_input_never_crashes_a_rule(text: str) -> None:
    source = SourceFile("Dockerfile", text)
    df = parse_dockerfile(source)
    found, errors = run_rules(list(HYGIENE_RULES), df, make_context(Config(), "Dockerfile", source))
    assert errors == []
    for finding in found:
        assert finding.location.span is None or finding.location.span.end <= len(text)
