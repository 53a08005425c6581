"""Rules that turn policy decisions into findings, one rule per policy outcome.

Each finding is located at the image reference (``Location.path``) with a JSON pointer
``/packages/<purl>`` (RFC 6901 escaped); its baseline anchor is the vulnerability id plus the
package purl without version, so upgrading a package to another vulnerable version keeps the
same identity. Blocking findings are at least HIGH so that ``--fail-on high`` and the policy
agree; ``PolicyResult.passed`` remains the authority for the gate.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.vuln.policy import Decision, Outcome, PolicyResult

_REFERENCES = (
    NIST_800_190.control("4.1.1", "Image vulnerabilities"),
    CIS_DOCKER.control("4.4", "Ensure images are scanned and rebuilt to include security patches"),
    CWE.control("CWE-1395", "Dependency on Vulnerable Third-Party Component"),
)
_TARGETS = frozenset({TargetKind.VULNERABILITIES})


def json_pointer(*parts: str) -> str:
    """An RFC 6901 pointer from unescaped parts."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def describe(decision: Decision) -> str:
    """``CVE-… (HIGH from cvss_v3 7.5) in openssl 3.0.11-1: fixed in 3.0.13-1``."""
    m = decision.match
    rating = m.rating
    if rating.severity is None:
        level = "UNKNOWN severity"
    else:
        level = f"{rating.label} from {rating.source}"
        if rating.score is not None:
            level += f" {rating.score:g}"
    where = f"{m.package.name} {m.package.version}"
    if (m.matched_name, m.matched_version) != (m.package.name, m.package.version):
        where += f" (source {m.matched_name} {m.matched_version})"
    fix = f"fixed in {m.fixed_version}" if m.fixed_version else "no fixed version released yet"
    return f"{m.id} ({level}) in {where}: {fix}"


class _PolicyRule(Rule[PolicyResult]):
    """Shared logic: emit one finding per decision with this rule's outcome."""

    outcome: Outcome

    def severity_of(self, decision: Decision) -> Severity:
        """The finding severity for one decision."""
        level = decision.severity or Severity.HIGH
        return max(level, Severity.HIGH) if decision.blocking else level

    def message(self, decision: Decision) -> str:
        """The finding message for one decision."""
        return describe(decision)

    def check(self, model: PolicyResult, ctx: Context) -> Iterator[Finding]:
        """One finding per decision with ``self.outcome``."""
        for decision in model.with_outcome(self.outcome):
            m = decision.match
            yield ctx.finding(
                self,
                self.message(decision),
                pointer=json_pointer("packages", m.package.purl),
                path=ctx.target,
                anchor=f"{m.id}|{m.package_key}",
                severity=self.severity_of(decision),
            )


class BlockedVulnerability(_PolicyRule):
    """## What it does
    Reports a known vulnerability of a blocking severity (CRITICAL or HIGH by default) in an
    installed package of the image that no valid exception covers. The message names the fixed
    version when one exists, or says that no fix is released yet.

    ## Why is this bad?
    Known CRITICAL and HIGH vulnerabilities are what attackers scan for first; shipping them
    turns a published advisory into an entry point (NIST SP 800-190 §4.1.1).

    ## Example
    A Debian 12 image whose ``openssl`` source version is below the fixed version of a Debian
    security advisory for a HIGH CVE.

    Use instead:
    Rebuild on an updated base image or upgrade the package to the fixed version; if the
    vulnerable code cannot be reached, add a documented exception with an owner and expiry.

    ## Fix safety
    No automatic fix: upgrading packages changes the image and must be built and tested.
    """

    meta = RuleMeta(
        id="VULN001",
        name="blocked-vulnerability",
        title="Known CRITICAL/HIGH vulnerability in an installed package",
        severity=Severity.HIGH,
        targets=_TARGETS,
        remediation="Upgrade the package to the fixed version or rebuild on a patched base image.",
        references=_REFERENCES,
        tags=("vulnerability",),
    )
    outcome = Outcome.BLOCKED

    def severity_of(self, decision: Decision) -> Severity:
        """The vulnerability's own severity (CRITICAL stays CRITICAL)."""
        return max(decision.severity or Severity.HIGH, Severity.HIGH)


