"""The shell tokenizer: simple commands, quoting, operators, redirections, wrappers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from seawall.parsers.shell import commands_named, tokenize, unwrap


def names(script: str) -> list[list[str]]:
    return [[w.text for w in c.words] for c in tokenize(script)]


def test_operators_split_commands() -> None:
    assert names("a && b || c; d | e & f\ng") == [["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]]


def test_quotes_removed_and_offsets_kept() -> None:
    script = "echo \"a b\" 'c;d' e\\ f"
    (cmd,) = tokenize(script)
    assert [w.text for w in cmd.words] == ["echo", "a b", "c;d", "e f"]
    assert script[cmd.words[1].start : cmd.words[1].end] == '"a b"'


def test_assignments_and_reserved_words() -> None:
    (cmd,) = tokenize("DEBIAN_FRONTEND=noninteractive apt-get install -y x")
    assert cmd.name == "apt-get" and [a.text for a in cmd.assignments] == [
        "DEBIAN_FRONTEND=noninteractive"
    ]
    cmds = tokenize("if [ -f x ]; then apt-get update; fi")
    assert [c.name for c in cmds] == ["[", "apt-get"]


def test_redirections_dropped() -> None:
    assert names("echo hi > /tmp/x 2>&1 && cat < in >> out") == [["echo", "hi"], ["cat"]]


def test_pipes_and_substitutions() -> None:
    cmds = tokenize("curl -fsSL https://x | sh -s -- --y")
    assert cmds[0].separator == "|" and cmds[1].pipe_from and cmds[1].name == "sh"
    (cmd,) = tokenize('sh -c "$(curl -s https://x)"')
    assert cmd.words[2].text == "$(curl -s https://x)"


def test_flags() -> None:
    (cmd,) = tokenize("apt-get -qy install --no-install-recommends=true x")
    assert cmd.has_flag("-y") and cmd.has_flag("-q") and cmd.has_flag("--no-install-recommends")
    assert not cmd.has_flag("--yes")
    assert cmd.subcommand().text == "install"  # type: ignore[union-attr]


def test_unwrap() -> None:
    (cmd,) = tokenize("sudo -u root env A=1 chmod 777 /x")
    assert unwrap(cmd).name == "chmod"
    assert [c.name for c in commands_named(tokenize("sudo apt-get install x"), "apt-get")] == [
        "apt-get"
    ]


def test_comments() -> None:
    assert names("echo a # not && a command\necho b") == [["echo", "a"], ["echo", "b"]]
    assert names("echo a#b") == [["echo", "a#b"]]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab -|&;<>()'\"\\$`{}#\n=")), max_size=120))
def test_tokenizer_never_crashes(script: str) -> None:
    for cmd in tokenize(script):
        for word in cmd.words:
            assert 0 <= word.start <= word.end <= len(script)
