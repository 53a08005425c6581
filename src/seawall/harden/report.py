"""Text output of ``harden``: the verification account and the diff of the hardened files."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from seawall.harden.inspection import render_confinement
from seawall.harden.status import ServiceStatus
from seawall.harden.summary import Summary
from seawall.harden.verify import Verification
from seawall.harden.workspace import FileChange

JSON_VERSION = 1

SECRET_MODE = 0o600


def render_verification(result: Verification) -> str:
    """What each bring-up showed, what broke and why, and the hardened containers' confinement."""
    lines = [f"verify: {result.runs} bring-up(s) of the project"]
    names = list(result.original.statuses)
    width = max([len(n) for n in names] + [len("service")])
    lines.append(f"{'service':<{width}}  original -> hardened")
    for name in names:
        was = result.original.statuses[name].describe()
        now = result.hardened.statuses.get(name)
        lines.append(f"{name:<{width}}  {was} -> {now.describe() if now else 'missing'}")
    if result.hardened.up_error:
        lines.append(
            f"docker-compose up of the hardened project failed: {result.hardened.up_error}"
        )
    for name, reasons in result.broken.items():
        lines.append(f"BROKEN {name}: {'; '.join(reasons)}")
    if result.broken:
        if result.culprits is None:
            lines.append("could not attribute the breakage to single changes")
        else:
            lines.append("changes that broke it:")
            lines.extend(f"  {c.label}" for c in sorted(result.culprits, key=lambda c: c.label))
    if result.final_outcome is not result.hardened:
        state = "works" if result.passed else "still broken"
        lines.append(f"with those changes backed out, the project {state}:")
        for name in names:
            now = result.final_outcome.statuses.get(name)
            lines.append(f"  {name}: {now.describe() if now else 'missing'}")
    if result.passed and result.final_outcome.confinement:
        lines.append("confinement of the hardened containers (docker inspect):")
        lines.append(render_confinement(list(result.final_outcome.confinement)).rstrip("\n"))
    return "\n".join(lines) + "\n"


def render_diff(files: Iterable[FileChange]) -> str:
    """A unified diff of every change; a new secret file (mode 0600) is named, never shown."""
    out: list[str] = []
    for change in files:
        if change.original is None and change.mode == SECRET_MODE:
            out.append(f"new file {change.path} (mode 0600; content not shown)\n")
            continue
        before = [] if change.original is None else change.original.splitlines(keepends=True)
        out.extend(
            difflib.unified_diff(
                before,
                change.fixed.splitlines(keepends=True),
                fromfile="/dev/null" if change.original is None else f"a/{change.path}",
                tofile=f"b/{change.path}",
            )
        )
    return "".join(out)


def _status(status: ServiceStatus | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {
        "state": status.state,
        "exit_code": status.exit_code,
        "health": status.health,
        "ports": {port: answered for port, answered in status.ports},
        "working": status.working,
    }


def _verification(result: Verification) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "runs": result.runs,
        "services": {
            name: {
                "original": _status(status),
                "hardened": _status(result.hardened.statuses.get(name)),
                "final": _status(result.final_outcome.statuses.get(name)),
            }
            for name, status in result.original.statuses.items()
        },
        "hardened_up_error": result.hardened.up_error,
        "broken": {name: list(reasons) for name, reasons in result.broken.items()},
        "culprits": (
            None
            if result.culprits is None
            else [
                {
                    "services": list(c.services),
                    "rule": c.rule_id,
                    "title": c.title,
                    "path": c.path,
                    "line": c.line,
                }
                for c in sorted(result.culprits, key=lambda c: c.label)
            ]
        ),
        "confinement": {
            row.service: {"user": row.user, **{name: held for name, held in row.properties}}
            for row in result.final_outcome.confinement
        },
    }


def render_json(
    summary: Summary,
    verification: Verification | None,
    files: Iterable[FileChange],
    *,
    written: bool,
) -> str:
    """The whole outcome as one versioned JSON document (secret contents never included)."""
    document = {
        "version": JSON_VERSION,
        "score": {"before": summary.before, "after": summary.after},
        "services": [
            {
                "name": s.name,
                "before": s.before,
                "after": s.after,
                "resolved": list(s.resolved),
                "introduced": list(s.introduced),
                "remaining": list(s.remaining),
                "backed_out": list(s.backed_out),
            }
            for s in summary.services
        ],
        "files": [{"path": f.path, "created": f.original is None} for f in files],
        "written": written,
        "verify": None if verification is None else _verification(verification),
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
