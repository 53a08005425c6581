"""How RUN uses the shell and common tools: /bin/sh replaced, pipes without pipefail, wget and
curl together, useradd bloat."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile, Stage
from seawall.rules._base import CWE, Context, FixAvailability, Option, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._hygiene_util import (
    ALL_STAGES,
    Run,
    insert_fix,
    reports_run,
    runs_of,
)
from seawall.rules.dockerfile._util import ShellCommand

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_SH_PATHS = frozenset({"/bin/sh", "/usr/bin/sh"})


class ShellChangedViaRun(Rule[Dockerfile]):
    """## What it does
    Reports RUN commands that replace `/bin/sh` — `ln -sf /bin/bash /bin/sh`,
    `update-alternatives --install /bin/sh …`, `dpkg-reconfigure dash` — to change the shell later
    RUN instructions use.

    ## Why is this bad?
    The image's `/bin/sh` is changed for every program that runs in the container, not only for
    the build: system scripts written for a POSIX shell now run under bash. The `SHELL`
    instruction changes the build shell without touching the image.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN ln -sf /bin/bash /bin/sh
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF080",
        name="shell-changed-via-run",
        title="/bin/sh replaced in RUN instead of using SHELL",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation='Use `SHELL ["/bin/bash", "-c"]` to change the shell of later RUNs.',
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=("DL4005", "changing_default_shell_using_run_command"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        runs = runs_of(df)
        if runs.names.isdisjoint(_SH_REPLACERS):
            return
        for run in runs.runs:
            for cmd in run.commands:
                if _replaces_sh(cmd):
                    yield ctx.finding(
                        self,
                        f"`{cmd.name}` replaces /bin/sh for the whole image: use SHELL",
                        span=cmd.span(),
                    )


_SH_REPLACERS = frozenset({"ln", "update-alternatives", "dpkg-reconfigure"})


def _replaces_sh(cmd: ShellCommand) -> bool:
    name = cmd.name
    if name not in _SH_REPLACERS:
        return False
    positional = [w.text for w in cmd.program.words[1:] if not w.text.startswith("-")]
    if name == "ln":
        return bool(positional) and positional[-1] in _SH_PATHS and len(positional) >= 2
    if name == "update-alternatives":
        return any(p in _SH_PATHS for p in positional)
    if name == "dpkg-reconfigure":
        return "dash" in positional
    return False


_SAFE_PRODUCERS = frozenset({"echo", "printf", "yes", "true", "seq"})
_ASH_BASES = lazy_pattern(r"(^|/)(alpine|busybox)([:@]|$)|alpine", re.I)


def _pipefail_in_shell(df: Dockerfile, stage: Stage) -> bool | None:
    """True/False when a SHELL instruction decides, None when the default /bin/sh is used."""
    decided: bool | None = None
    for s in df.lineage(stage):
        for instr in s.of("SHELL"):
            argv = instr.exec_form or ()
            decided = any("pipefail" in a for a in argv[1:])
    return decided


def _sets_pipefail(cmd: ShellCommand) -> bool:
    if cmd.name != "set":
        return False
    texts = [w.text for w in cmd.program.words[1:]]
    return "pipefail" in texts or any(t.startswith(("-", "+")) and "pipefail" in t for t in texts)


_DOWNLOADERS = frozenset({"curl", "wget", "fetch", "aria2c", "http", "https"})


def _unguarded_pipes(run: Run, all_pipes: bool) -> list[ShellCommand]:
    """The first command of each pipeline that runs without pipefail (and can really fail)."""
    out: list[ShellCommand] = []
    pipefail = False
    commands = run.commands
    for i, cmd in enumerate(commands):
        if cmd.name == "set" and _sets_pipefail(cmd):  # the name test first: most are not `set`
            pipefail = True
        if pipefail or cmd.command.separator != "|" or cmd.command.pipe_from:
            continue
        if i + 1 >= len(commands):
            continue
        if cmd.name in _SAFE_PRODUCERS or (not all_pipes and cmd.name not in _DOWNLOADERS):
            continue
        out.append(cmd)
    return out


class PipeWithoutPipefail(Rule[Dockerfile]):
    """## What it does
    Reports a pipeline fed by a download (`curl … | tar x`, `wget -O- … | sh`) in RUN when
    `pipefail` is not on: no `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (or ash/zsh
    equivalent) and no `set -o pipefail` earlier in the same RUN. Option `all-pipes` reports every
    pipeline (as hadolint's DL4006 does — its most-fired rule) except those fed by `echo`,
    `printf` or `yes`, which cannot hide a failure. Windows shells are not checked.

    Decision on `/bin/sh`-only images: Alpine and BusyBox images are reported too, because BusyBox
    ash supports `set -o pipefail` — the message suggests it. On other images (Debian's `dash`
    lacks pipefail) the message suggests a bash `SHELL` instead.

    ## Why is this bad?
    A pipeline's status is that of its last command. When `curl` fails in `curl -fsSL URL | tar xz`
    or `wget -O- URL | sh`, the build goes on — with a truncated archive or an empty script — and
    the image ships broken or without the step that was meant to run.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    ```

    ## Fix safety
    No automatic fix: the right remedy depends on which shells the image has.
    """

    meta = RuleMeta(
        id="DF081",
        name="pipe-without-pipefail",
        title="Pipe in RUN without pipefail hides failures",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation='Use `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` (ash: `set -o pipefail`).',
        references=(CWE.control("CWE-755", "Improper Handling of Exceptional Conditions"),),
        aliases=("DL4006", "shell_running_a_pipe_without_pipefail_flag"),
        options=(
            Option(
                "all-pipes",
                False,
                "Report every pipeline, not only those fed by a download (curl, wget…).",
            ),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        all_pipes = bool(ctx.option(self, "all-pipes"))
        shell_decides: dict[int, bool | None] = {}
        for run in runs_of(df).runs:
            if not run.commands:
                continue
            index = run.stage.index
            if index not in shell_decides:
                shell_decides[index] = _pipefail_in_shell(df, run.stage)
            if shell_decides[index]:
                continue
            if run.instruction.exec_form is not None and any(
                "pipefail" in a for a in run.instruction.exec_form[:-1]
            ):
                continue
            pipes = _unguarded_pipes(run, all_pipes)
            if not pipes:
                continue  # most RUNs: no advice to work out
            root = df.lineage(run.stage)[0].base
            ash = bool(_ASH_BASES.search(root))
            advice = (
                "add `set -o pipefail &&` before it"
                if ash or shell_decides[index] is False
                else 'use SHELL ["/bin/bash", "-o", "pipefail", "-c"]'
            )
            for cmd in pipes:
                yield ctx.finding(
                    self,
                    f"`{cmd.name} | …` without pipefail: a failing {cmd.name} does not fail the "
                    f"build; {advice}",
                    span=cmd.span(),
                )


class WgetAndCurl(Rule[Dockerfile]):
    """## What it does
    Reports the shipped image's stages (the shipped stage and those it is built FROM) using both
    `wget` and `curl` in RUN. Builder stages are not reported (option `all-stages`).

    ## Why is this bad?
    Two HTTP clients do the same job; shipping both adds size and attack surface (and
    vulnerabilities to patch) for nothing. Pick one — or download in a builder stage.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    RUN wget -qO /tmp/b.tgz https://example.com/b.tgz
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    RUN curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF082",
        name="wget-and-curl",
        title="Both wget and curl used",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Use one HTTP client (curl or wget) throughout the image.",
        references=(CWE.control("CWE-1041", "Use of Redundant Code"),),
        aliases=("DL4001", "DS-0014", "AVD-DS-0014", "DS014", "run_using_wget_and_curl"),
        options=(ALL_STAGES,),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        groups: dict[int, dict[str, ShellCommand]] = {}
        for run in runs_of(df).runs:
            if not reports_run(self, run, ctx):
                continue
            # Shipped lineage is one image; with all-stages each builder stage is judged alone.
            key = -1 if run.ships else run.stage.index
            seen = groups.setdefault(key, {})
            for cmd in run.commands:
                if cmd.name in ("curl", "wget") and cmd.name not in seen:
                    seen[cmd.name] = cmd
                    if len(seen) == 2:
                        other = "curl" if cmd.name == "wget" else "wget"
                        yield ctx.finding(
                            self,
                            f"{cmd.name} is used here and {other} elsewhere: use one HTTP client",
                            span=cmd.span(),
                        )


_UID = lazy_pattern(r"^\d+$")


def _uid_of(cmd: ShellCommand) -> int | None:
    words = cmd.program.words[1:]
    for i, word in enumerate(words):
        text = word.text
        value = None
        if text in ("-u", "--uid") and i + 1 < len(words):
            value = words[i + 1].text
        elif text.startswith("--uid="):
            value = text[len("--uid=") :]
        elif text.startswith("-u") and len(text) > 2 and not text.startswith("--"):
            value = text[2:]
        if value is not None:
            return int(value) if _UID.match(value) else None
    return None


class UseraddHighUidWithoutNoLogInit(Rule[Dockerfile]):
    """## What it does
    Reports `useradd` with a high UID (above `uid-threshold`, default 65535) and without
    `-l`/`--no-log-init`, in a stage that ships (option `all-stages`).

    ## Why is this bad?
    useradd records the user in `/var/log/lastlog` and `/var/log/faillog`, sparse files indexed
    by UID. Image layers do not keep files sparse, so a UID of 100000 adds about 30 MB of zeros
    to the image.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN useradd --uid 100001 --create-home app
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN useradd -l --uid 100001 --create-home app
    ```

    ## Fix safety
    Inserting `-l` is safe: the user is the same; only the login records are not written.
    """

    meta = RuleMeta(
        id="DF083",
        name="useradd-high-uid-without-no-log-init",
        title="useradd with a high UID and without -l bloats the image",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Add `-l` (`--no-log-init`) to useradd.",
        references=(CWE.control("CWE-400", "Uncontrolled Resource Consumption"),),
        aliases=("DL3046",),
        fix=FixAvailability.ALWAYS,
        options=(
            ALL_STAGES,
            Option("uid-threshold", 65535, "Report UIDs above this value."),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        threshold = int(ctx.option(self, "uid-threshold"))
        runs = runs_of(df)
        if "useradd" not in runs.names:
            return
        for run in runs.runs:
            if not reports_run(self, run, ctx):
                continue
            for cmd in run.named("useradd"):
                if cmd.program.has_flag("-l", "--no-log-init"):
                    continue
                uid = _uid_of(cmd)
                if uid is None or uid <= threshold:
                    continue
                program = cmd.program.words[0]
                fix = insert_fix(df, cmd, program, "-l")
                yield ctx.finding(
                    self,
                    f"useradd with UID {uid} and without -l writes a {uid * 292 // 1_000_000} MB "
                    "lastlog into the layer",
                    span=cmd.span(),
                    fix=fix,
                )
