"""Compose interpolation and dotenv parsing."""

from __future__ import annotations

import pytest

from seawall.model.source import SourceFile
from seawall.parsers.compose_env import InterpolationError, interpolate, parse_dotenv

ENV = {"SET": "value", "EMPTY": ""}


def expand(text: str) -> str:
    return interpolate(text, ENV.get)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${SET}", "value"),
        ("$SET/x", "value/x"),
        ("${UNSET}", ""),
        ("${UNSET:-d}", "d"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${UNSET-d}", "d"),
        ("${SET:-d}", "value"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("a$", "a$"),
        ("${UNSET:-${SET}}", "value"),
        ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
        ("pre-${SET}-post", "pre-value-post"),
    ],
)
def test_interpolation_forms(text: str, expected: str) -> None:
    assert expand(text) == expected


@pytest.mark.parametrize("text", ["${UNSET:?need it}", "${EMPTY:?need it}", "${UNSET?need it}"])
def test_required_variables(text: str) -> None:
    with pytest.raises(InterpolationError, match="need it"):
        expand(text)


def test_required_with_question_mark_allows_empty() -> None:
    assert expand("${EMPTY?need it}") == ""


def test_invalid_syntax() -> None:
    with pytest.raises(InterpolationError, match="invalid interpolation"):
        expand("${")
    with pytest.raises(InterpolationError, match="invalid interpolation"):
        expand("${1BAD}")


def test_dotenv_parsing_and_positions() -> None:
    text = (
        "# comment\n"
        "A=1\n"
        "export B='single $A'\n"
        'C="double $A\\n"\n'
        "D=plain # trailing comment\n"
        "E=${A}-${MISSING:-x}\n"
        "BARE\n"
        "\n"
    )
    source = SourceFile(".env", text)
    entries = parse_dotenv(source, lambda name: None)
    values = {e.name: e.value for e in entries}
    assert values == {
        "A": "1",
        "B": "single $A",
        "C": "double 1\n",
        "D": "plain",
        "E": "1-x",
        "BARE": None,
    }
    d = next(e for e in entries if e.name == "D")
    assert source.slice(d.origin.span) == "plain"
    assert source.position(d.origin.span.start).line == 5
