"""JSON pointers (RFC 6901) used as locations inside inspect documents and daemon.json."""

from __future__ import annotations


def escape(token: str) -> str:
    """Escape one reference token: ``~`` becomes ``~0`` and ``/`` becomes ``~1``."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Join tokens: ``pointer("HostConfig", "Binds", 0)`` is ``/HostConfig/Binds/0``."""
    return "".join("/" + escape(str(token)) for token in tokens)
