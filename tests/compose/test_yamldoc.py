"""YAML with positions: spans, YAML 1.2 scalars, merge keys, and refusal of hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.errors import ParseError, SourceError
from seawall.model.source import SourceFile
from seawall.parsers.yamldoc import (
    MAX_BYTES,
    YMap,
    YScalar,
    YSeq,
    parse_yaml,
    read_source,
    to_python,
)


def parse(text: str) -> YMap:
    node = parse_yaml(SourceFile("t.yaml", text))
    assert isinstance(node, YMap)
    return node


def test_spans_point_at_the_written_text() -> None:
    source = SourceFile("t.yaml", "a: 1\nname: 'é😀x'\nlist:\n  - one\n  - {k: v}\n")
    root = parse_yaml(source)
    assert isinstance(root, YMap)
    name = root.entries["name"]
    assert source.slice(name.key_origin.span) == "name"
    assert source.slice(name.value.origin.span) == "'é😀x'"
    items = root.get("list")
    assert isinstance(items, YSeq)
    assert source.slice(items.items[0].origin.span) == "one"
    assert source.position(items.items[1].origin.span.start).line == 5
    assert items.indent == 2


def test_core_schema_scalars_like_compose() -> None:
    root = parse("p: 80:80\ny: yes\nn: no\no: 0o17\nh: 0x1f\nf: 1.5\nnull1: ~\nt: True\ns: '1'\n")
    assert to_python(root) == {
        "p": "80:80",
        "y": "yes",
        "n": "no",
        "o": 15,
        "h": 31,
        "f": 1.5,
        "null1": None,
        "t": True,
        "s": "1",
    }
    s = root.get("s")
    assert isinstance(s, YScalar) and s.quoted


def test_merge_keys_keep_the_anchor_origin_and_explicit_keys_win() -> None:
    source = SourceFile(
        "t.yaml",
        "x-base: &base\n  image: a:1\n  user: root\n"
        "services:\n  web:\n    <<: *base\n    user: app\n",
    )
    root = parse_yaml(source)
    assert isinstance(root, YMap)
    services = root.get("services")
    assert isinstance(services, YMap)
    web = services.get("web")
    assert isinstance(web, YMap)
    assert to_python(web) == {"image": "a:1", "user": "app"}
    image = web.get("image")
    assert image is not None and source.position(image.origin.span.start).line == 2
    user = web.get("user")
    assert user is not None and source.position(user.origin.span.start).line == 7


def test_merge_key_list_earlier_mapping_wins() -> None:
    root = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n")
    assert to_python(root.get("c")) == {"x": 1, "y": 2}


def test_duplicate_keys_are_an_error_with_the_line() -> None:
    with pytest.raises(ParseError) as info:
        parse("services:\n  web:\n    image: a\n    image: b\n")
    assert info.value.line == 4
    assert "duplicate key 'image'" in str(info.value)
    assert "line 3" in str(info.value)


def test_billion_laughs_is_refused() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(ParseError, match="alias bomb"):
        parse("\n".join(lines) + "\n")


def test_moderate_alias_reuse_is_fine() -> None:
    text = "x: &x {image: a, user: b}\n" + "".join(f"s{i}: *x\n" for i in range(2000))
    assert len(parse(text).entries) == 2001


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ParseError, match="recursive alias"):
        parse("a: &a\n  b: *a\n")


def test_invalid_yaml_has_line_and_column() -> None:
    with pytest.raises(ParseError) as info:
        parse("services:\n  web: [\n")
    assert info.value.line is not None


def test_non_scalar_key_is_refused() -> None:
    with pytest.raises(ParseError, match="keys must be scalars"):
        parse("? [a, b]\n: c\n")


def test_deep_nesting_is_a_clean_error() -> None:
    with pytest.raises(ParseError):
        parse("a: " + "[" * 20000 + "]" * 20000 + "\n")


def test_oversized_and_binary_and_non_utf8_input(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(SourceError, match="too large"):
        read_source(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"a: \x00\n")
    with pytest.raises(SourceError, match="binary"):
        read_source(binary)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"a: caf\xe9\n")
    with pytest.raises(SourceError, match="UTF-8"):
        read_source(latin)
    with pytest.raises(SourceError, match="no such file"):
        read_source(tmp_path / "missing.yaml")


def test_empty_document_is_none() -> None:
    assert parse_yaml(SourceFile("t.yaml", "# nothing\n")) is None
