"""Every compose file of the real-world corpus loads and is checked without a crash."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from compose_helpers import CORPUS

from seawall.config import Config
from seawall.parsers.compose import default_files
from seawall.targets.compose import check_compose

PROJECTS = sorted(
    {p.parent for p in CORPUS.rglob("*.y*ml") if p.name.startswith(("compose", "docker-compose"))}
)


def test_corpus_is_present() -> None:
    assert len(PROJECTS) >= 39, f"expected the awesome-compose corpus under {CORPUS}"


@pytest.mark.parametrize("folder", PROJECTS, ids=[p.name for p in PROJECTS])
def test_corpus_project_loads_and_is_checked(folder: Path) -> None:
    files = default_files(folder)
    assert files
    report = check_compose(files, Config())
    assert report.errors == [], report.errors
    assert report.findings, "every corpus project has at least one hardening finding"
    for finding in report.findings:
        assert finding.location.span is not None
        source = report.sources[finding.location.path]
        assert 0 <= finding.location.span.start <= len(source.text)


def test_corpus_findings_are_explainable() -> None:
    counts: Counter[str] = Counter()
    for folder in PROJECTS:
        report = check_compose(default_files(folder), Config())
        counts.update(f.rule_id for f in report.findings)
        for f in report.findings:
            # secrets are named, never printed
            if f.rule_id in ("CR024", "DC005"):
                assert "value not shown" in f.message
    # The corpus is demo material: nothing drops capabilities or sets a read-only root.
    assert counts["CR004"] >= 70 and counts["CR003"] >= 70
    # Datastores with published ports exist in the corpus (e.g. redpanda, postgres in pgadmin).
    assert counts["DC002"] >= 1
