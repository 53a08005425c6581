"""The first-seen ledger: when each (vulnerability, package) was first detected.

Teams commit this JSON file; the MEDIUM deadline clock starts at ``first_seen``. A finding not in
the ledger is new: its clock starts today. ``updated`` adds new findings and prunes entries that
are no longer found, so fixing and re-introducing a CVE restarts its clock.

Format::

    {"version": 1, "entries": [{"id": "CVE-2024-1", "package": "pkg:deb/debian/openssl",
                                "first_seen": "2026-11-01"}]}
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from seawall.errors import ConfigError
from seawall.vuln.match import VulnMatch

LEDGER_VERSION = 1


@dataclass(frozen=True)
class Ledger:
    """First-seen dates keyed by (canonical vulnerability id, package purl without version)."""

    entries: Mapping[tuple[str, str], date] = field(default_factory=dict)

    def first_seen(self, ident: str, package: str) -> date | None:
        """When this vulnerability was first seen in this package, if recorded."""
        return self.entries.get((ident, package))

    def updated(self, matches: Iterable[VulnMatch], today: date) -> Ledger:
        """The ledger for the current findings: new ones dated today, vanished ones pruned."""
        current: dict[tuple[str, str], date] = {}
        for match in matches:
            key = (match.id, match.package_key)
            current[key] = min(self.entries.get(key, today), current.get(key, today))
        return Ledger(current)

    def to_json(self) -> str:
        """The file text: sorted, stable, one entry per line."""
        rows = [
            {"id": ident, "package": package, "first_seen": seen.isoformat()}
            for (ident, package), seen in sorted(self.entries.items())
        ]
        body = ",\n".join("    " + json.dumps(r) for r in rows)
        return (
            f'{{\n  "version": {LEDGER_VERSION},\n  "entries": [\n{body}\n  ]\n}}\n'
            if rows
            else f'{{\n  "version": {LEDGER_VERSION},\n  "entries": []\n}}\n'
        )


def load_ledger(path: str | Path) -> Ledger:
    """Read a ledger file; a missing file is an empty ledger, a malformed one a ConfigError."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Ledger()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the ledger: {exc}") from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != LEDGER_VERSION:
            raise ValueError(f"expected an object with version {LEDGER_VERSION}")
        entries: dict[tuple[str, str], date] = {}
        for i, row in enumerate(data.get("entries", [])):
            if not isinstance(row, dict):
                raise ValueError(f"entries[{i}] is not an object")
            ident, package, seen = row.get("id"), row.get("package"), row.get("first_seen")
            if not (isinstance(ident, str) and isinstance(package, str) and isinstance(seen, str)):
                raise ValueError(f"entries[{i}] needs string id, package and first_seen")
            entries[(ident, package)] = date.fromisoformat(seen)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{file}: invalid ledger: {exc}") from None
    return Ledger(entries)


def save_ledger(path: str | Path, ledger: Ledger) -> None:
    """Write the ledger atomically (temporary file in the same folder, then ``os.replace``)."""
    file = Path(path)
    fd, tmp = tempfile.mkstemp(dir=file.parent or ".", prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(ledger.to_json())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
