"""Output formats. Each format is one module with ``render(report, ...) -> str``; this picks one.

Reporters take a finished Report and return text: they never run rules, read files or print.
Format modules are imported on demand so ``seawall check`` only pays for the format it uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from seawall import __version__
from seawall.errors import ConfigError

if TYPE_CHECKING:
    from seawall.model.finding import Report
    from seawall.rules._base import Rule

FORMATS = ("text", "json", "sarif", "junit")


def render(
    report: Report,
    fmt: str,
    *,
    color: bool = False,
    tool_version: str = __version__,
    rules: Mapping[str, Rule[Any]] | None = None,
) -> str:
    """Render ``report`` in format ``fmt`` (one of FORMATS).

    ``color`` only affects the text format (the CLI asks for it on a TTY without ``NO_COLOR``).
    ``rules`` maps rule ids to rules for metadata (aliases, references, docs); it defaults to the
    registry ``seawall.rules.RULES_BY_ID``. Findings of rules it does not know are still rendered.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if rules is None:
        # The rules that ran are enough unless a finding comes from elsewhere (e.g. a baseline).
        # A report of errors only needs none: importing every family took ~0.3 s.
        rules = report.rules
        if any(f.rule_id not in rules for f in report.findings):
            from seawall.report._common import registry

            rules = registry()
    module = importlib.import_module(f"seawall.report.{fmt}")
    output: str = module.render(report, color=color, tool_version=tool_version, rules=rules)
    return _encodable(output)


def _encodable(text: str) -> str:
    """Text that encodes as UTF-8: lone surrogates (from undecodable bytes) become ``\\udcXX``.

    The escape is valid inside JSON strings and readable in text, XML and SARIF alike.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


__all__ = ["FORMATS", "render"]
