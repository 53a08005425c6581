"""Baselines: accept today's findings so that only new ones fail the build.

A baseline file is versioned JSON that counts findings per fingerprint — rule id, file path and the
finding's structural anchor (a hash; never a line number, never a secret value)::

    {"version": 1, "tool": "seawall",
     "findings": [{"rule": "DF002", "path": "Dockerfile", "anchor": "3f1c…", "count": 1}]}

Applying it drops, per fingerprint, at most as many findings as were counted: a second copy of an
accepted problem is new.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawall.errors import ConfigError
from seawall.model.finding import Finding

BASELINE_VERSION = 1

Fingerprint = tuple[str, str, str]  # (rule id, path, anchor)


def normalize_path(path: str) -> str:
    """The path as baselines store it: forward slashes, no leading ``./``."""
    posix = path.replace("\\", "/")
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def fingerprint(finding: Finding) -> Fingerprint:
    """What identifies a finding across runs (line numbers are deliberately absent)."""
    return (finding.rule_id, normalize_path(finding.location.path), finding.anchor)


@dataclass(frozen=True)
class Baseline:
    """Accepted findings: how many of each fingerprint."""

    counts: Mapping[Fingerprint, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(self.counts.values())


def create_baseline(findings: Iterable[Finding]) -> dict[str, Any]:
    """The baseline document accepting ``findings`` (sorted, so files diff cleanly)."""
    counts = Counter(fingerprint(f) for f in findings)
    return {
        "version": BASELINE_VERSION,
        "tool": "seawall",
        "findings": [
            {"rule": rule, "path": path, "anchor": anchor, "count": count}
            for (rule, path, anchor), count in sorted(counts.items())
        ],
    }


def write_baseline(path: Path, findings: Iterable[Finding]) -> None:
    """Write the baseline for ``findings`` to ``path`` atomically (temp file + ``os.replace``)."""
    from seawall.atomic import write_text_atomic

    text = json.dumps(create_baseline(findings), indent=2, ensure_ascii=False) + "\n"
    write_text_atomic(path, text, sync=True, what="write baseline")


def parse_baseline(data: Any, where: str = "baseline") -> Baseline:
    """Validate a decoded baseline document."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: not a seawall baseline (expected a JSON object)")
    version = data.get("version")
    if version != BASELINE_VERSION:
        raise ConfigError(
            f"{where}: unsupported baseline version {version!r} (expected {BASELINE_VERSION});"
            " recreate it with `seawall baseline create`"
        )
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: 'findings' must be a list")
    counts: Counter[Fingerprint] = Counter()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: findings[{number}] must be an object")
        values = [entry.get(key) for key in ("rule", "path", "anchor")]
        count = entry.get("count", 1)
        if not all(isinstance(v, str) and v for v in values):
            raise ConfigError(f"{where}: findings[{number}] needs string 'rule', 'path', 'anchor'")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError(f"{where}: findings[{number}].count must be a positive integer")
        rule, path, anchor = values
        counts[(str(rule), normalize_path(str(path)), str(anchor))] += count
    return Baseline(dict(counts))


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; any problem is a one-line ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: baseline is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid baseline JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    return parse_baseline(data, str(path))


def apply_baseline(
    findings: Iterable[Finding], baseline: Path | Baseline
) -> tuple[list[Finding], int]:
    """Drop findings the baseline accepts; returns the kept findings and how many were dropped."""
    accepted = baseline if isinstance(baseline, Baseline) else load_baseline(Path(baseline))
    remaining = Counter(accepted.counts)
    items = list(findings)
    # Which copies of a fingerprint are accepted must not depend on the order rules ran in.
    dropped_at: set[int] = set()
    for i in sorted(range(len(items)), key=lambda i: items[i].sort_key()):
        key = fingerprint(items[i])
        if remaining[key] > 0:
            remaining[key] -= 1
            dropped_at.add(i)
    kept = [f for i, f in enumerate(items) if i not in dropped_at]
    return kept, len(dropped_at)
