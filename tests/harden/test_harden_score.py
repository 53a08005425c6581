"""The hardening score, the per-service summary and the finding-to-service ownership."""

from __future__ import annotations

from pathlib import Path

from seawall.config import Config
from seawall.harden.owners import Ownership
from seawall.harden.plan import Assessment, Change, assess, find_targets
from seawall.harden.score import PROJECT, SEVERITY_WEIGHTS, overall, penalty, score_rows
from seawall.harden.summary import render_summary, summarize
from seawall.model.finding import Finding, Location, Report, Severity
from seawall.model.source import Span


def finding(rule: str, severity: Severity, path: str, start: int, message: str = "") -> Finding:
    return Finding(
        rule_id=rule,
        rule_name=rule.lower(),
        message=message or f"{rule} message",
        location=Location(path, Span(start, start + 1)),
        severity=severity,
        target=path,
        anchor=f"{rule}:{start}",
    )


# docker-compose.yml: "web" written at 10..50, "db" at 50..90; web builds web/Dockerfile.
OWNERS = Ownership(
    services=("web", "db"),
    regions={"docker-compose.yml": ((10, 50, "web"), (50, 90, "db"))},
    dockerfiles={"web/Dockerfile": ("web",), "shared/Dockerfile": ("web", "db")},
)


def test_weights_order_severities_and_info_is_free() -> None:
    ordered = [SEVERITY_WEIGHTS[s] for s in sorted(Severity)]
    assert ordered == sorted(ordered)
    assert SEVERITY_WEIGHTS[Severity.INFO] == 0
    assert penalty([finding("X", Severity.HIGH, "a", 0), finding("Y", Severity.LOW, "a", 1)]) == 23


def test_score_is_100_minus_penalty_floored_at_zero() -> None:
    many = [finding("X", Severity.CRITICAL, "a", i) for i in range(5)]
    rows = score_rows({"web": many, "db": []}, ["web", "db"])
    assert [(r.name, r.score, r.findings, r.penalty) for r in rows] == [
        ("web", 0, 5, 200),
        ("db", 100, 0, 0),
    ]
    assert overall(rows) == 50
    assert overall([]) == 100


def test_project_row_only_when_project_findings_exist() -> None:
    rows = score_rows({PROJECT: [finding("DC1", Severity.MEDIUM, "a", 0)]}, ["web"])
    assert [(r.name, r.score) for r in rows] == [("web", 100), (PROJECT, 92)]


def test_ownership_by_region_and_dockerfile() -> None:
    assert OWNERS.owners(finding("CR003", Severity.MEDIUM, "docker-compose.yml", 12)) == ("web",)
    assert OWNERS.owners(finding("CR003", Severity.MEDIUM, "docker-compose.yml", 50)) == ("db",)
    assert OWNERS.owners(finding("DC002", Severity.MEDIUM, "docker-compose.yml", 95)) == (PROJECT,)
    assert OWNERS.owners(finding("DF001", Severity.HIGH, "web/Dockerfile", 0)) == ("web",)
    shared = finding("DF001", Severity.HIGH, "shared/Dockerfile", 0)
    assert OWNERS.group([shared]) == {"web": [shared], "db": [shared]}


def test_summary_resolved_introduced_remaining_and_backed_out() -> None:
    before = Assessment(
        Report(
            findings=[
                finding("CR003", Severity.MEDIUM, "docker-compose.yml", 12, "web read_only"),
                finding("CR004", Severity.MEDIUM, "docker-compose.yml", 12, "web caps"),
                finding("DF001", Severity.HIGH, "web/Dockerfile", 0, "root"),
                finding("CR003", Severity.MEDIUM, "docker-compose.yml", 55, "db read_only"),
            ]
        ),
        OWNERS,
    )
    after = Assessment(
        Report(
            findings=[
                finding("CR003", Severity.MEDIUM, "docker-compose.yml", 60, "db read_only"),
                finding("CR099", Severity.LOW, "docker-compose.yml", 14, "web new"),
            ]
        ),
        OWNERS,
    )
    backed = Change("docker-compose.yml", 5, "CR003", "read_only: true", ("db",))
    summary = summarize(before, after, [backed])
    web, db = summary.services
    assert (web.name, web.before, web.after) == ("web", 100 - 8 - 8 - 20, 100 - 3)
    assert web.resolved == ("CR003 web read_only", "CR004 web caps", "DF001 root")
    assert web.introduced == ("CR099 web new",)
    assert (db.before, db.after, db.resolved, db.remaining) == (92, 92, (), ("CR003 db read_only",))
    assert db.backed_out == (backed.label,)
    assert summary.before == round((64 + 92) / 2)
    assert summary.after == round((97 + 92) / 2)
    text = render_summary(summary)
    assert "overall" in text and "fixed     DF001 root" in text and "backed out" in text


def test_change_label_names_service_rule_and_place() -> None:
    change = Change("docker-compose.yml", 7, "CR003", "set read_only", ("worker",))
    assert change.label == "worker: CR003 set read_only (docker-compose.yml:7)"
    assert Path(change.path).name == "docker-compose.yml"


def test_ownership_of_a_loaded_project_with_an_override_file(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n"
        "  api:\n"
        "    build:\n"
        "      context: ./api\n"
        "      dockerfile: Containerfile\n"
        "  cache:\n"
        "    image: redis:7\n"
    )
    (tmp_path / "docker-compose.override.yml").write_text(
        "services:\n  cache:\n    privileged: true\n"
    )
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Containerfile").write_text("FROM debian:bookworm\nADD a /a\n")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "Dockerfile").write_text("FROM debian:bookworm\n")
    targets = find_targets(tmp_path, [])
    assert targets.compose_groups == (("docker-compose.yml", "docker-compose.override.yml"),)
    assert set(targets.dockerfiles) == {"api/Containerfile", "tools/Dockerfile"}
    assessment = assess(targets, targets.root, Config())
    owners = assessment.ownership
    assert owners.services == ("api", "cache", "tools/Dockerfile")
    assert owners.dockerfiles["api/Containerfile"] == ("api",)
    grouped = assessment.by_owner()
    privileged = [f for f in grouped["cache"] if f.location.path == "docker-compose.override.yml"]
    assert privileged, grouped["cache"]
    assert {f.rule_id for f in grouped["api"]} >= {"DF001", "DF012"}
    assert all(f.location.path == "tools/Dockerfile" for f in grouped["tools/Dockerfile"])
