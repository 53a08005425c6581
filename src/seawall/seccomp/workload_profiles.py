"""Grade the custom seccomp profile a workload uses, with the SC rules.

Two places name one: a compose ``security_opt: [seccomp=./profile.json]`` (a file, resolved
against the compose file's directory as Compose v2 does; findings are located in that file), and
``docker inspect`` output, where the Engine stores the whole profile inline as
``seccomp={…}`` (findings point at that ``SecurityOpt`` entry). ``unconfined`` and the built-in
default are not custom profiles (CR rules cover ``unconfined``). A referenced file that does not
exist is left alone here: Compose itself refuses to start such a service.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seawall.model.finding import Report, TargetError
from seawall.model.source import SourceFile

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.rules._base import Rule
    from seawall.workload import Workload

_NOT_CUSTOM = ("", "unconfined", "default", "builtin")


def profile_rules(config: Config, path: str | None = None) -> list[Rule[Any]]:
    """The SC rules selected by ``config`` (empty when the user deselected them all)."""
    from seawall.engine import select_rules
    from seawall.rules._base import TargetKind

    return select_rules(config, TargetKind.SECCOMP_PROFILE, path)


def check_workload_profile(
    workload: Workload,
    config: Config,
    rules: Sequence[Rule[Any]],
    *,
    base_dir: Path | None = None,
) -> Report:
    """SC findings for the profile ``workload`` uses; an empty report when it uses none.

    ``base_dir`` resolves a profile file named in a compose file; without it (inspect output)
    only inline profiles are graded.
    """
    report = Report()
    value = (workload.seccomp.value or "").strip()
    if not rules or value.lower() in _NOT_CUSTOM:
        return report
    if value.startswith("{"):
        _inline(workload, value, config, rules, report)
    elif base_dir is not None:
        _file(base_dir / value, config, rules, report)
    return report


def _inline(
    workload: Workload, value: str, config: Config, rules: Sequence[Rule[Any]], report: Report
) -> None:
    from seawall.seccomp.rules import SeccompProfileTarget

    location = workload.seccomp.location
    try:
        profile = json.loads(value)
    except json.JSONDecodeError as exc:
        report.errors.append(
            TargetError(location.path, f"inline seccomp profile is not JSON: {exc.msg}", "parse")
        )
        return
    target = SeccompProfileTarget(
        profile, location.path, pointer=location.pointer or "", span=location.span, inline=True
    )
    _grade(target, config, rules, report, source=None)


def _file(path: Path, config: Config, rules: Sequence[Rule[Any]], report: Report) -> None:
    from seawall.seccomp.rules import SeccompProfileTarget
    from seawall.targets.read import display_path

    where = display_path(path.resolve())
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        report.errors.append(TargetError(where, f"cannot read seccomp profile: {reason}", "source"))
        return
    try:
        profile = json.loads(text)
    except json.JSONDecodeError as exc:
        report.errors.append(
            TargetError(
                where, f"seccomp profile is not JSON: {exc.msg} at line {exc.lineno}", "parse"
            )
        )
        return
    source = SourceFile(where, text)
    report.sources[where] = source
    _grade(SeccompProfileTarget(profile, where), config, rules, report, source=source)


def _grade(
    target: Any,
    config: Config,
    rules: Sequence[Rule[Any]],
    report: Report,
    source: SourceFile | None,
) -> None:
    from seawall.engine import make_context
    from seawall.seccomp.locate import with_spans
    from seawall.seccomp.rules import grade_findings

    # Grade once and keep the selected rules' findings (each SC rule would grade again).
    selected = {rule.meta.id for rule in rules}
    ctx = make_context(config, target.path, source)
    found = [f for f in grade_findings(target, ctx) if f.rule_id in selected]
    report.findings.extend(with_spans(found, source) if source is not None else found)
