"""Per-rule fixture folders for Dockerfile rules (DESIGN §8).

``tests/fixtures/rules/<ID>/`` holds ``bad*.Dockerfile`` (an ``# expect: <ID>`` comment on the line
before each expected finding), ``good*.Dockerfile`` (must not fire), optional ``bad*.fixed.Dockerfile``
(the text after applying the rule's safe and unsafe fixes) and optional ``options.toml`` (rule options).
Folders ``bad*/``/``good*/`` holding a ``Dockerfile`` (plus e.g. a ``.dockerignore``) work the same.
Adding a rule means adding a folder, not test code.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from seawall.config import Config
from seawall.fixer import fix_until_stable
from seawall.model.finding import Finding
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import parse_dockerfile
from seawall.rules import ALL_RULES, RULES_BY_ID
from seawall.rules._base import TargetKind
from seawall.targets.dockerfile import check_dockerfile

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)")
DOCKERFILE_RULE_IDS = sorted(
    r.meta.id for r in ALL_RULES if TargetKind.DOCKERFILE in r.meta.targets
)


def _cases() -> list[tuple[str, Path]]:
    cases: list[tuple[str, Path]] = []
    for rule_id in DOCKERFILE_RULE_IDS:
        folder = FIXTURES / rule_id
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir()):
            name = item.name
            if ".fixed" in name or not name.startswith(("bad", "good")):
                continue
            if item.is_dir() and (item / "Dockerfile").is_file():
                cases.append((rule_id, item / "Dockerfile"))
            elif item.is_file() and name.endswith("Dockerfile"):
                cases.append((rule_id, item))
    return cases


CASES = _cases()


def _config(rule_id: str) -> Config:
    options_file = FIXTURES / rule_id / "options.toml"
    options = tomllib.loads(options_file.read_text()) if options_file.is_file() else {}
    return Config(select=(rule_id,), rule_options={rule_id: options}, fail_on=Config().fail_on)


def _expected_lines(text: str, rule_id: str) -> list[int]:
    expected = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        m = EXPECT.search(line)
        if m and rule_id in [x.strip() for x in m.group(1).split(",")]:
            nxt = index + 1
            while nxt < len(lines) and lines[nxt].lstrip().startswith("# expect:"):
                nxt += 1
            expected.append(nxt + 1)
    return sorted(expected)


def _findings(path: Path, rule_id: str) -> tuple[list[Finding], SourceFile]:
    report = check_dockerfile(path, path.name, _config(rule_id))
    assert not report.errors, report.errors
    findings = [f for f in report.findings if f.rule_id == rule_id]
    return findings, report.sources[path.name]


def test_every_dockerfile_rule_has_fixtures() -> None:
    missing = [rid for rid in DOCKERFILE_RULE_IDS if not (FIXTURES / rid).is_dir()]
    assert not missing, f"rules without a fixture folder: {missing}"
    for rid in DOCKERFILE_RULE_IDS:
        names = [p.name for p in (FIXTURES / rid).iterdir()]
        assert any(n.startswith("bad") for n in names), f"{rid}: no bad fixture"
        assert any(n.startswith("good") for n in names), f"{rid}: no good fixture"


@pytest.mark.parametrize(
    ("rule_id", "path"), CASES, ids=[f"{r}/{p.relative_to(FIXTURES / r)}" for r, p in CASES]
)
def test_fixture(rule_id: str, path: Path) -> None:
    findings, source = _findings(path, rule_id)
    lines = sorted(source.position(f.location.span.start).line for f in findings if f.location.span)
    rel = path.relative_to(FIXTURES / rule_id)
    if rel.parts[0].startswith("good"):
        assert findings == [], [f.message for f in findings]
        return
    expected = _expected_lines(source.text, rule_id)
    assert expected, f"{path}: bad fixture without '# expect: {rule_id}' markers"
    assert lines == expected, [f.message for f in findings]
    fixed_path = (
        path.with_name(path.name.replace("Dockerfile", "fixed.Dockerfile", 1))
        if path.name != "Dockerfile"
        else path.with_name("Dockerfile.fixed")
    )
    if not fixed_path.exists():
        return
    config = _config(rule_id)

    def find(text: str) -> list[Finding]:
        tmp_source = SourceFile(path.name, text)
        df = parse_dockerfile(tmp_source)
        from seawall.engine import make_context, run_rules

        ctx = make_context(config, path.name, tmp_source)
        found, errors = run_rules([RULES_BY_ID[rule_id]], df, ctx)
        assert not errors
        return found

    def validate(text: str) -> None:
        parse_dockerfile(SourceFile(path.name, text))

    fixed, applied = fix_until_stable(source.text, path.name, find, validate, unsafe=True)
    assert applied > 0
    assert fixed == fixed_path.read_text()
    again, applied_again = fix_until_stable(fixed, path.name, find, validate, unsafe=True)
    assert again == fixed and applied_again == 0, "fix is not idempotent"
    remaining = [
        f for f in find(fixed) if f.fix is not None and f.fix.applicability.value != "display-only"
    ]
    assert remaining == [], "the fixed text still has fixable findings"
