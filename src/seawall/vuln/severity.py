"""Severity of a vulnerability, resolved in a fixed, documented order.

1. **Distribution rating** of the matching affected entry: Debian ``ecosystem_specific.urgency``
   (``unimportant`` and ``low`` → LOW, ``medium`` → MEDIUM, ``high`` → HIGH; a trailing ``**``
   is ignored; ``not yet assigned``/``end-of-life`` fall through) or an ``Ubuntu`` severity entry.
2. **CVSS vectors** of the merged records (affected entry first, then record level), scored with
   the ``cvss`` library; v3 is preferred over v4 over v2. Bands: <4 LOW, <7 MEDIUM, <9 HIGH,
   else CRITICAL; a 0.0 score is INFO.
3. **GHSA label** ``database_specific.severity`` (``MODERATE`` → MEDIUM).
4. **Aliases**: the same steps 2-3 over other records in the database that share an id or alias
   (GHSA, DEBIAN-CVE, NVD records of the same CVE).
5. Otherwise UNKNOWN (``Rating.severity is None``); how UNKNOWN is treated is a policy choice.

Among candidates of the same step the highest severity wins (the conservative choice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from seawall.model.finding import Severity
from seawall.vuln.osv import SeverityScore

_URGENCY = {"unimportant": Severity.LOW, "low": Severity.LOW, "medium": Severity.MEDIUM}
_URGENCY["high"] = Severity.HIGH
_UBUNTU = {"negligible": Severity.LOW, "low": Severity.LOW, "medium": Severity.MEDIUM}
_UBUNTU.update({"high": Severity.HIGH, "critical": Severity.CRITICAL})
_LABELS = {"LOW": Severity.LOW, "MODERATE": Severity.MEDIUM, "MEDIUM": Severity.MEDIUM}
_LABELS.update({"HIGH": Severity.HIGH, "CRITICAL": Severity.CRITICAL})
_CVSS_PREFERENCE = ("CVSS_V3", "CVSS_V4", "CVSS_V2")


@dataclass(frozen=True)
class Rating:
    """A resolved severity and where it came from. ``severity is None`` means UNKNOWN."""

    severity: Severity | None
    source: str  # debian-urgency | ubuntu | cvss_v3 | cvss_v4 | cvss_v2 | ghsa | none
    score: float | None = None
    vector: str | None = None
    from_record: str | None = None  # the record (or alias record) the rating was taken from

    @property
    def label(self) -> str:
        """Upper-case name, ``UNKNOWN`` when unknown."""
        return self.severity.name if self.severity is not None else "UNKNOWN"


UNKNOWN = Rating(None, "none")


def band(score: float) -> Severity:
    """The qualitative band of a CVSS base score."""
    if score == 0:
        return Severity.INFO
    if score < 4:
        return Severity.LOW
    if score < 7:
        return Severity.MEDIUM
    if score < 9:
        return Severity.HIGH
    return Severity.CRITICAL


@lru_cache(maxsize=8192)
def cvss_score(kind: str, vector: str) -> float | None:
    """The base score of a CVSS vector, or None when it does not parse."""
    import cvss  # heavy-ish; only needed when matching

    calculators: dict[str, Any] = {"CVSS_V3": cvss.CVSS3, "CVSS_V4": cvss.CVSS4}
    calculators["CVSS_V2"] = cvss.CVSS2
    try:
        return float(calculators[kind](vector.strip()).base_score)
    except Exception:  # the cvss library raises several unrelated types for bad vectors
        return None


def vendor_rating(
    ecosystem_specific: Mapping[str, Any], scores: Sequence[SeverityScore]
) -> Rating | None:
    """Step 1: a distribution's own rating, if it gave one."""
    urgency = ecosystem_specific.get("urgency")
    if isinstance(urgency, str):
        level = _URGENCY.get(urgency.strip().rstrip("*").strip().lower())
        if level is not None:
            return Rating(level, "debian-urgency")
    for entry in scores:
        if entry.type == "Ubuntu":
            level = _UBUNTU.get(entry.score.strip().lower())
            if level is not None:
                return Rating(level, "ubuntu")
    return None


def cvss_rating(scores: Iterable[SeverityScore], record: str | None = None) -> Rating | None:
    """Step 2: the preferred CVSS version present; the highest score among its vectors."""
    by_kind: dict[str, list[Rating]] = {}
    for entry in scores:
        if entry.type not in _CVSS_PREFERENCE:
            continue
        score = cvss_score(entry.type, entry.score)
        if score is not None:
            rating = Rating(band(score), entry.type.lower(), score, entry.score, record)
            by_kind.setdefault(entry.type, []).append(rating)
    for kind in _CVSS_PREFERENCE:
        if kind in by_kind:
            return max(by_kind[kind], key=lambda r: r.score or 0.0)
    return None


def label_rating(label: Any, record: str | None = None) -> Rating | None:
    """Step 3: a GHSA-style severity label."""
    if isinstance(label, str):
        level = _LABELS.get(label.strip().upper())
        if level is not None:
            return Rating(level, "ghsa", from_record=record)
    return None


def highest(ratings: Iterable[Rating | None]) -> Rating | None:
    """The most severe of several candidates of the same step (None if there are none)."""
    found = [r for r in ratings if r is not None and r.severity is not None]
    if not found:
        return None
    return max(found, key=lambda r: (r.severity, r.score or 0.0))
