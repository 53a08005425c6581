"""The human text format: header lines, excerpts with carets, fix hints, summary, colour."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from seawall.model.finding import Report
from seawall.report import render
from seawall.report.text import prerender, wants_color
from seawall.rules._base import Rule

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_text_golden(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], golden: Callable[[str, str], None]
) -> None:
    golden("report.txt", render(sample_report, "text", tool_version="0.1.0", rules=sample_rules))


def test_color_golden_and_plain_text_underneath(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], golden: Callable[[str, str], None]
) -> None:
    colored = render(sample_report, "text", color=True, rules=sample_rules)
    plain = render(sample_report, "text", color=False, rules=sample_rules)
    golden("report.color.txt", colored)
    assert ANSI.search(colored)
    assert not ANSI.search(plain)
    assert ANSI.sub("", colored) == plain


def test_header_positions_and_pointer_locations(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    out = render(sample_report, "text", rules=sample_rules)
    lines = out.splitlines()
    assert "Dockerfile:5:6: TS001 [high] the shipped stage runs as root" in lines
    assert "alpine:3.19#/config/User: TS003 [low] image config sets no user" in lines
    assert "compose.yaml: XX999 [info] a finding from a rule the registry does not know" in lines
    assert "broken/Dockerfile: error: line 3: unknown instruction FORM" in lines
    assert "  = fix: Run as an unprivileged user (safe)" in lines
    assert "  = fix: Pin the image (suggestion)" in lines


def test_carets_align_under_tabs_and_wide_characters(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    lines = render(sample_report, "text", rules=sample_rules).splitlines()
    source_line = lines.index('3 |     image: "网页/nginx"')
    # 4 spaces + 'image: "' (8) + two wide characters (4 cells) + '/' (1) = 17 cells before "nginx".
    assert lines[source_line + 1] == "  | " + " " * 17 + "^^^^^"


def test_multiline_span_underlines_each_line(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    lines = render(sample_report, "text", rules=sample_rules).splitlines()
    first = lines.index("3 | RUN apt-get update && \\")
    assert lines[first + 1] == "  | " + "^" * len("RUN apt-get update && \\")
    assert lines[first + 2] == "4 |     apt-get install -y curl"
    assert lines[first + 3] == "  |     " + "^" * len("apt-get install -y curl")


def test_summary_counts(sample_report: Report, sample_rules: dict[str, Rule[Any]]) -> None:
    out = render(sample_report, "text", rules=sample_rules)
    assert out.endswith(
        "Found 7 findings (1 critical, 1 high, 1 medium, 2 low, 2 info); 2 errors; 2 suppressed;"
        " 1 baselined.\n2 fixable with --fix (1 more with --unsafe-fixes).\n"
    )


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_wants_color_only_on_a_tty_without_no_color() -> None:
    assert wants_color(_Stream(tty=True), {})
    assert wants_color(_Stream(tty=True), {"NO_COLOR": ""})  # empty means unset (no-color.org)
    assert not wants_color(_Stream(tty=False), {})
    assert not wants_color(_Stream(tty=True), {"NO_COLOR": "1"})
    assert not wants_color(_Stream(tty=True), {"TERM": "dumb"})


@pytest.mark.parametrize("color", [False, True])
def test_prerendered_blocks_give_the_same_text(
    sample_report: Report, sample_rules: dict[str, Rule[Any]], color: bool
) -> None:
    # Forked workers render their files' findings early; joining those blocks must give the
    # text the parent would have rendered itself.
    expected = render(sample_report, "text", color=color, rules=sample_rules)
    early = sample_report
    early.rules = dict(sample_rules)
    prerender(early, color=color)
    rendered = {finding for _, finding in early.text_blocks}
    assert rendered == {
        f for f in early.findings if f.rule_id in sample_rules and f.location.path in early.sources
    }
    assert 0 < len(rendered) < len(early.findings)  # XX999 and the image finding are left
    assert render(early, "text", color=color, rules=sample_rules) == expected


def test_render_joins_the_prerendered_blocks(
    sample_report: Report, sample_rules: dict[str, Rule[Any]]
) -> None:
    sample_report.rules = dict(sample_rules)
    prerender(sample_report, color=False)
    key = next(iter(sample_report.text_blocks))
    sample_report.text_blocks[key] = "<block rendered by a worker>"
    assert "<block rendered by a worker>" in render(sample_report, "text", rules=sample_rules)
    # Blocks rendered for the other colour setting are not used.
    assert "<block rendered by a worker>" not in render(
        sample_report, "text", color=True, rules=sample_rules
    )
