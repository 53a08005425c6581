"""Enrich a CycloneDX 1.6 JSON SBOM (a dict) with vulnerabilities and exception analysis.

One ``vulnerabilities[]`` entry is written per (vulnerability, package): its id (the CVE when
known), the OSV records as references, the resolved rating, the fixed version as
recommendation, ``affects`` pointing at the package component's ``bom-ref``, and — when a valid
exception covers it — a VEX ``analysis`` (state, justification, detail with reason, owner and
expiry). The policy outcome, first-seen and due dates go into ``properties``. The input dict is
not modified; output order is deterministic.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from seawall.vuln.match import VulnMatch
from seawall.vuln.policy import Decision, PolicyResult

OSV_URL = "https://osv.dev/vulnerability/"


def _components(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for comp in node.get("components", []) or []:
        if isinstance(comp, dict):
            yield comp
            yield from _components(comp)


def _method(source: str, vector: str | None) -> str:
    if source.endswith("cvss_v3"):
        return "CVSSv31" if (vector or "").startswith("CVSS:3.1") else "CVSSv3"
    if source.endswith("cvss_v4"):
        return "CVSSv4"
    if source.endswith("cvss_v2"):
        return "CVSSv2"
    return "other"


def _rating(match: VulnMatch) -> dict[str, Any]:
    r = match.rating
    if r.severity is None:
        return {"severity": "unknown", "method": "other", "source": {"name": "seawall"}}
    out: dict[str, Any] = {
        "severity": r.severity.name.lower(),
        "method": _method(r.source, r.vector),
    }
    if r.score is not None:
        out["score"] = r.score
    if r.vector:
        out["vector"] = r.vector
    name = {"debian-urgency": "Debian", "ubuntu": "Ubuntu", "ghsa": "GitHub"}.get(r.source, "OSV")
    out["source"] = {"name": name}
    if r.from_record:
        out["source"]["url"] = OSV_URL + r.from_record
    return out


def _analysis(decision: Decision) -> dict[str, Any] | None:
    exc = decision.exception
    if exc is None or decision.outcome.value != "excepted":
        return None
    detail = f"{exc.reason} (owner {exc.owner}, expires {exc.expires.isoformat()}"
    detail += f", ticket {exc.ticket})" if exc.ticket else ")"
    out: dict[str, Any] = {"state": exc.vex or "in_triage", "detail": detail}
    if exc.justification:
        out["justification"] = exc.justification
    return out


def _entry(match: VulnMatch, ref: str, decision: Decision | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "bom-ref": f"vuln:{match.id}:{match.package.purl}",
        "id": match.id,
        "source": {"name": "OSV", "url": OSV_URL + match.record_ids[0]},
        "references": [
            {"id": rid, "source": {"name": "OSV", "url": OSV_URL + rid}}
            for rid in match.record_ids
            if rid != match.id
        ],
        "ratings": [_rating(match)],
        "description": match.summary or match.id,
        "affects": [
            {"ref": ref, "versions": [{"version": match.package.version, "status": "affected"}]}
        ],
        "recommendation": (
            f"Upgrade {match.matched_name} to {match.fixed_version} or later"
            if match.fixed_version
            else "No fixed version has been released yet"
        ),
    }
    if not entry["references"]:
        del entry["references"]
    props = [{"name": "seawall:fix-state", "value": match.fix_state}]
    props.append({"name": "seawall:severity-source", "value": match.rating.source})
    if match.fixed_version:
        props.append({"name": "seawall:fixed-version", "value": match.fixed_version})
    if decision is not None:
        props.append({"name": "seawall:policy", "value": decision.outcome.value})
        props.append({"name": "seawall:first-seen", "value": decision.first_seen.isoformat()})
        if decision.due is not None:
            props.append({"name": "seawall:due", "value": decision.due.isoformat()})
        analysis = _analysis(decision)
        if analysis is not None:
            entry["analysis"] = analysis
    entry["properties"] = props
    return entry


def add_vulnerabilities(
    bom_json: dict[str, Any],
    matches: Sequence[VulnMatch] | Iterable[VulnMatch],
    policy: PolicyResult | None = None,
) -> dict[str, Any]:
    """A copy of ``bom_json`` with ``vulnerabilities`` for ``matches``; VEX analysis from policy."""
    bom = copy.deepcopy(bom_json)
    refs: dict[str, str] = {}
    for comp in _components(bom):
        purl, ref = comp.get("purl"), comp.get("bom-ref")
        if isinstance(purl, str):
            refs.setdefault(purl, ref if isinstance(ref, str) else purl)
            if not isinstance(ref, str):
                comp["bom-ref"] = purl
    decisions = {id(d.match): d for d in policy.decisions} if policy is not None else {}
    entries = []
    for match in matches:
        purl = match.package.purl
        if purl not in refs:
            # The SBOM does not list the package: add it so ``affects`` has a target.
            bom.setdefault("components", []).append(
                {
                    "type": "library",
                    "bom-ref": purl,
                    "name": match.package.name,
                    "version": match.package.version,
                    "purl": purl,
                }
            )
            refs[purl] = purl
        entries.append(_entry(match, refs[purl], decisions.get(id(match))))
    # The same package may be installed twice (same purl, two paths): one entry each way.
    unique = {e["bom-ref"]: e for e in entries}
    entries = [unique[k] for k in sorted(unique)]
    existing = [v for v in bom.get("vulnerabilities", []) if isinstance(v, dict)]
    bom["vulnerabilities"] = existing + entries
    return bom
