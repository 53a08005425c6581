"""CycloneDX 1.6 enrichment with vulnerabilities and exception analysis, schema-validated."""

from __future__ import annotations

import json
from datetime import timedelta

from test_vuln_policy import TODAY, exc, vm

from seawall.model.finding import Severity
from seawall.vuln.ledger import Ledger
from seawall.vuln.policy import evaluate
from seawall.vuln.vex import add_vulnerabilities


def bom() -> dict[str, object]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"component": {"type": "container", "name": "app", "bom-ref": "image"}},
        "components": [
            {
                "type": "library",
                "bom-ref": "pkg:deb/debian/a@1.0?arch=amd64",
                "name": "a",
                "version": "1.0",
                "purl": "pkg:deb/debian/a@1.0?arch=amd64",
            }
        ],
    }


def validate(document: dict[str, object]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert error is None, error


def test_enriched_bom_is_valid_cyclonedx_16() -> None:
    matches = [vm("CVE-1", Severity.HIGH, name="a"), vm("CVE-2", Severity.MEDIUM, name="b"),
               vm("CVE-3", None, name="a", fixed=None)]  # fmt: skip
    excepted = exc("CVE-2", TODAY + timedelta(days=10))
    extra = {"vex": "not_affected", "justification": "code_not_reachable", "ticket": "SEC-1"}
    excepted = type(excepted)(**{**excepted.__dict__, **extra})
    result = evaluate(matches, Ledger(), [excepted], TODAY)
    original = bom()
    enriched = add_vulnerabilities(original, matches, result)
    assert "vulnerabilities" not in original  # input untouched
    validate(enriched)
    vulns = {v["id"]: v for v in enriched["vulnerabilities"]}
    assert sorted(vulns) == ["CVE-1", "CVE-2", "CVE-3"]
    first = vulns["CVE-1"]
    assert first["affects"] == [
        {
            "ref": "pkg:deb/debian/a@1.0?arch=amd64",
            "versions": [{"version": "1.0", "status": "affected"}],
        }
    ]
    assert first["ratings"][0]["severity"] == "high" and first["ratings"][0]["score"] == 7.5
    assert first["recommendation"] == "Upgrade a to 1.1 or later"
    assert {"name": "seawall:policy", "value": "blocked"} in first["properties"]
    analysis = vulns["CVE-2"]["analysis"]
    assert analysis["state"] == "not_affected" and analysis["justification"] == "code_not_reachable"
    assert "team@example.com" in analysis["detail"] and "2026-12-02" in analysis["detail"]
    assert vulns["CVE-3"]["ratings"][0]["severity"] == "unknown"
    assert vulns["CVE-3"]["recommendation"] == "No fixed version has been released yet"
    # Package "b" was not in the SBOM: it is added so that "affects" points somewhere.
    refs = {c["bom-ref"] for c in enriched["components"]}
    assert "pkg:deb/debian/b@1.0?arch=amd64" in refs


def test_enrichment_is_deterministic() -> None:
    matches = [vm("CVE-9", Severity.LOW, name="a"), vm("CVE-1", Severity.HIGH, name="a")]
    one = add_vulnerabilities(bom(), matches)
    two = add_vulnerabilities(bom(), list(reversed(matches)))
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    validate(one)


def test_same_package_twice_gives_one_vulnerability_entry() -> None:
    twice = [vm("CVE-1", Severity.HIGH, name="a"), vm("CVE-1", Severity.HIGH, name="a")]
    enriched = add_vulnerabilities(bom(), twice)
    assert len(enriched["vulnerabilities"]) == 1
    validate(enriched)
