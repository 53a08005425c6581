"""The YAML text-edit toolkit: comments, key order, quoting and indentation stay as written;
flow style, anchors, merge keys and interpolated values are refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.config import Config
from seawall.fixer import apply_edits
from seawall.fixes.compose import plan_compose_fixes
from seawall.fixes.compose.yamledit import (
    NotEditable,
    Style,
    append_item,
    delete_entry,
    detect_style,
    insert_entry,
    quote,
    replace_scalar,
    replace_value,
)
from seawall.model.source import SourceFile
from seawall.parsers.compose import LoadOptions
from seawall.parsers.yamldoc import YMap, YSeq, parse_yaml


def _service(text: str, name: str = "web") -> YMap:
    root = parse_yaml(SourceFile("c.yaml", text))
    assert isinstance(root, YMap)
    services = root.get("services")
    assert isinstance(services, YMap)
    node = services.get(name)
    assert isinstance(node, YMap)
    return node


def _apply(text: str, edit: object) -> str:
    out = apply_edits(text, [edit])  # type: ignore[list-item]
    parse_yaml(SourceFile("c.yaml", out))  # still YAML
    return out


BASE = """\
services:
  web:
    image: nginx:1.27   # the proxy
    # comment about db
  db:
    image: postgres:16
"""


def test_insert_after_last_key_keeps_trailing_comment_and_next_comment() -> None:
    node = _service(BASE)
    edit = insert_entry(BASE, node, "read_only", "true", "c.yaml", Style(), "web")
    assert _apply(BASE, edit) == BASE.replace("# the proxy\n", "# the proxy\n    read_only: true\n")


def test_insert_block_list_uses_the_file_list_style() -> None:
    text = "services:\n  web:\n    image: a\n    cap_add:\n    - CHOWN\n"
    root = parse_yaml(SourceFile("c.yaml", text))
    style = detect_style(text, root)
    assert style == Style(step=2, seq_offset=0)
    node = _service(text)
    edit = insert_entry(text, node, "cap_drop", ["ALL"], "c.yaml", style, "web")
    assert _apply(text, edit).endswith("    - CHOWN\n    cap_drop:\n    - ALL\n")


def test_insert_after_a_block_scalar_and_a_nested_mapping() -> None:
    text = (
        "services:\n"
        "    web:\n"
        "        image: a\n"
        "        command: |\n"
        "            echo hi\n"
        "\n"
        "    api:\n"
        "        image: b\n"
        "        deploy:\n"
        "            resources:\n"
        "                limits: {cpus: '1'}\n"
    )
    style = detect_style(text, parse_yaml(SourceFile("c.yaml", text)))
    assert style.step == 4
    web = insert_entry(text, _service(text), "user", "app", "c.yaml", style, "web")
    assert "            echo hi\n        user: app\n\n    api:" in _apply(text, web)
    api = insert_entry(text, _service(text, "api"), "pids_limit", "256", "c.yaml", style, "api")
    assert _apply(text, api).endswith("limits: {cpus: '1'}\n        pids_limit: 256\n")


def test_append_item_to_block_list() -> None:
    text = "services:\n  web:\n    image: a\n    tmpfs:\n      - /tmp  # scratch\n    user: x\n"
    node = _service(text)
    seq = node.get("tmpfs")
    assert isinstance(seq, YSeq)
    edit = append_item(text, seq, ["/run", "/var/cache/nginx"], "c.yaml", Style(), "tmpfs")
    assert _apply(text, edit) == text.replace(
        "# scratch\n", "# scratch\n      - /run\n      - /var/cache/nginx\n"
    )


def test_replace_value_turns_a_flow_list_into_a_block_list() -> None:
    text = "services:\n  web:\n    image: a\n    cap_drop: [NET_RAW]\n    user: x\n"
    edit = replace_value(text, _service(text), "cap_drop", ["ALL"], "c.yaml", Style(), "web")
    assert _apply(text, edit) == text.replace("cap_drop: [NET_RAW]", "cap_drop:\n      - ALL")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("'8080:80'", "'127.0.0.1:8080:80'"), ('"x"', '"z"'), ("plain", "z")],
)
def test_replace_scalar_keeps_the_quote_style(written: str, expected: str) -> None:
    text = f"services:\n  web:\n    image: {written}\n"
    value = "127.0.0.1:8080:80" if "8080" in written else "z"
    node = _service(text).get("image")
    assert node is not None
    edit = replace_scalar(text, node, value, "c.yaml", "image")
    assert _apply(text, edit) == f"services:\n  web:\n    image: {expected}\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgres", "postgres"),
        ("101:101", '"101:101"'),
        ("472", '"472"'),
        ("yes", '"yes"'),
        ("a b: c", '"a b: c"'),
        ("it's", '"it\'s"'),
    ],
)
def test_quote_reads_back_as_the_same_string(value: str, expected: str) -> None:
    assert quote(value) == expected


def test_delete_takes_the_comment_lines_directly_above() -> None:
    text = (
        "services:\n"
        "  web:\n"
        "    image: a\n"
        "\n"
        "    # docker in docker\n"
        "    # needs it\n"
        "    privileged: true   # really\n"
        "    user: x\n"
    )
    edit = delete_entry(text, _service(text), "privileged", "c.yaml", "web")
    assert _apply(text, edit) == ("services:\n  web:\n    image: a\n\n    user: x\n")


def test_flow_anchor_and_merged_keys_are_not_editable() -> None:
    text = (
        "x-base: &base\n"
        "  privileged: true\n"
        "services:\n"
        "  flow: {image: a}\n"
        "  anchored: &shared\n"
        "    image: b\n"
        "  merged:\n"
        "    <<: *base\n"
        "    image: c\n"
    )
    with pytest.raises(NotEditable, match="flow style"):
        insert_entry(text, _service(text, "flow"), "user", "x", "c.yaml", Style(), "flow")
    with pytest.raises(NotEditable, match="anchor"):
        insert_entry(text, _service(text, "anchored"), "user", "x", "c.yaml", Style(), "a")
    with pytest.raises(NotEditable, match="merge key"):
        delete_entry(text, _service(text, "merged"), "privileged", "c.yaml", "merged")


def test_findings_say_why_a_fix_is_not_applied(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "x-common: &common\n"
        "  privileged: true\n"
        "services:\n"
        "  flowy: {image: 'redis:7.4', privileged: true}\n"
        "  merged:\n"
        "    <<: *common\n"
        "    image: postgres:16\n"
        "  shared: &shared\n"
        "    image: example/a:1\n"
        "    read_only: false\n"
        "  alias: *shared\n"
        "  interpolated:\n"
        "    image: postgres:16\n"
        "    user: ${UID:-0}\n"
    )
    plan = plan_compose_fixes(
        [tmp_path / "compose.yaml"],
        Config(select=("CR001", "CR002", "CR003")),
        unsafe=True,
        options=LoadOptions(environ={}, display_root=tmp_path),
    )
    reasons = {
        (f.rule_id, f.message.split("'")[1]): (f.fix.title if f.fix else "") for f in plan.remaining
    }
    assert "flow style" in reasons[("CR001", "flowy")]
    assert "merge key" in reasons[("CR001", "merged")]
    assert "anchor" in reasons[("CR003", "shared")]
    assert "anchor" in reasons[("CR003", "alias")]
    assert "interpolation" in reasons[("CR002", "interpolated")]
    # What could be fixed was fixed, in the service's own mapping.
    fixed = plan.changes[0].fixed
    assert "    image: postgres:16\n    user: postgres\n    read_only: true\n" in fixed
    assert fixed.count("privileged: true") == 2


def test_crlf_files_keep_their_line_breaks(tmp_path: Path) -> None:
    text = (
        "services:\r\n  web:\r\n    image: redis:7.4\r\n    # why\r\n    privileged: true\r\n"
        "    user: root\r\n"
    )
    (tmp_path / "compose.yaml").write_bytes(text.encode())
    plan = plan_compose_fixes(
        [tmp_path / "compose.yaml"],
        Config(select=("CR001", "CR002", "CR006")),
        unsafe=True,
        options=LoadOptions(environ={}),
    )
    fixed = plan.changes[0].fixed
    assert fixed == (
        "services:\r\n  web:\r\n    image: redis:7.4\r\n    user: redis\r\n"
        "    security_opt:\r\n      - no-new-privileges:true\r\n"
    )


def test_insert_goes_past_comments_of_the_nested_block_it_follows() -> None:
    text = (
        "services:\n  web:\n    image: a\n    healthcheck:\n      test: [CMD, true]\n"
        "      # interval later\n    # about db\n  db:\n    image: b\n"
    )
    edit = insert_entry(text, _service(text), "read_only", "true", "c.yaml", Style(), "web")
    assert _apply(text, edit) == text.replace(
        "# interval later\n", "# interval later\n    read_only: true\n"
    )
