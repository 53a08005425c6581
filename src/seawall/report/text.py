"""Human output: one header line per finding, the source excerpt underlined, the fix, a summary.

```
Dockerfile:3:1: DF009 [low] ADD used for local files
  |
3 | ADD app.tar /app
  | ^^^
  = fix: Replace ADD with COPY (safe)
```
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, TextIO

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Report, Severity, TargetError
from seawall.model.fix import Applicability
from seawall.model.source import SourceFile
from seawall.report._common import (
    FIX_LABELS,
    Range,
    finding_range,
    fix_counts,
    ordered_errors,
    ordered_findings,
    plural,
    severity_counts,
)
from seawall.rules._base import Rule

MAX_EXCERPT_LINES = 4
TAB = "    "

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM_BLUE = "\x1b[34m"
_SEVERITY_STYLE = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_ERROR_STYLE = "\x1b[1;31m"
# Scanned content must not drive the terminal: control characters (except tab) and bidi overrides
# in messages, paths and source lines are shown as escapes.
_UNPRINTABLE = lazy_pattern("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FIX_STYLE = "\x1b[32m"
# Rules tagged so report secret values: their spanned text is masked in excerpts.
SECRET_TAG = "secret"
_MASK = "********"


def wants_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether output to ``stream`` should be coloured: a TTY, ``NO_COLOR`` unset or empty
    (no-color.org), and not ``TERM=dumb``."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with terminal control characters written as escapes."""
    if text.isprintable():
        return text  # no control or format character at all: the common case, checked in C
    return _UNPRINTABLE.sub(_escape_char, text)


