"""Matching on real OSV records from the shared corpus; expectations checked by hand."""

from __future__ import annotations

import pytest

from seawall.model.finding import Severity
from seawall.model.package import Package
from seawall.vuln.db import VulnDB
from seawall.vuln.match import match_packages


def P(name: str, version: str, ecosystem: str, purl_type: str, **extra: str) -> Package:
    return Package(name, version, ecosystem, f"pkg:{purl_type}/{name}@{version}", **extra)


def ids(db: VulnDB, package: Package) -> dict[str, tuple[str, ...]]:
    return {m.id: m.record_ids for m in match_packages(db, [package])}


@pytest.mark.parametrize(
    ("package", "cve", "record", "fixed"),
    [
        (P("aiohttp", "3.8.0", "PyPI", "pypi"), "CVE-2023-49081", "PYSEC-2023-250", "3.9.0"),
        (
            P("github.com/containerd/containerd", "v1.7.25", "Go", "golang"),
            "CVE-2024-40635",
            "GO-2025-3528",
            "1.7.27",
        ),
        (
            P("github.com/containerd/containerd", "v1.6.37", "Go", "golang"),
            "CVE-2024-40635",
            "GO-2025-3528",
            "1.6.38",
        ),
        (P("stdlib", "go1.23.5", "Go", "golang"), "CVE-2026-27145", "GO-2026-5037", "1.25.11"),
        (P("stdlib", "go1.26.0", "Go", "golang"), "CVE-2026-27145", "GO-2026-5037", "1.26.4"),
        (P("elliptic", "6.5.3", "npm", "npm"), "CVE-2020-28498", "GHSA-r9p9-mrjm-926w", "6.5.4"),
        (
            P("nginx", "1.2.1-2.2+wheezy2", "Debian:7", "deb/debian"),
            "CVE-2014-3616",
            "DSA-3029-1",
            "1.2.1-2.2+wheezy3",
        ),
        (
            P("mariadb", "10.6.7-r0", "Alpine:v3.15", "apk/alpine"),
            "CVE-2022-27449",
            "CVE-2022-27449",
            "10.6.8-r0",
        ),
        (
            P("mariadb", "10.4.24-r0", "Alpine:v3.12", "apk/alpine"),
            "CVE-2022-27449",
            "CVE-2022-27449",
            "10.4.25-r0",
        ),
    ],
    ids=lambda v: v.name + "@" + v.version if isinstance(v, Package) else None,
)
def test_affected_versions(
    open_corpus_db: VulnDB, package: Package, cve: str, record: str, fixed: str
) -> None:
    matches = {m.id: m for m in match_packages(open_corpus_db, [package])}
    assert cve in matches
    m = matches[cve]
    assert record in m.record_ids
    assert m.fixed_version == fixed
    assert m.fix_state == "fixed"
    assert m.certain


@pytest.mark.parametrize(
    ("package", "record"),
    [
        (P("aiohttp", "3.9.0", "PyPI", "pypi"), "PYSEC-2023-250"),
        (P("github.com/containerd/containerd", "v1.7.27", "Go", "golang"), "GO-2025-3528"),
        (P("github.com/containerd/containerd", "v1.6.38", "Go", "golang"), "GO-2025-3528"),
        (P("stdlib", "1.25.11", "Go", "golang"), "GO-2026-5037"),
        (P("elliptic", "6.5.4", "npm", "npm"), "GHSA-r9p9-mrjm-926w"),
        (P("nginx", "1.2.1-2.2+wheezy3", "Debian:7", "deb/debian"), "DSA-3029-1"),
        (P("nginx", "1.2.1-2.2+wheezy2", "Debian:8", "deb/debian"), "DSA-3029-1"),  # other release
        (P("mariadb", "10.6.8-r0", "Alpine:v3.15", "apk/alpine"), "CVE-2022-27449"),
        (P("mariadb", "10.4.25-r0", "Alpine:v3.12", "apk/alpine"), "CVE-2022-27449"),
    ],
    ids=lambda v: v.name + "@" + v.version + "/" + v.ecosystem if isinstance(v, Package) else None,
)
def test_fixed_or_other_release_is_not_affected(
    open_corpus_db: VulnDB, package: Package, record: str
) -> None:
    found = ids(open_corpus_db, package)
    assert all(record not in records for records in found.values()), found


def test_debian_binary_package_matches_on_source(open_corpus_db: VulnDB) -> None:
    binary = Package(
        "nginx-full",
        "1.2.1-2.2+wheezy2+b1",
        "Debian:7",
        "pkg:deb/debian/nginx-full@1.2.1-2.2%2Bwheezy2%2Bb1",
        source_name="nginx",
        source_version="1.2.1-2.2+wheezy2",
    )
    (m,) = match_packages(open_corpus_db, [binary])
    assert (m.id, m.matched_name, m.matched_version) == (
        "CVE-2014-3616",
        "nginx",
        "1.2.1-2.2+wheezy2",
    )
    assert m.package_key == "pkg:deb/debian/nginx-full"


def test_pypi_names_are_normalized(open_corpus_db: VulnDB) -> None:
    assert "CVE-2023-49081" in ids(open_corpus_db, P("AioHTTP", "3.8.0", "PyPI", "pypi"))


def test_severity_from_record_cvss(open_corpus_db: VulnDB) -> None:
    matches = {
        m.id: m for m in match_packages(open_corpus_db, [P("aiohttp", "3.8.0", "PyPI", "pypi")])
    }
    rating = matches["CVE-2023-49081"].rating
    # CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N scores 5.3.
    assert (rating.severity, rating.source, rating.score) == (Severity.MEDIUM, "cvss_v3", 5.3)


def test_ghsa_prefers_cvss_over_label(open_corpus_db: VulnDB) -> None:
    (m,) = match_packages(open_corpus_db, [P("elliptic", "6.5.3", "npm", "npm")])
    # CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N = 6.8; the GHSA label MODERATE agrees.
    assert (m.rating.severity, m.rating.source, m.rating.score) == (Severity.MEDIUM, "cvss_v3", 6.8)


def test_go_records_without_severity_are_unknown(open_corpus_db: VulnDB) -> None:
    (m,) = match_packages(
        open_corpus_db, [P("github.com/containerd/containerd", "v1.7.25", "Go", "golang")]
    )
    assert m.rating.severity is None and m.rating.label == "UNKNOWN"
    assert m.aliases == ("GHSA-265r-hfxg-fhmg", "GO-2025-3528")


def test_withdrawn_record_never_matches(open_corpus_db: VulnDB) -> None:
    # GHSA-35c4-f3rq-f9g3 (activesupport) is withdrawn in the osv-schema test data.
    assert ids(open_corpus_db, P("activesupport", "3.2.1", "RubyGems", "gem")) == {}


def test_unordered_ecosystem_is_reported_as_uncertain(open_corpus_db: VulnDB) -> None:
    # Maven ordering is not implemented: never a silent "not affected".
    pkg = P("org.apache.any23:apache-any23", "2.4", "Maven", "maven")
    (m,) = match_packages(open_corpus_db, [pkg])
    assert m.id == "CVE-2021-38555" and not m.certain
    assert any("Maven" in note for note in m.notes)


def test_open_range_without_fix(open_corpus_db: VulnDB) -> None:
    (m,) = match_packages(open_corpus_db, [P("demo-lib", "5.0.0", "npm", "npm")])
    assert m.id == "MULTI-ECO-FIX-DEMO" and m.fixed_version is None and m.fix_state == "not-fixed"
