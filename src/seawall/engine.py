"""Runs rules over parsed models: rule selection, crash isolation, suppressions, baseline, ordering.

The engine never reads files itself (targets are loaded by ``seawall.targets``) and never prints.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from seawall.model.finding import Finding, Report, TargetError
from seawall.model.source import SourceFile
from seawall.rules._base import Context, Rule, TargetKind

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.suppress import Suppressions


def rule_matches(rule: Rule[Any], selectors: Iterable[str]) -> bool:
    """Whether a rule is named by any selector: an id prefix, a name, an alias, or ``ALL``."""
    meta = rule.meta
    for sel in selectors:
        s = sel.strip()
        if not s:
            continue
        if s.upper() == "ALL" or meta.id.startswith(s.upper()) or s == meta.name:
            return True
        if any(a.lower() == s.lower() for a in meta.aliases):
            return True
    return False


def select_rules(config: Config, kind: TargetKind, path: str | None = None) -> list[Rule[Any]]:
    """Rules that apply to ``kind`` after config selection and per-file ignores."""
    from seawall.rules import rules_for

    if not config.per_file_ignores:
        # The same for every file: chosen once per configuration and kind (a scan asks per file).
        key = (kind, id(config))
        cached = _SELECTED.get(key)
        if cached is not None and cached[0] is config:
            return list(cached[1])
    chosen: list[Rule[Any]] = []
    per_file: list[str] = []
    if path is not None:
        for pattern, ids in config.per_file_ignores.items():
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern):
                per_file.extend(ids)
    ignored = [*config.ignore, *per_file]
    for rule in rules_for(kind):
        if config.select:
            if not rule_matches(rule, config.select):
                continue
        elif not rule.meta.default_enabled and not rule_matches(rule, config.extend_select):
            continue
        if ignored and rule_matches(rule, ignored):
            continue
        chosen.append(rule)
    if not config.per_file_ignores:
        if len(_SELECTED) > 64:  # long-lived callers (tests, servers) make many configurations
            _SELECTED.clear()
        _SELECTED[(kind, id(config))] = (config, tuple(chosen))
    return chosen


# Rules chosen per (kind, configuration). The entry holds the configuration itself, so an id
# reused by a later configuration object is never mistaken for it.
_SELECTED: dict[tuple[TargetKind, int], tuple[Config, tuple[Rule[Any], ...]]] = {}


def make_context(config: Config, target: str, source: SourceFile | None = None) -> Context:
    """A rule context for one target, carrying configured options and severity overrides."""
    return Context(
        target=target,
        source=source,
        options=config.rule_options,
        severity_overrides=config.severity_overrides,
    )


def run_rules(
    rules: Sequence[Rule[Any]], model: Any, ctx: Context
) -> tuple[list[Finding], list[TargetError]]:
    """Run each rule on ``model``; a crashing rule becomes an error entry and the others go on."""
    findings: list[Finding] = []
    errors: list[TargetError] = []
    for rule in rules:
        try:
            findings.extend(rule.check(model, ctx))
        except Exception as exc:  # crash isolation: one broken rule must not hide the others
            errors.append(
                TargetError(
                    ctx.target,
                    f"rule {rule.meta.id} ({rule.meta.name}) crashed: {type(exc).__name__}: {exc}",
                    kind="rule-crash",
                )
            )
    return findings, errors


def filter_suppressed(
    findings: Iterable[Finding],
    suppressions: dict[str, Suppressions],
    sources: dict[str, SourceFile],
    rules: Mapping[str, Rule[Any]] | None = None,
) -> tuple[list[Finding], int]:
    """Drop findings silenced by inline pragmas; returns the kept findings and how many were dropped.

    ``rules`` (id → rule, for the peer aliases pragmas may use) should hold the rules that ran;
    without it every rule family is imported.
    """
    known: Mapping[str, Rule[Any]] = {}
    if any(suppressions.values()):
        if rules is None:
            from seawall.rules import rules_by_id

            rules = rules_by_id()
        known = rules
    kept: list[Finding] = []
    dropped = 0
    for f in findings:
        sup = suppressions.get(f.location.path)
        if sup:  # most files hold no pragma at all
            rule = known.get(f.rule_id)
            names = {f.rule_id, f.rule_name}
            if rule is not None:
                names.update(rule.meta.aliases)
            line = None
            if f.location.span is not None and f.location.path in sources:
                line = sources[f.location.path].position(f.location.span.start).line
            if sup.suppresses(names, line):
                dropped += 1
                continue
        kept.append(f)
    return kept, dropped


def finalize(report: Report, config: Config) -> Report:
    """Apply the baseline and sort. Called once per run after every target has been checked."""
    if config.baseline is not None:
        from seawall.baseline import apply_baseline

        report.findings, report.baselined = apply_baseline(report.findings, config.baseline)
    report.sort()
    return report
