"""Rules about privilege in the image: sudo, world-writable files, setuid/setgid bits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Instruction
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import (
    commands_named,
    install_packages,
    is_dev_container,
    wrapped_commands,
)
from seawall.rules.dockerfile._util import (
    ShellCommand,
    is_root_user,
    last_user,
    per_file,
    shipped_stage_indices,
)

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})


class SudoInRun(Rule[Dockerfile]):
    """## What it does
    Reports `sudo` in `RUN` (in every stage, also behind `env` and other wrappers) and `sudo`
    installed by a package manager in the stage that ships (development containers excepted).

    ## Why is this bad?
    Build steps already run as the `USER` in effect; `sudo` there hides which user a step needs
    and behaves unpredictably without a TTY. Shipping `sudo` gives whoever controls the container
    process a ready path back to root. Switch with `USER`, and use `gosu`/`su-exec` in entrypoints.

    ## Example
    ```dockerfile
    FROM ubuntu:24.04
    USER app
    RUN sudo apt-get update
    ```

    Use instead:
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt-get update
    USER app
    ```

    ## Fix safety
    No automatic fix: removing `sudo` requires moving the step before `USER`.
    """

    meta = RuleMeta(
        id="DF013",
        name="sudo-in-run",
        title="sudo is used in RUN or installed in the shipped image",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Order steps with USER instead of sudo; do not ship sudo in the image.",
        references=(
            CIS_DOCKER.control("4.1", "Ensure that a user for the container has been created"),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=(
            "DL3004",
            "DS-0010",
            "AVD-DS-0010",
            "DS010",
            "CKV2_DOCKER_1",
            "run_using_sudo",
            "DKL-DI-0001",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for _, cmd in [*wrapped_commands(df), *commands_named(df, "sudo")]:
            wrappers = cmd.command.words[: len(cmd.command.words) - len(cmd.program.words) + 1]
            for word in wrappers:
                if word.text.rsplit("/", 1)[-1] == "sudo":
                    yield ctx.finding(self, "RUN uses sudo", span=cmd.word_span(word))
                    break
        if is_dev_container(df, ctx.target):
            return
        shipped = shipped_stage_indices(df)
        for stage, cmd, packages in install_packages(df):
            if stage.index not in shipped:
                continue
            for pkg, name in packages:
                if name == "sudo":
                    yield ctx.finding(
                        self,
                        "sudo is installed in the shipped image",
                        span=cmd.word_span(pkg),
                        severity=Severity.LOW,
                    )


class ModeChange(NamedTuple):
    """One file-mode change: where it is written, the mode, whether it recurses, what it targets."""

    span: Span
    mode: str
    recursive: bool
    how: str
    temporary: bool = False  # every target is deleted later in the same RUN
    directories: bool = False  # every target is known to be a directory


def _mode_changes(df: Dockerfile) -> list[ModeChange]:
    """``_chmod_modes``, computed once per file: DF014 and DF015 read the same changes."""
    return per_file(df, "mode_changes", _all_chmod_modes)


def _all_chmod_modes(df: Dockerfile) -> list[ModeChange]:
    return list(_chmod_modes(df))


def _chmod_modes(df: Dockerfile) -> Iterator[ModeChange]:
    """Modes set by chmod/install -m in RUN and by COPY/ADD --chmod."""
    for _, cmd in commands_named(df, "chmod", "install"):
        yield from _mode_of_command(df, cmd)
    for instr in df.instructions:
        target: Instruction = instr.inner if instr.keyword == "ONBUILD" and instr.inner else instr
        if target.keyword in ("COPY", "ADD"):
            flag = target.flag("chmod")
            if flag is not None and flag.value:
                yield ModeChange(flag.span, flag.value, False, f"{target.keyword} --chmod")


def _paths_of(df: Dockerfile, cmd: ShellCommand, program: str) -> set[str]:
    """Operands of ``program`` commands (``rm``, ``mkdir``) in the same RUN after ``cmd``."""
    start = cmd.span().start
    paths: set[str] = set()
    for _, other in commands_named(df, program):
        if other.instruction is cmd.instruction and (
            program == "mkdir" or other.span().start > start
        ):
            paths.update(w.text.rstrip("/") for w in other.program.positional())
    return paths


def _mode_of_command(df: Dockerfile, cmd: ShellCommand) -> Iterator[ModeChange]:
    prog = cmd.program
    if prog.name == "chmod":
        recursive = False
        words = prog.words[1:]
        for i, w in enumerate(words):
            t = w.text
            if t in ("-R", "--recursive") or (
                t.startswith("-") and not t.startswith("--") and "R" in t
            ):
                recursive = True
                continue
            if t.startswith("-") and not _SYMBOLIC.match(t):
                continue
            targets = {x.text.rstrip("/") for x in words[i + 1 :] if not x.text.startswith("-")}
            removed = _paths_of(df, cmd, "rm") if targets else set()
            made = _paths_of(df, cmd, "mkdir") if targets else set()
            yield ModeChange(
                cmd.word_span(w),
                t,
                recursive,
                "chmod",
                temporary=bool(targets) and targets <= removed,
                directories=bool(targets) and not recursive and targets <= made,
            )
            return
    elif prog.name == "install":
        words = prog.words
        directory = any(w.text in ("-d", "--directory") for w in words[1:])
        for i, w in enumerate(words[1:], start=1):
            if w.text in ("-m", "--mode") and i + 1 < len(words):
                yield ModeChange(
                    cmd.word_span(words[i + 1]),
                    words[i + 1].text,
                    False,
                    "install -m",
                    directories=directory,
                )
            elif w.text.startswith("--mode="):
                yield ModeChange(
                    cmd.word_span(w),
                    w.text.split("=", 1)[1],
                    False,
                    "install -m",
                    directories=directory,
                )


_CLAUSE = lazy_pattern(r"^([ugoa]*)([-+=])([rwxXst]*)$")
_OCTAL = lazy_pattern(r"^[0-7]{3,4}$")
_SYMBOLIC = lazy_pattern(r"^[ugoa]*[-+=][rwxXst]*(?:,[ugoa]*[-+=][rwxXst]*)*$")


def world_writable(mode: str) -> bool:
    """Whether a chmod mode grants write to others (sticky-bit modes such as 1777 excepted)."""
    if _OCTAL.match(mode):
        special = int(mode[0]) if len(mode) == 4 else 0
        return int(mode[-1]) & 2 != 0 and not special & 1
    if not _SYMBOLIC.match(mode):
        return False
    granted = sticky = False
    for clause in mode.split(","):
        m = _CLAUSE.match(clause)
        if m is None or m.group(2) == "-":
            continue
        who, _, perms = m.groups()
        sticky = sticky or "t" in perms
        # A bare "+w" honours the umask (no write for others); only explicit o/a grant it.
        granted = granted or ("w" in perms and ("o" in who or "a" in who))
    granted = granted and not sticky
    return granted


def setid_bits(mode: str) -> str | None:
    """``setuid``, ``setgid`` or ``setuid and setgid`` when a mode sets them, else None."""
    uid = gid = False
    if _OCTAL.match(mode):
        if len(mode) == 4:
            special = int(mode[0])
            uid, gid = bool(special & 4), bool(special & 2)
    elif _SYMBOLIC.match(mode):
        for clause in mode.split(","):
            m = _CLAUSE.match(clause)
            if m is None or m.group(2) == "-" or "s" not in m.group(3):
                continue
            who = m.group(1) or "a"
            uid = uid or "u" in who or "a" in who
            gid = gid or "g" in who or "a" in who
    if uid and gid:
        return "setuid and setgid"
    return "setuid" if uid else "setgid" if gid else None


class WorldWritablePermissions(Rule[Dockerfile]):
    """## What it does
    Reports file modes that let any user write: `chmod 777`, `chmod 666`, `chmod -R o+w`,
    `chmod a+rwx`, `install -m 0777` and `COPY --chmod=777`. Sticky-bit modes such as
    `chmod 1777 /tmp` (the correct mode for shared temporary directories) are not reported.

    ## Why is this bad?
    A world-writable file or directory lets any process in the container, whatever its user,
    replace code or configuration the application trusts: a foothold as an unprivileged user turns
    into control of the application (and of root, if root later runs those files).

    ## Example
    ```dockerfile
    FROM nginx:1.27
    RUN chmod -R 777 /usr/share/nginx/html
    ```

    Use instead:
    ```dockerfile
    FROM nginx:1.27
    RUN chown -R nginx:nginx /var/cache/nginx && chmod -R 755 /usr/share/nginx/html
    ```

    ## Fix safety
    No automatic fix: the right owner and mode depend on which user writes where.
    """

    meta = RuleMeta(
        id="DF014",
        name="world-writable-permissions",
        title="Files or directories are made world-writable",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Give ownership to the user that writes (chown); keep modes at 755/644.",
        references=(
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-732", "Incorrect Permission Assignment for Critical Resource"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for change in _mode_changes(df):
            if world_writable(change.mode) and not change.temporary:
                recursive = " recursively" if change.recursive else ""
                yield ctx.finding(
                    self,
                    f"{change.how} {change.mode} makes files world-writable{recursive}",
                    span=change.span,
                )


class SetuidSetgidBit(Rule[Dockerfile]):
    """## What it does
    Reports modes that set the setuid or setgid bit: `chmod u+s`, `chmod +s`, `chmod 4755`,
    `chmod 2755`, `install -m 4755`, `COPY --chmod=4755`. Setgid alone (common on shared
    directories) is reported at a lower severity.

    ## Why is this bad?
    A setuid-root program runs as root whoever starts it: any flaw in it is a privilege escalation
    from the container's unprivileged user to root (CIS Docker 4.8 asks to remove such bits).

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    COPY tool /usr/local/bin/tool
    RUN chmod u+s /usr/local/bin/tool
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    COPY tool /usr/local/bin/tool
    RUN chmod 0755 /usr/local/bin/tool
    ```

    ## Fix safety
    No automatic fix: the program may need another way to get its privilege (a capability).
    """

    meta = RuleMeta(
        id="DF015",
        name="setuid-setgid-bit",
        title="A setuid or setgid bit is set",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Remove setuid/setgid bits; grant a specific capability at run time if needed.",
        references=(
            CIS_DOCKER.control("4.8", "Ensure setuid and setgid permissions are removed"),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for change in _mode_changes(df):
            bits = setid_bits(change.mode)
            if bits is None or (bits == "setgid" and change.directories):
                continue  # setgid on a directory only makes new files inherit its group
            yield ctx.finding(
                self,
                f"{change.how} {change.mode} sets the {bits} bit",
                span=change.span,
                severity=Severity.LOW if bits == "setgid" else None,
            )


class RuntimeUserOwnsCopiedFiles(Rule[Dockerfile]):
    """## What it does
    Reports `COPY --chown=<user>` / `ADD --chown=<user>` in the stages that ship when `<user>` is
    the user the container finally runs as (the last `USER`): the running process owns, and can
    rewrite, the files it was shipped with. Ownership by another user (or by root, the default)
    is fine.

    ## Why is this bad?
    If the application can write its own code and configuration, an attacker who gets code
    execution can persist in it (replace a module, a template, a start-up script) and survive a
    process restart. Root-owned, read-only code plus a few writable data directories limits that.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app
    COPY --chown=app:app . /app
    USER app
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app && install -d -o app -g app /app/data
    COPY src/ /app/src/
    USER app
    ```

    ## Fix safety
    No automatic fix: the application may need to write to some of the copied paths.
    """

    meta = RuleMeta(
        id="DF028",
        name="runtime-user-owns-copied-files",
        title="Copied files are owned by the user the container runs as",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Keep copied code root-owned; chown only the directories the app writes to.",
        references=(
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-732", "Incorrect Permission Assignment for Critical Resource"),
        ),
        aliases=("chown_flag_exists",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        stage = df.shipped_stage
        if stage is None:
            return
        user = last_user(df, stage)
        if user is None or is_root_user(user.args) is not False:
            return
        runtime = user.args.strip().split(":", 1)[0]
        for s in df.lineage(stage):
            for instr in s.of("COPY", "ADD"):
                flag = instr.flag("chown")
                if flag is None or not flag.value:
                    continue
                owner = flag.value.split(":", 1)[0]
                if owner == runtime:
                    yield ctx.finding(
                        self,
                        f"{instr.keyword} --chown={flag.value} gives the runtime user "
                        f"{runtime!r} write access to the copied files",
                        span=flag.span,
                    )
