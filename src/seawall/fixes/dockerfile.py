"""Fixing one Dockerfile's text in memory: the finder the fix loop re-runs, and the loop itself.

Used by ``check --fix`` (``commands/fix.py``), ``harden`` and the corpus benchmark, so all of them
see the same findings: the selected rules, with inline suppressions honoured (a suppressed
finding is never fixed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seawall.model.finding import Finding
from seawall.model.source import SourceFile

if TYPE_CHECKING:
    from seawall.config import Config


@dataclass(frozen=True)
class DockerfileFix:
    """The outcome of fixing one Dockerfile text: the text before and after, fixes applied."""

    original: str
    fixed: str
    applied: int

    @property
    def changed(self) -> bool:
        """Whether the text changed."""
        return self.fixed != self.original


def dockerfile_finder(
    shown: str,
    config: Config,
    *,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Callable[[str], list[Finding]]:
    """A function from Dockerfile text to the findings ``check`` would report (unsuppressed).

    ``extra`` goes into the rules' context (``dockerignore``, ``dockerfile_path``,
    ``digest_resolver``). Text that does not parse raises ParseError.
    """
    from seawall.engine import filter_suppressed, make_context, run_rules, select_rules
    from seawall.parsers.dockerfile import parse_dockerfile
    from seawall.rules._base import TargetKind
    from seawall.suppress import parse_suppressions

    rules = select_rules(config, TargetKind.DOCKERFILE, shown)
    by_id = {rule.meta.id: rule for rule in rules}

    def find(text: str) -> list[Finding]:
        source = SourceFile(shown, text)
        df = parse_dockerfile(source, build_args=build_args, target=target)
        ctx = make_context(config, shown, source)
        ctx.extra.update(extra or {})
        findings, _ = run_rules(rules, df, ctx)
        suppressions = parse_suppressions(source, df.statement_lines)
        kept, _ = filter_suppressed(findings, {shown: suppressions}, {shown: source}, by_id)
        return kept

    return find


def validate_dockerfile(text: str, shown: str = "Dockerfile") -> None:
    """Raise ParseError when ``text`` is not a Dockerfile BuildKit would accept."""
    from seawall.parsers.dockerfile import parse_dockerfile

    parse_dockerfile(SourceFile(shown, text))


def fix_dockerfile_text(
    text: str,
    shown: str,
    config: Config,
    *,
    unsafe: bool,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> DockerfileFix:
    """Apply the allowed fixes to ``text`` until stable.

    FixError when they do not converge or would make the text unparsable; ParseError when
    ``text`` itself does not parse.
    """
    from seawall.fixer import fix_until_stable

    find = dockerfile_finder(shown, config, build_args=build_args, target=target, extra=extra)
    fixed, applied = fix_until_stable(
        text, shown, find, lambda t: validate_dockerfile(t, shown), unsafe=unsafe
    )
    return DockerfileFix(text, fixed, applied)