class OverdueVulnerability(_PolicyRule):
    """## What it does
    Reports a vulnerability of a deadline severity (MEDIUM by default) that is still present
    after its fix deadline: 30 days after it was first seen, as recorded in the first-seen
    ledger.

    ## Why is this bad?
    MEDIUM issues are allowed time to be fixed, not forever; a deadline that passes silently
    makes the policy meaningless.

    ## Example
    A MEDIUM CVE in ``libxml2`` whose ledger entry says ``first_seen: 2026-10-01``, scanned on
    2026-11-05.

    Use instead:
    Upgrade the package, or record a documented exception with a reason, an owner and an expiry.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="VULN002",
        name="vulnerability-past-deadline",
        title="MEDIUM vulnerability not fixed within its deadline",
        severity=Severity.HIGH,
        targets=_TARGETS,
        remediation="Upgrade the package or add a documented, time-limited exception.",
        references=_REFERENCES,
        tags=("vulnerability",),
    )
    outcome = Outcome.OVERDUE

    def message(self, decision: Decision) -> str:
        """Adds when it was first seen and when it was due."""
        return (
            f"{describe(decision)}; first seen {decision.first_seen.isoformat()}, "
            f"due {decision.due.isoformat() if decision.due else '?'}"
        )


class ExpiredException(_PolicyRule):
    """## What it does
    Reports a vulnerability whose exception has expired. The exception no longer suppresses it,
    so the vulnerability counts again with its own severity and deadline.

    ## Why is this bad?
    Exceptions are promises to revisit a risk by a date. An expired exception means nobody did,
    and the risk is back in the open.

    ## Example
    An exception for CVE-2024-1234 with ``expires: 2026-10-31``, scanned on 2026-11-05.

    Use instead:
    Fix the vulnerability, or review the exception and extend its expiry with a new reason.

    ## Fix safety
    No automatic fix: renewing an exception is a decision for its owner.
    """

    meta = RuleMeta(
        id="VULN003",
        name="expired-vulnerability-exception",
        title="A vulnerability exception has expired",
        severity=Severity.HIGH,
        targets=_TARGETS,
        remediation="Fix the vulnerability or have the owner renew the exception.",
        references=_REFERENCES,
        tags=("vulnerability", "policy"),
    )
    outcome = Outcome.EXPIRED_EXCEPTION

    def message(self, decision: Decision) -> str:
        """Names the exception, its owner and when it expired."""
        exc = decision.exception
        assert exc is not None
        state = "blocks again" if decision.blocking else "no longer suppressed"
        return (
            f"{describe(decision)}; exception ({exc.label}, owner {exc.owner}) expired "
            f"{exc.expires.isoformat()}: {state}"
        )


class UnknownSeverityVulnerability(_PolicyRule):
    """## What it does
    Reports a vulnerability for which no severity could be found: no distribution rating, no
    CVSS vector and no GHSA label on the record or on any record sharing its aliases. The policy
    option ``unknown_as`` decides what it counts as (by default HIGH when a fix exists, MEDIUM
    otherwise), and the finding says so.

    ## Why is this bad?
    "Unknown" is not "harmless": many Go and PyPI advisories carry no severity of their own.
    Treating them as safe would let real issues through unnoticed.

    ## Example
    A GO-2025-3528 match for ``github.com/containerd/containerd v1.7.25`` in a database without
    the matching GHSA record.

    Use instead:
    Upgrade the package; import the GHSA/NVD data for severities; or add an exception.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="VULN004",
        name="vulnerability-unknown-severity",
        title="Vulnerability without a known severity",
        severity=Severity.MEDIUM,
        targets=_TARGETS,
        remediation="Upgrade the package, or import richer advisory data to learn the severity.",
        references=_REFERENCES,
        tags=("vulnerability",),
    )
    outcome = Outcome.UNKNOWN_SEVERITY

    def severity_of(self, decision: Decision) -> Severity:
        """Blocking ones are HIGH; the rest carry the assumed severity (LOW when ignored)."""
        if decision.blocking:
            return Severity.HIGH
        return decision.severity or Severity.LOW

    def message(self, decision: Decision) -> str:
        """Says what the policy assumed."""
        assumed = decision.severity.name if decision.severity else "nothing (ignored)"
        extra = f", due {decision.due.isoformat()}" if decision.due else ""
        return f"{describe(decision)}; policy treats it as {assumed}{extra}"


