"""Rule documentation: docstring sections, examples, pages, the index, write and check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seawall.model.finding import Severity
from seawall.ruledoc import (
    GENERATED_MARKER,
    check_docs,
    docstring_sections,
    example_snippets,
    index_markdown,
    rule_markdown,
    write_docs,
)
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    FixAvailability,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)


class AddLocal(Rule[Any]):
    """## What it does
    Reports `ADD` of local files.

    ## Why is this bad?
    `ADD` also fetches URLs and unpacks archives | surprises.

    ## Example
    ```dockerfile
    FROM debian:12
    ADD app.py /app/
    ```

    ```dockerfile
    ADD conf /etc/app/
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    COPY app.py /app/
    ```

    ## Fix safety
    Safe: for local files `COPY` and `ADD` behave alike.
    ```text
    ## not a heading inside a code block
    ```
    """

    meta = RuleMeta(
        id="TD009",
        name="sample-add-local",
        title="Use COPY instead of ADD for local files",
        severity=Severity.LOW,
        targets=frozenset({TargetKind.DOCKERFILE}),
        remediation="Replace ADD with COPY.",
        references=(CIS_DOCKER.control("4.9", "Ensure that COPY is used instead of ADD"),),
        aliases=("DL3020", "DS-0005"),
        fix=FixAvailability.ALWAYS,
        options=(Option("allow-archives", True, "Allow ADD for archives"),),
    )


class NoExample(Rule[Any]):
    """## What it does
    Something.

    ## Example
    ```dockerfile
    FROM scratch
    ```
    """

    meta = RuleMeta(
        id="TD010",
        name="sample-no-use-instead",
        title="Sample without Use instead",
        severity=Severity.HIGH,
        targets=frozenset({TargetKind.DOCKERFILE, TargetKind.IMAGE}),
        remediation="Do better.",
        references=(CWE.control("CWE-250"),),
        options=(Option("users", ["root", "0"], "Users | that count as root"),),
    )


RULES: list[Rule[Any]] = [AddLocal(), NoExample()]


def test_docstring_sections_in_order_ignoring_fenced_headings() -> None:
    sections = docstring_sections(AddLocal())
    assert list(sections) == ["What it does", "Why is this bad?", "Example", "Fix safety"]
    assert sections["What it does"] == "Reports `ADD` of local files."
    assert sections["Fix safety"].endswith("## not a heading inside a code block\n```")


def test_example_snippets_split_at_use_instead() -> None:
    bad, good = example_snippets(AddLocal())
    assert bad == "FROM debian:12\nADD app.py /app/\n\nADD conf /etc/app/\n"
    assert good == "FROM debian:12\nCOPY app.py /app/\n"


def test_example_snippets_explain_what_is_missing() -> None:
    with pytest.raises(ValueError, match="TD010: '## Example' has no 'Use instead:' line"):
        example_snippets(NoExample())

    class Bare(Rule[Any]):
        meta = NoExample.meta

    with pytest.raises(ValueError, match="no '## Example' section"):
        example_snippets(Bare())


def test_rule_page_has_metadata_then_docstring() -> None:
    page = rule_markdown(AddLocal())
    lines = page.splitlines()
    assert lines[0] == GENERATED_MARKER
    assert lines[2] == "# TD009: Use COPY instead of ADD for local files"
    assert "| Aliases | `DL3020`, `DS-0005` |" in lines
    assert "| Severity | low |" in lines
    assert "| Fix available | always |" in lines
    assert "| `allow-archives` | `true` | Allow ADD for archives |" in lines
    assert (
        "- [CIS Docker Benchmark v1.6.0 4.9: Ensure that COPY is used instead of ADD]"
        "(https://www.cisecurity.org/benchmark/docker)" in lines
    )
    assert (
        page.index("## Remediation") < page.index("## What it does") < page.index("## Fix safety")
    )
    assert page.endswith("```\n") and not page.endswith("\n\n")


def test_index_lists_rules_sorted_with_links() -> None:
    index = index_markdown(list(reversed(RULES)))
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert rows == [
        "| [TD009](TD009.md) | `sample-add-local` | Use COPY instead of ADD for local files | low "
        "| dockerfile | always |",
        "| [TD010](TD010.md) | `sample-no-use-instead` | Sample without Use instead | high "
        "| dockerfile, image | none |",
    ]


def test_write_then_check_then_rewrite_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "docs" / "rules"
    assert check_docs(folder, RULES) == [
        f"{folder / 'README.md'}: missing",
        f"{folder / 'TD009.md'}: missing",
        f"{folder / 'TD010.md'}: missing",
    ]
    written = write_docs(folder, RULES)
    assert sorted(p.name for p in written) == ["README.md", "TD009.md", "TD010.md"]
    assert (folder / "TD009.md").read_text(encoding="utf-8") == rule_markdown(AddLocal())
    assert check_docs(folder, RULES) == []
    assert write_docs(folder, RULES) == []
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp files left


def test_check_reports_edits_and_stale_pages_and_write_repairs(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    write_docs(folder, [*RULES, _removed_later()])
    handwritten = folder / "TD099.md"
    handwritten.write_text("# notes kept by hand\n", encoding="utf-8")
    (folder / "TD009.md").write_text("hand edited\n", encoding="utf-8")
    problems = check_docs(folder, RULES)
    assert problems == [
        f"{folder / 'README.md'}: out of date",
        f"{folder / 'TD009.md'}: out of date",
        f"{folder / 'TD011.md'}: stale (no such rule)",
    ]
    changed = write_docs(folder, RULES)
    assert sorted(p.name for p in changed) == ["README.md", "TD009.md", "TD011.md"]
    assert not (folder / "TD011.md").exists()
    assert handwritten.exists()  # only generated pages are ever removed
    assert check_docs(folder, RULES) == []


def _removed_later() -> Rule[Any]:
    class Extra(Rule[Any]):
        """## What it does
        Extra.
        """

        meta = RuleMeta(
            id="TD011",
            name="sample-extra",
            title="Extra",
            severity=Severity.INFO,
            targets=frozenset({TargetKind.HOST}),
            remediation="None.",
        )

    return Extra()


def test_every_registered_rule_renders_a_page() -> None:
    from seawall.rules import ALL_RULES

    for rule in ALL_RULES:
        page = rule_markdown(rule)
        assert page.startswith(GENERATED_MARKER)
        assert f"# {rule.meta.id}: {rule.meta.title}" in page


def test_inline_use_instead_without_code_is_reported() -> None:
    class InlineAdvice(Rule[Any]):
        """## Example
        ```json
        {}
        ```
        Use instead: run the daemon rootless.
        """

        meta = NoExample.meta

    with pytest.raises(ValueError, match="needs a code block before and after 'Use instead:'"):
        example_snippets(InlineAdvice())


def test_references_and_option_defaults_read_naturally() -> None:
    lines = rule_markdown(NoExample()).splitlines()
    assert "- [CWE-250](https://cwe.mitre.org/data/definitions/250.html)" in lines
    assert '| `users` | `["root", "0"]` | Users \\| that count as root |' in lines
