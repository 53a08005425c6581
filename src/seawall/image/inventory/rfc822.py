"""Parsing of the RFC 822-style stanzas used by dpkg status files and Python METADATA."""

from __future__ import annotations


def stanzas(text: str) -> list[dict[str, str]]:
    """Split blank-line separated stanzas into dicts; continuation lines join their field."""
    result: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if current:
                result.append(current)
            current, last = {}, None
            continue
        if line[0] in " \t":
            if last is not None:
                current[last] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip()
        current[last] = value.strip()
    if current:
        result.append(current)
    return result


def headers(text: str) -> dict[str, list[str]]:
    """Header fields of an email-style document up to the first blank line (repeats kept)."""
    fields: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t" and last is not None:
            fields[last][-1] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip()
        fields.setdefault(last, []).append(value.strip())
    return fields
