"""Helpers that write hand-made OSV records for tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def record(ident: str, affected: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A hand-made OSV record."""
    data: dict[str, Any] = {"id": ident, "modified": "2026-01-01T00:00:00Z", "affected": affected}
    data.update(extra)
    return data


def pkg(ecosystem: str, name: str, *events: tuple[str, str], **extra: Any) -> dict[str, Any]:
    """An ``affected`` entry with one ECOSYSTEM range from (kind, version) events."""
    entry: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": name}}
    if events:
        entry["ranges"] = [{"type": "ECOSYSTEM", "events": [{k: v} for k, v in events]}]
    entry.update(extra)
    return entry
