"""Documented exceptions to the vulnerability policy, from a YAML or TOML file.

Each exception names a vulnerability (``id``: the CVE or any alias or record id) and/or a
package (``package``: a purl without version, or a package name), and must give a ``reason``, an
``owner`` and an ``expires`` date. Optional ``vex`` (a CycloneDX analysis state such as
``not_affected``) and ``justification`` go into the VEX output. Example (YAML)::

    exceptions:
      - id: CVE-2024-1234
        package: pkg:deb/debian/openssl
        reason: TLS server code is not used by this image
        owner: platform-team@example.com
        expires: 2026-12-31
        vex: not_affected
        justification: code_not_reachable

TOML uses ``[[exceptions]]`` tables with the same keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from seawall.errors import ConfigError
from seawall.vuln.match import VulnMatch, purl_key

VEX_STATES = frozenset(
    {"resolved", "resolved_with_pedigree", "exploitable", "in_triage", "false_positive"}
    | {"not_affected"}
)
JUSTIFICATIONS = frozenset(
    {"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency"}
    | {"requires_environment", "protected_by_compiler", "protected_at_runtime"}
    | {"protected_at_perimeter", "protected_by_mitigating_control"}
)
_KEYS = frozenset({"id", "package", "reason", "owner", "expires", "vex", "justification"})
_KEYS = _KEYS | {"ticket", "created"}


@dataclass(frozen=True)
class VulnException:
    """One exception: what it covers, why, who owns it and until when."""

    id: str | None
    package: str | None
    reason: str
    owner: str
    expires: date
    vex: str | None = None
    justification: str | None = None
    ticket: str | None = None

    def covers(self, match: VulnMatch) -> bool:
        """Whether this exception names ``match`` (by id or alias, and by package if given)."""
        if self.id is not None:
            names = {match.id, *match.aliases, *match.record_ids}
            if self.id.upper() not in {n.upper() for n in names}:
                return False
        if self.package is not None:
            wanted = purl_key(self.package) if self.package.startswith("pkg:") else self.package
            if wanted not in {match.package_key, match.package.name, match.matched_name}:
                return False
        return True

    def expired(self, today: date) -> bool:
        """True once ``today`` is past the expiry date (the expiry day itself still counts)."""
        return today > self.expires

    @property
    def label(self) -> str:
        """How messages name this exception."""
        parts = [p for p in (self.id, self.package) if p]
        return " / ".join(parts)


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where}: 'expires' must be a date like 2026-12-31")


def _text(entry: dict[str, Any], key: str, where: str, *, required: bool) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def parse_exceptions(data: Any, origin: str) -> tuple[VulnException, ...]:
    """Validate decoded exception data (a list, or a mapping with an ``exceptions`` list)."""
    entries = data.get("exceptions", []) if isinstance(data, dict) else data
    if data is None:
        entries = []
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: 'exceptions' must be a list")
    out = []
    for i, entry in enumerate(entries):
        where = f"{origin}: exceptions[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a mapping")
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        ident = _text(entry, "id", where, required=False)
        package = _text(entry, "package", where, required=False)
        if ident is None and package is None:
            raise ConfigError(f"{where}: name an 'id' (CVE or alias) or a 'package'")
        vex = _text(entry, "vex", where, required=False)
        if vex is not None and vex not in VEX_STATES:
            raise ConfigError(f"{where}: 'vex' must be one of {', '.join(sorted(VEX_STATES))}")
        justification = _text(entry, "justification", where, required=False)
        if justification is not None and justification not in JUSTIFICATIONS:
            raise ConfigError(
                f"{where}: 'justification' must be one of {', '.join(sorted(JUSTIFICATIONS))}"
            )
        if "expires" not in entry:
            raise ConfigError(f"{where}: 'expires' is required")
        reason = _text(entry, "reason", where, required=True)
        owner = _text(entry, "owner", where, required=True)
        assert reason is not None and owner is not None
        out.append(
            VulnException(
                id=ident,
                package=package,
                reason=reason,
                owner=owner,
                expires=_date(entry.get("expires"), where),
                vex=vex,
                justification=justification,
                ticket=_text(entry, "ticket", where, required=False),
            )
        )
    return tuple(out)


def load_exceptions(path: str | Path) -> tuple[VulnException, ...]:
    """Read an exceptions file (``.toml`` is TOML, anything else YAML)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read exceptions file: {exc.strerror}") from None
    try:
        if file.suffix == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            import yaml

            data = yaml.safe_load(raw)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except Exception as exc:  # yaml.YAMLError: report one line, never a traceback
        raise ConfigError(f"{file}: invalid YAML: {str(exc).splitlines()[0]}") from None
    return parse_exceptions(data, str(file))