class _Painter:
    """Wraps text in ANSI styles, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.enabled and text else text


def render(
    report: Report,
    *,
    color: bool = False,
    tool_version: str = "",
    rules: Mapping[str, Rule[Any]] | None = None,
) -> str:
    """The report as terminal text (ANSI colour only when ``color``)."""
    paint = _Painter(color)
    findings = ordered_findings(report)
    # A blank line after each finding keeps excerpts apart; errors are one line each.
    known = rules or {}
    done = report.text_blocks
    blocks = [
        (
            done.get((color, finding))
            or _finding_block(report, finding, paint, _is_secret(known.get(finding.rule_id)))
        )
        + "\n"
        for finding in findings
    ]
    errors = [_error_line(error, paint) for error in ordered_errors(report)]
    if errors:
        blocks.append("\n".join(errors) + "\n")
    blocks.extend(_summary(report, findings))
    return "\n".join(blocks) + "\n"


def prerender(report: Report, *, color: bool) -> None:
    """Render the blocks of ``report``'s findings now, for ``render`` to join later.

    Forked workers call this for the files they check, so the parent does not render every
    finding alone once the workers are done. Only findings in the report's own sources, by rules
    the report knows, are rendered here: ``render`` would give them the same text.
    """
    paint = _Painter(color)
    rules, sources, blocks = report.rules, report.sources, report.text_blocks
    for finding in report.findings:
        rule = rules.get(finding.rule_id)
        if rule is not None and finding.location.path in sources:
            block = _finding_block(report, finding, paint, _is_secret(rule))
            blocks[(color, finding)] = block


def _where(finding: Finding, rng: Range | None) -> str:
    loc = finding.location
    if rng is not None:
        return f"{loc.path}:{rng.line}:{rng.column}"
    if loc.pointer is not None:
        return f"{loc.path}#{loc.pointer}"
    return loc.path


def _is_secret(rule: Rule[Any] | None) -> bool:
    return rule is not None and SECRET_TAG in rule.meta.tags


def _finding_block(report: Report, finding: Finding, paint: _Painter, secret: bool) -> str:
    style = _SEVERITY_STYLE[finding.severity]
    rng = finding_range(report, finding)
    header = (
        f"{paint(_BOLD, printable(_where(finding, rng)))}: {paint(_BOLD, finding.rule_id)} "
        f"{paint(style, '[' + finding.severity.label + ']')} {printable(finding.message)}"
    )
    lines = [header]
    source = report.sources.get(finding.location.path)
    gutter = 1
    if rng is not None and source is not None:
        excerpt, gutter = _excerpt(source, rng, paint, style, secret)
        lines.extend(excerpt)
    if finding.fix is not None:
        label = FIX_LABELS[finding.fix.applicability]
        lines.append(
            f"{' ' * gutter} = {paint(_FIX_STYLE, 'fix')}: {printable(finding.fix.title)} ({label})"
        )
    return "\n".join(lines)


def _excerpt(
    source: SourceFile, rng: Range, paint: _Painter, style: str, secret: bool = False
) -> tuple[list[str], int]:
    """Lines of ``rng`` with carets under the covered characters, and the gutter width.

    With ``secret`` the covered characters are shown as a fixed mask (the value and its length
    never reach the output)."""
    last = rng.end_line
    # A span ending right after a newline ends at column 1 of the next line: don't show that line.
    if last > rng.line and rng.end_column == 1:
        last -= 1
    shown = list(range(rng.line, min(last, rng.line + MAX_EXCERPT_LINES - 1) + 1))
    width = len(str(shown[-1]))
    bar = paint(_DIM_BLUE, "|")
    out = [f"{' ' * width} {bar}"]
    for number in shown:
        text = source.line_text(number)
        start_col = rng.column if number == rng.line else _first_non_blank(text)
        end_col = rng.end_column if number == rng.end_line else len(text) + 1
        if secret and end_col > start_col:
            text = text[: start_col - 1] + _MASK + text[end_col - 1 :]
            end_col = start_col + len(_MASK)
        lead = _display_width(printable(text[: start_col - 1]))
        marks = max(1, _display_width(printable(text[start_col - 1 : end_col - 1])))
        shown_text = _expand(printable(text))
        out.append(f"{paint(_DIM_BLUE, str(number).rjust(width))} {bar} {shown_text}".rstrip())
        out.append(f"{' ' * width} {bar} {' ' * lead}{paint(style, '^' * marks)}")
    if last > shown[-1]:
        out.append(f"{' ' * width} {bar} ... ({plural(last - shown[-1], 'more line')})")
    return out, width


def _first_non_blank(text: str) -> int:
    return len(text) - len(text.lstrip()) + 1


def _expand(text: str) -> str:
    return text.replace("\t", TAB)


def _display_width(text: str) -> int:
    """Terminal cells ``text`` takes: tabs expand, wide (East Asian) characters take two."""
    if text.isascii():
        return len(text) + text.count("\t") * (len(TAB) - 1)  # most lines: no per-character work
    width = 0
    for char in text:
        if char == "\t":
            width += len(TAB)
        elif unicodedata.combining(char):
            continue
        else:
            width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _error_line(error: TargetError, paint: _Painter) -> str:
    path, message = printable(error.path), printable(error.message)
    return f"{paint(_BOLD, path)}: {paint(_ERROR_STYLE, 'error')}: {message}"


def _summary(report: Report, findings: list[Finding]) -> list[str]:
    counts = severity_counts(findings)
    if findings:
        detail = ", ".join(f"{n} {sev.label}" for sev, n in counts.items() if n)
        head = f"Found {plural(len(findings), 'finding')} ({detail})"
    else:
        head = "No findings"
    parts = [
        head,
        plural(len(report.errors), "error"),
        f"{report.suppressed} suppressed",
        f"{report.baselined} baselined",
    ]
    lines = ["; ".join(parts) + "."]
    fixes = fix_counts(findings)
    safe, unsafe = fixes[Applicability.SAFE], fixes[Applicability.UNSAFE]
    if safe or unsafe:
        hint = f"{safe} fixable with --fix"
        if unsafe:
            hint += f" ({unsafe} more with --unsafe-fixes)"
        lines.append(hint + ".")
    return lines
