"""The Dockerfile parser against BuildKit semantics, with exact positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.errors import ParseError
from seawall.model.source import SourceFile
from seawall.parsers.dockerfile import (
    expand_vars,
    parse_arg,
    parse_dockerfile,
    parse_image_ref,
    parse_key_values,
)


def parse(text: str, **kw: object):  # type: ignore[no-untyped-def]
    return parse_dockerfile(SourceFile("Dockerfile", text), **kw)  # type: ignore[arg-type]


def test_keywords_any_case_and_positions() -> None:
    df = parse('from alpine:3.20\nrun echo hi\n  Cmd ["sh"]\n')
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "CMD"]
    cmd = df.instructions[2]
    assert df.source.position(cmd.keyword_span.start).line == 3
    assert df.source.position(cmd.keyword_span.start).column == 3
    assert cmd.exec_form == ("sh",)


def test_continuation_with_comment_and_blank_lines() -> None:
    text = (
        "FROM a\nRUN apt-get update && \\\n    # comment\n\n    apt-get install -y curl\nUSER x\n"
    )
    df = parse(text)
    run = df.instructions[1]
    assert run.line == 2 and run.end_line == 5
    assert "comment" not in run.args
    assert run.args.endswith("apt-get install -y curl")
    # a logical offset maps back to the right source character
    i = run.args.index("curl")
    assert text[run.to_source(i) : run.to_source(i) + 4] == "curl"
    assert df.instructions[2].keyword == "USER"


def test_escape_directive_backtick() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\n"
    df = parse(text)
    assert df.escape == "`"
    assert df.directives["escape"] == "`"
    assert df.instructions[1].end_line == 4


def test_directive_only_at_top() -> None:
    df = parse("FROM a\n# escape=`\nRUN echo \\\n x\n")
    assert df.escape == "\\"
    assert df.instructions[1].args.endswith("x")


def test_heredocs() -> None:
    text = "FROM a\nRUN <<EOF\nset -e\necho hi\nEOF\nCOPY <<-'END' /etc/x\n\tline\n\tEND\nUSER 1\n"
    df = parse(text)
    run, copy, user = df.instructions[1:]
    assert run.heredocs[0].body == "set -e\necho hi\n"
    assert run.end_line == 5
    assert copy.heredocs[0].quoted and copy.heredocs[0].strip_tabs
    assert copy.heredocs[0].body.startswith("line")
    assert user.keyword == "USER" and user.line == 9


def test_unterminated_heredoc_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as err:
        parse("FROM a\nRUN <<EOF\necho\n")
    assert err.value.line == 2 and "unterminated heredoc" in str(err.value)


def test_unknown_instruction() -> None:
    with pytest.raises(ParseError, match="unknown instruction"):
        parse("FROM a\nFOO bar\n")


def test_flags_and_exec_form() -> None:
    df = parse(
        'FROM --platform=$BUILDPLATFORM a AS b\nCOPY --from=b --chown=1:1 --link x y\nRUN --mount=type=secret,id=t ["sh", "-c", "echo"]\n'
    )
    frm, copy, run = df.instructions
    assert frm.flag("platform").value == "$BUILDPLATFORM"  # type: ignore[union-attr]
    assert [f.name for f in copy.flags] == ["from", "chown", "link"]
    assert copy.flag("link").value is None  # type: ignore[union-attr]
    assert copy.args == "x y"
    assert run.exec_form == ("sh", "-c", "echo")
    assert df.source.slice(run.flags[0].span) == "--mount=type=secret,id=t"


def test_invalid_json_is_shell_form() -> None:
    df = parse("FROM a\nCMD [python, app.py]\n")
    assert df.instructions[1].exec_form is None


def test_arg_before_from_and_substitution() -> None:
    df = parse(
        "ARG TAG=3.12\nARG REG\nFROM ${REG:-docker.io}/python:${TAG}-slim AS base\nFROM base\n"
    )
    assert df.stages[0].base == "docker.io/python:3.12-slim"
    assert df.stages[1].parent == 0 and df.stages[1].base_is_stage
    df2 = parse("ARG TAG=3.12\nFROM python:${TAG}\n", build_args={"TAG": "3.13"})
    assert df2.stages[0].base == "python:3.13"


def test_only_arg_before_from() -> None:
    with pytest.raises(ParseError, match="before the first FROM"):
        parse("RUN echo\nFROM a\n")
    with pytest.raises(ParseError, match="no FROM"):
        parse("RUN echo\n")


def test_shipped_stage_and_target() -> None:
    text = "FROM a AS build\nFROM b AS test\nFROM c AS final\n"
    assert parse(text).shipped_stage.name == "final"  # type: ignore[union-attr]
    assert parse(text, target="BUILD").shipped_stage.name == "build"  # type: ignore[union-attr]


def test_onbuild_inner() -> None:
    df = parse("FROM a\nONBUILD RUN --mount=type=cache,target=/x echo hi\n")
    inner = df.instructions[1].inner
    assert inner is not None and inner.keyword == "RUN" and inner.args == "echo hi"
    assert inner.flag("mount") is not None


def test_crlf_and_empty() -> None:
    df = parse("FROM a\r\nRUN echo \\\r\n  hi\r\n")
    assert df.instructions[1].args.replace(" ", "") == "echohi"
    assert parse("").instructions == ()
    assert parse("# only a comment\n").stages == ()


def test_image_refs() -> None:
    r = parse_image_ref("registry.example.com:5000/team/app:1.2@sha256:abc")
    assert (r.registry, r.repository, r.tag, r.digest) == (
        "registry.example.com:5000",
        "team/app",
        "1.2",
        "sha256:abc",
    )
    r = parse_image_ref("python")
    assert (r.registry, r.repository, r.tag) == (None, "python", None)
    assert parse_image_ref("localhost/x:y").registry == "localhost"
    assert parse_image_ref("library/node:20").name == "node"


def test_key_values_and_args() -> None:
    assert [(k, v) for k, v, _, _ in parse_key_values('A=1 B="two words" C=3')] == [
        ("A", "1"),
        ("B", "two words"),
        ("C", "3"),
    ]
    assert [(k, v) for k, v, _, _ in parse_key_values("LEGACY some value")] == [
        ("LEGACY", "some value")
    ]
    assert parse_arg("A B=2") == [("A", None), ("B", "2")]


def test_expand_vars_forms() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert expand_vars("${SET:-d}|${EMPTY:-d}|${NONE:-d}", env) == "x|d|d"
    assert expand_vars("${EMPTY-d}|${NONE-d}", env) == "|d"
    assert expand_vars("${SET:+y}|${EMPTY:+y}|$SET", env) == "y||x"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("FROM RUN USER COPY \\\n#<-EOF\"'[]=$:{}\t\r`ab")),
        max_size=200,
    )
)
def test_parser_never_crashes(text: str) -> None:
    try:
        df = parse(text)
    except ParseError:
        return
    for instr in df.instructions:
        assert 0 <= instr.span.start <= instr.span.end <= len(text)
        for k in range(len(instr.args) + 1):
            assert 0 <= instr.to_source(k) <= len(text)


def test_onbuild_heredoc_belongs_to_the_trigger() -> None:
    df = parse("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n")
    onbuild = df.stages[0].instructions[0]
    assert onbuild.inner is not None
    assert [h.body for h in onbuild.inner.heredocs] == ["echo hi\n"]


def test_strip_tabs_heredoc_maps_back_to_source() -> None:
    text = "FROM a\nRUN <<-EOF\n\t\tapt-get update\nEOF\n"
    heredoc = parse(text).stages[0].instructions[0].heredocs[0]
    assert heredoc.body == "apt-get update\n"
    at = heredoc.source_offset(heredoc.body.index("update"))
    assert text[at : at + 6] == "update"
