"""Where the vulnerability gate finds its inputs, from ``[tool.seawall.vulns]`` and the command line.

Configuration (paths are relative to the configuration file)::

    [tool.seawall.vulns]
    db = ".cache/vuln.db"          # default: $SEAWALL_DB or ~/.cache/seawall/vuln.db
    max-age-days = 7               # scans refuse an older database unless --allow-stale
    ledger = "security/vuln-ledger.json"
    update-ledger = true           # record new findings in the ledger after each scan
    exceptions = "security/vuln-exceptions.yaml"
    base-url = "https://mirror.example/osv"   # where 'seawall db update' downloads from
    ecosystems = ["Debian", "PyPI"]            # what it downloads
    block = ["critical", "high"]   # the policy knobs of seawall.vuln.policy
    deadlines = {medium = 30}
    unknown-as = "auto"
    block-unfixed = true
    expiry-warning-days = 14

This module imports nothing heavy: ``config.py`` validates the table when a file has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from seawall.errors import ConfigError

DEFAULT_MAX_AGE_DAYS = 7.0
_PATH_KEYS = ("db", "ledger", "exceptions")
_OWN_KEYS = frozenset({*_PATH_KEYS, "max-age-days", "update-ledger", "base-url", "ecosystems"})
_POLICY_KEYS = frozenset(
    {"block", "deadlines", "unknown-as", "block-unfixed", "expiry-warning-days"}
)


@dataclass(frozen=True)
class VulnSettings:
    """Inputs of one vulnerability scan: database, freshness, ledger, exceptions, policy knobs.

    ``policy`` is the validated ``[tool.seawall.vulns]`` policy subset with snake_case keys, as
    ``seawall.vuln.policy.settings_from_mapping`` takes it (kept as data so that loading the
    configuration does not import the matcher).
    """

    db: Path | None = None
    max_age: timedelta = timedelta(days=DEFAULT_MAX_AGE_DAYS)
    allow_stale: bool = False
    ledger: Path | None = None
    update_ledger: bool = True
    exceptions: Path | None = None
    policy: Mapping[str, Any] = field(default_factory=dict)
    base_url: str | None = None
    ecosystems: tuple[str, ...] | None = None

    def with_overrides(self, **changes: Any) -> VulnSettings:
        """A copy with the given fields replaced (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def max_age_from_days(value: Any, origin: str) -> timedelta:
    """A non-negative number of days as a ``timedelta``; anything else is a ConfigError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{origin}: 'max-age-days' must be a non-negative number of days")
    return timedelta(days=float(value))


def parse_vuln_table(
    data: Any, base_dir: Path, origin: str = "[tool.seawall.vulns]"
) -> VulnSettings:
    """Validate a ``vulns`` configuration table; unknown keys and bad values are ConfigErrors."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: 'vulns' must be a table")
    unknown = sorted(set(data) - _OWN_KEYS - _POLICY_KEYS)
    if unknown:
        raise ConfigError(f"{origin}: unknown vulns key(s): {', '.join(unknown)}")
    paths: dict[str, Path] = {}
    for key in _PATH_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{origin}: vulns.{key} must be a path")
            paths[key] = base_dir / Path(value).expanduser()
    max_age = max_age_from_days(data.get("max-age-days", DEFAULT_MAX_AGE_DAYS), origin)
    update_ledger = data.get("update-ledger", True)
    if not isinstance(update_ledger, bool):
        raise ConfigError(f"{origin}: vulns.update-ledger must be true or false")
    base_url = data.get("base-url")
    if base_url is not None and not (
        isinstance(base_url, str) and base_url.startswith(("http://", "https://"))
    ):
        raise ConfigError(f"{origin}: vulns.base-url must be an http(s) URL")
    ecosystems = data.get("ecosystems")
    if ecosystems is not None and not (
        isinstance(ecosystems, list)
        and ecosystems
        and all(isinstance(e, str) and e.strip() for e in ecosystems)
    ):
        raise ConfigError(f"{origin}: vulns.ecosystems must be a non-empty list of OSV ecosystems")
    policy = {key.replace("-", "_"): data[key] for key in _POLICY_KEYS if key in data}
    if policy:
        # Validate now (a typo must fail at load), but keep the data: policy imports the matcher.
        from seawall.vuln.policy import settings_from_mapping

        settings_from_mapping(policy, f"{origin}: vulns")
    return VulnSettings(
        db=paths.get("db"),
        max_age=max_age,
        ledger=paths.get("ledger"),
        update_ledger=update_ledger,
        exceptions=paths.get("exceptions"),
        policy=policy,
        base_url=base_url,
        ecosystems=tuple(e.strip() for e in ecosystems) if ecosystems else None,
    )
