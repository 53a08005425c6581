"""OSV evaluation edge cases on hand-made records: events, limits, GIT, legacy, dedup, severity."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from osv_records import pkg, record

from seawall.model.finding import Severity
from seawall.model.package import Package
from seawall.vuln.db import VulnDB
from seawall.vuln.match import VulnMatch, match_packages, purl_key

MakeDB = Callable[..., VulnDB]


def npm(name: str, version: str) -> Package:
    return Package(name, version, "npm", f"pkg:npm/{name}@{version}")


def matched(db: VulnDB, package: Package) -> dict[str, VulnMatch]:
    return {m.id: m for m in match_packages(db, [package])}


def test_last_affected_is_inclusive(make_db: MakeDB) -> None:
    db = make_db(
        record("X-1", [pkg("npm", "lib", ("introduced", "1.0.0"), ("last_affected", "1.2.0"))])
    )
    assert "X-1" in matched(db, npm("lib", "1.2.0"))
    assert "X-1" in matched(db, npm("lib", "1.0.0"))
    assert matched(db, npm("lib", "1.2.1")) == {}
    assert matched(db, npm("lib", "0.9.0")) == {}
    assert matched(db, npm("lib", "1.1.0"))["X-1"].fixed_version is None


def test_limit_events(make_db: MakeDB) -> None:
    db = make_db(
        record("X-2", [pkg("npm", "lib", ("introduced", "1.0.0"), ("limit", "2.0.0"))]),
        record("X-3", [pkg("npm", "other", ("introduced", "1.0.0"), ("limit", "*"))]),
    )
    assert "X-2" in matched(db, npm("lib", "1.5.0"))
    assert matched(db, npm("lib", "2.0.0")) == {}
    assert matched(db, npm("lib", "3.0.0")) == {}
    assert "X-3" in matched(db, npm("other", "99.0.0"))


def test_multiple_introduced_fixed_pairs(make_db: MakeDB) -> None:
    events = [("introduced", "0"), ("fixed", "1.0.0"), ("introduced", "2.0.0"), ("fixed", "2.5.0")]
    db = make_db(record("X-4", [pkg("npm", "lib", *events)]))
    assert matched(db, npm("lib", "0.5.0"))["X-4"].fixed_version == "1.0.0"
    assert matched(db, npm("lib", "1.5.0")) == {}
    assert matched(db, npm("lib", "2.1.0"))["X-4"].fixed_version == "2.5.0"
    assert matched(db, npm("lib", "2.5.0")) == {}


def test_events_are_sorted_before_walking(make_db: MakeDB) -> None:
    # Same pairs as above, written out of order.
    events = [("introduced", "2.0.0"), ("fixed", "2.5.0"), ("introduced", "0"), ("fixed", "1.0.0")]
    db = make_db(record("X-5", [pkg("npm", "lib", *events)]))
    assert "X-5" in matched(db, npm("lib", "2.2.0"))
    assert matched(db, npm("lib", "1.2.0")) == {}


def test_git_only_range_uses_versions_list(make_db: MakeDB) -> None:
    entry = {
        "package": {"ecosystem": "PyPI", "name": "gitlib"},
        "ranges": [
            {
                "type": "GIT",
                "repo": "https://example.org/r",
                "events": [{"introduced": "0"}, {"fixed": "abc123"}],
            }
        ],
        "versions": ["1.0", "1.1"],
    }
    db = make_db(record("X-6", [entry]))
    hit = matched(db, Package("gitlib", "1.1", "PyPI", "pkg:pypi/gitlib@1.1"))["X-6"]
    assert hit.certain and "versions list" in hit.notes[0]
    assert matched(db, Package("gitlib", "1.2", "PyPI", "pkg:pypi/gitlib@1.2")) == {}


def test_legacy_pypi_version_is_ordered(make_db: MakeDB) -> None:
    db = make_db(record("X-7", [pkg("PyPI", "oldlib", ("introduced", "0"), ("fixed", "1.0"))]))
    hit = matched(db, Package("oldlib", "0.9-doduo", "PyPI", "pkg:pypi/oldlib@0.9-doduo"))
    assert hit["X-7"].certain and hit["X-7"].fixed_version == "1.0"


def test_semver_build_metadata_is_ignored(make_db: MakeDB) -> None:
    db = make_db(record("X-8", [pkg("npm", "lib", ("introduced", "0"), ("fixed", "1.0.0"))]))
    assert matched(db, npm("lib", "1.0.0+build.7")) == {}
    assert "X-8" in matched(db, npm("lib", "0.9.9+build.7"))


def test_alpine_records_match_on_origin(make_db: MakeDB) -> None:
    entry = pkg("Alpine:v3.19", "openssl", ("introduced", "0"), ("fixed", "3.1.4-r1"))
    entry["package"]["purl"] = "pkg:apk/alpine/openssl?arch=source"
    db = make_db(record("ALPINE-CVE-2023-5678", [entry], upstream=["CVE-2023-5678"]))

    def libssl(version: str, release: str = "v3.19") -> Package:
        return Package(
            "libssl3", version, f"Alpine:{release}", f"pkg:apk/alpine/libssl3@{version}",
            source_name="openssl",
        )  # fmt: skip

    hit = matched(db, libssl("3.1.4-r0"))["CVE-2023-5678"]
    assert hit.record_ids == ("ALPINE-CVE-2023-5678",) and hit.matched_name == "openssl"
    assert matched(db, libssl("3.1.4-r1")) == {}
    assert matched(db, libssl("3.1.4_git20231020-r1")) == {}  # _git sorts after the release
    assert matched(db, libssl("3.1.4-r0", "v3.18")) == {}


def test_duplicates_merge_under_the_cve(make_db: MakeDB) -> None:
    def deb(**extra: object) -> dict[str, object]:
        return pkg("Debian:12", "foo", ("introduced", "0"), ("fixed", "1.2-1"), **extra)

    db = make_db(
        record("DSA-9999-1", [deb()], aliases=["CVE-2099-0001", "CVE-2099-0002"]),
        record("DLA-9999-1", [deb()], aliases=["CVE-2099-0001"]),
        record(
            "DEBIAN-CVE-2099-0001",
            [deb(ecosystem_specific={"urgency": "high**"})],
            upstream=["CVE-2099-0001"],
        ),
        # A GHSA for CVE-2099-0002 in another ecosystem gives that CVE its severity.
        record(
            "GHSA-aaaa-bbbb-cccc",
            [pkg("npm", "foo-js", ("introduced", "0"))],
            aliases=["CVE-2099-0002"],
            severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        ),
    )
    foo = Package(
        "libfoo1", "1.1-3+b1", "Debian:12", "pkg:deb/debian/libfoo1@1.1-3%2Bb1?arch=amd64",
        source_name="foo", source_version="1.1-3",
    )  # fmt: skip
    found = matched(db, foo)
    assert sorted(found) == ["CVE-2099-0001", "CVE-2099-0002"]
    first = found["CVE-2099-0001"]
    assert first.record_ids == ("DEBIAN-CVE-2099-0001", "DLA-9999-1", "DSA-9999-1")
    assert (first.rating.severity, first.rating.source) == (Severity.HIGH, "debian-urgency")
    second = found["CVE-2099-0002"]
    assert second.record_ids == ("DSA-9999-1",)
    assert (second.rating.severity, second.rating.source) == (Severity.CRITICAL, "alias:cvss_v3")
    assert second.rating.from_record == "GHSA-aaaa-bbbb-cccc"
    assert first.fixed_version == "1.2-1"
    assert "CVE-2099-0002" not in first.aliases
    assert matched(db, Package("libfoo1", "1.2-1", "Debian:12", "pkg:deb/debian/libfoo1@1.2-1",
                               source_name="foo")) == {}  # fmt: skip


def test_unimportant_urgency_is_low(make_db: MakeDB) -> None:
    entry = pkg(
        "Debian:12", "bar", ("introduced", "0"), ecosystem_specific={"urgency": "unimportant"}
    )
    db = make_db(record("DEBIAN-CVE-2099-0003", [entry], upstream=["CVE-2099-0003"]))
    hit = matched(db, Package("bar", "1.0-1", "Debian:12", "pkg:deb/debian/bar@1.0-1"))
    assert hit["CVE-2099-0003"].rating.severity == Severity.LOW
    assert hit["CVE-2099-0003"].fix_state == "not-fixed"


def test_cvss_v4_vector_is_scored(make_db: MakeDB) -> None:
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    db = make_db(
        record(
            "X-9",
            [pkg("npm", "lib", ("introduced", "0"))],
            severity=[{"type": "CVSS_V4", "score": vector}],
        )
    )
    rating = matched(db, npm("lib", "1.0.0"))["X-9"].rating
    assert (rating.severity, rating.source, rating.score) == (Severity.CRITICAL, "cvss_v4", 9.3)


@pytest.mark.parametrize("with_versions", [False, True])
def test_unparseable_installed_version(make_db: MakeDB, with_versions: bool) -> None:
    extra = {"versions": ["1.0-1"]} if with_versions else {}
    db = make_db(
        record(
            "DSA-8888-1",
            [pkg("Debian:12", "baz", ("introduced", "0"), ("fixed", "1.1-1"), **extra)],
        )
    )
    found = matched(db, Package("baz", "not a version!", "Debian:12", "pkg:deb/debian/baz"))
    if with_versions:
        assert found == {}  # the explicit list decides (and says so in the verdict)
    else:
        (hit,) = found.values()
        assert not hit.certain and "not a Debian version" in hit.notes[0]


def test_purl_key_strips_version_and_qualifiers() -> None:
    assert purl_key("pkg:deb/debian/openssl@3.0.11-1?arch=amd64") == "pkg:deb/debian/openssl"
    assert purl_key("pkg:npm/%40babel/core@7.0.0") == "pkg:npm/%40babel/core"
    assert purl_key("pkg:golang/github.com/a/b") == "pkg:golang/github.com/a/b"


def test_ubuntu_lts_release_names_match(make_db: MakeDB) -> None:
    lts = pkg("Ubuntu:22.04:LTS", "curl", ("introduced", "0"), ("fixed", "7.81.0-1ubuntu1.16"))
    # An Ubuntu Pro (ESM) fix does not apply to a plain image: it must not win as "fixed in".
    pro = pkg("Ubuntu:Pro:22.04:LTS", "curl", ("introduced", "0"), ("fixed", "7.81.0-1ubuntu1.15"))
    db = make_db(record("USN-9999-1", [lts, pro], upstream=["CVE-2099-0005"]))
    curl = Package(
        "curl", "7.81.0-1ubuntu1.15", "Ubuntu:22.04", "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15"
    )
    assert matched(db, curl)["CVE-2099-0005"].fixed_version == "7.81.0-1ubuntu1.16"


def test_multi_cve_advisory_does_not_lend_severity_across_cves(make_db: MakeDB) -> None:
    critical = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    db = make_db(
        record(
            "DSA-7777-1",
            [pkg("Debian:12", "qux", ("introduced", "0"), ("fixed", "2.0-1"))],
            aliases=["CVE-2099-0010", "CVE-2099-0011"],
        ),
        record("GHSA-cccc-dddd-eeee", [pkg("npm", "q", ("introduced", "0"))],
               aliases=["CVE-2099-0011"], severity=critical),
    )  # fmt: skip
    found = matched(db, Package("qux", "1.0-1", "Debian:12", "pkg:deb/debian/qux@1.0-1"))
    assert found["CVE-2099-0010"].rating.severity is None
    assert found["CVE-2099-0010"].aliases == ("DSA-7777-1",)
    assert found["CVE-2099-0011"].rating.severity == Severity.CRITICAL