class UnverifiedVulnerability(_PolicyRule):
    """## What it does
    Reports an advisory that names the package but whose ranges could not be evaluated for the
    installed version (a version string the ecosystem's order cannot parse, or an ecosystem
    without a known order) and that has no explicit versions list to decide instead.

    ## Why is this bad?
    Silently answering "not affected" when the comparison failed hides real exposure; this
    finding makes the gap visible so a human can check it.

    ## Example
    A Debian package whose version is ``1.0+weird!version`` and a DSA with a fixed version.

    Use instead:
    Check the advisory by hand and add an exception if the package is not affected.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="VULN005",
        name="vulnerability-unverified",
        title="Possible vulnerability: the installed version could not be compared",
        severity=Severity.LOW,
        targets=_TARGETS,
        remediation="Review the advisory by hand; add an exception if not affected.",
        references=_REFERENCES,
        tags=("vulnerability",),
    )
    outcome = Outcome.UNVERIFIED

    def severity_of(self, decision: Decision) -> Severity:
        """Always LOW: informative, never blocking."""
        return Severity.LOW

    def message(self, decision: Decision) -> str:
        """Says why the comparison failed."""
        return f"possibly affected: {describe(decision)} ({decision.note})"


class VulnerabilityWithinDeadline(_PolicyRule):
    """## What it does
    Reports a vulnerability of a deadline severity (MEDIUM by default) that is still within its
    deadline, with the date it is due. It does not fail the gate.

    ## Why is this bad?
    It is not yet a violation, but it will be on the due date; showing it early leaves time to
    upgrade or to document an exception.

    ## Example
    A MEDIUM CVE in ``aiohttp 3.8.0`` first seen yesterday: due in 29 days.

    Use instead:
    Upgrade the package before the due date.

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="VULN006",
        name="vulnerability-due",
        title="MEDIUM vulnerability within its fix deadline",
        severity=Severity.INFO,
        targets=_TARGETS,
        remediation="Upgrade the package before the due date.",
        references=_REFERENCES,
        tags=("vulnerability",),
    )
    outcome = Outcome.DUE

    def severity_of(self, decision: Decision) -> Severity:
        """INFO: a reminder, never blocking."""
        return Severity.INFO

    def message(self, decision: Decision) -> str:
        """Adds the due date."""
        due = decision.due.isoformat() if decision.due else "?"
        return f"{describe(decision)}; due {due}"


VULN_RULES: tuple[Rule[Any], ...] = (
    BlockedVulnerability(),
    OverdueVulnerability(),
    ExpiredException(),
    UnknownSeverityVulnerability(),
    UnverifiedVulnerability(),
    VulnerabilityWithinDeadline(),
)


def findings_from_policy(
    result: PolicyResult,
    image_ref: str,
    rules: Sequence[Rule[Any]] = VULN_RULES,
    ctx: Context | None = None,
) -> list[Finding]:
    """Findings of ``rules`` for one image's policy result, located at ``image_ref``."""
    context = ctx or Context(target=image_ref)
    out: list[Finding] = []
    seen: set[tuple[str, str | None, str]] = set()
    for rule in rules:
        for finding in rule.check(result, context):
            # A package installed twice under the same purl yields the same finding twice.
            key = (finding.rule_id, finding.location.pointer, finding.message)
            if key not in seen:
                seen.add(key)
                out.append(finding)
    out.sort(key=Finding.sort_key)
    return out
