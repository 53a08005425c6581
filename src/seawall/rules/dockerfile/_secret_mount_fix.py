"""The DF009 fix: move a secret build argument used by RUN to a BuildKit secret mount.

``ARG NPM_TOKEN`` + ``RUN … $NPM_TOKEN …`` becomes ``RUN --mount=type=secret,id=npm_token,
env=NPM_TOKEN … $NPM_TOKEN …`` in every RUN of the stage that reads it, and the ARG is removed
once nothing else reads it. The mount's ``env=`` puts the secret in the same variable for the one
RUN, so the script itself is unchanged. Only done when it is mechanical: the variable is declared
once by an ``ARG`` without default in the same stage, never by ``ENV``, and no RUN reads it through
an unquoted heredoc (BuildKit would expand those itself, before the secret exists).
"""

from __future__ import annotations

from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Instruction, Stage
from seawall.rules.dockerfile._security_util import key_values, var_refs


def mount_options(instr: Instruction) -> list[dict[str, str]]:
    """The options of each ``--mount=type=secret,…`` of a RUN, as key/value maps."""
    mounts = []
    for flag in instr.flags_named("mount"):
        options: dict[str, str] = {}
        for part in (flag.value or "").split(","):
            key, _, value = part.partition("=")
            options[key.strip().lower()] = value.strip()
        if options.get("type") == "secret":
            mounts.append(options)
    return mounts


def covers(instr: Instruction, name: str) -> bool:
    """Whether a RUN's secret mounts cover variable ``name``.

    A mount with ``env=NAME`` does; a mount without ``env=`` (read from a file) is taken to
    replace whatever the RUN reads, as before; mounts that only set other variables do not.
    """
    mounts = mount_options(instr)
    return any(m.get("env") == name or "env" not in m for m in mounts)


def secret_id(name: str) -> str:
    """The secret id for a variable: its lower-case name (``--secret id=npm_token,env=…``)."""
    return name.lower()


def mount_flag(name: str) -> str:
    """The flag text (with its trailing space) mounting the secret for ``name``."""
    return f"--mount=type=secret,id={secret_id(name)},env={name} "


def _reads(instr: Instruction, name: str) -> bool:
    texts = [instr.args, *(h.body for h in instr.heredocs)]
    return any(ref == name for text in texts for ref, _, _ in var_refs(text))


def _reads_through_unquoted_heredoc(instr: Instruction, name: str) -> bool:
    return any(
        not h.quoted and any(ref == name for ref, _, _ in var_refs(h.body)) for h in instr.heredocs
    )


def _declaration(df: Dockerfile, stage: Stage, name: str) -> Instruction | None:
    """The single default-less ``ARG name`` of the stage, or None when not mechanical."""
    found: list[Instruction] = []
    for s in df.lineage(stage):
        for instr in s.of("ENV"):
            if any(kv.key == name for kv in key_values(df, instr)):
                return None
    for instr in stage.of("ARG"):
        for kv in key_values(df, instr):
            if kv.key == name:
                if kv.value is not None:
                    return None
                found.append(instr)
    return found[0] if len(found) == 1 else None


def _line_span(df: Dockerfile, instr: Instruction) -> Span:
    """The whole source lines of an instruction, with the line break that ends them."""
    text = df.source.text
    start = text.rfind("\n", 0, instr.span.start) + 1
    end = text.find("\n", instr.span.end)
    return Span(start, len(text) if end < 0 else end + 1)


def secret_mount_fix(df: Dockerfile, stage: Stage, run: Instruction, name: str) -> Fix:
    """Mount ``name`` as a secret in every RUN of ``stage`` that reads it (unsafe), or suggest it."""
    suggestion = Fix.display_only(
        f"Pass the secret with a BuildKit secret mount (`docker build --secret "
        f"id={secret_id(name)},env={name}`)",
        Edit.insert(run.args_span(0, 0).start, mount_flag(name)),
    )
    declaration = _declaration(df, stage, name)
    if declaration is None or run not in stage.instructions:
        return suggestion  # ENV, a default value, several ARGs, another stage's ARG, ONBUILD
    after = [i for i in stage.instructions if i.span.start > declaration.span.start]
    runs = [i for i in after if i.keyword == "RUN" and _reads(i, name) and not covers(i, name)]
    if run not in runs or any(_reads_through_unquoted_heredoc(i, name) for i in runs):
        return suggestion
    edits = [Edit.insert(i.args_span(0, 0).start, mount_flag(name)) for i in runs]
    still_read = any(
        _reads(i, name)
        for i in after
        if i not in runs and not (i.keyword == "RUN" and _env_mounted(i, name))
    )
    only_name = [kv.key for kv in key_values(df, declaration)] == [name]
    if only_name and not still_read:
        edits.append(Edit.delete(_line_span(df, declaration)))
    title = (
        f"Mount {name} as a BuildKit secret (build with `--secret id={secret_id(name)},env={name}`)"
    )
    return Fix.unsafe(title, *edits)


def _env_mounted(instr: Instruction, name: str) -> bool:
    return any(m.get("env") == name for m in mount_options(instr))
