"""Working-directory rules: relative WORKDIR, `cd` instead of WORKDIR, WORKDIR on system paths."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile, Instruction, split_words
from seawall.rules._base import CWE, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._hygiene_util import mentions_path, runs_of
from seawall.rules.dockerfile._util import stage_is_posix

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def workdir_path(instr: Instruction) -> str:
    """The WORKDIR argument with quotes removed ('' if none)."""
    words = split_words(instr.args)
    return words[0][0] if words else ""


def _is_windows_path(path: str) -> bool:
    return (len(path) >= 2 and path[1] == ":") or path.startswith("\\")


class RelativeWorkdir(Rule[Dockerfile]):
    """## What it does
    Reports `WORKDIR` with a relative path (`WORKDIR app`). Paths that start with a variable
    (`WORKDIR $HOME/app`) and Windows paths are not reported.

    ## Why is this bad?
    A relative WORKDIR is resolved against the previous WORKDIR — often one set by the base image.
    When the base image changes its WORKDIR, files silently land somewhere else and the `CMD`
    no longer finds them.

    ## Example
    ```dockerfile
    FROM node:20-slim
    WORKDIR app
    COPY . .
    ```

    Use instead:
    ```dockerfile
    FROM node:20-slim
    WORKDIR /app
    COPY . .
    ```

    ## Fix safety
    No automatic fix: the absolute path depends on the base image's WORKDIR.
    """

    meta = RuleMeta(
        id="DF062",
        name="relative-workdir",
        title="WORKDIR with a relative path",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Use an absolute path in WORKDIR.",
        references=(CWE.control("CWE-665", "Improper Initialization"),),
        aliases=(
            "DL3000",
            "DS-0009",
            "AVD-DS-0009",
            "DS009",
            "CKV_DOCKER_10",
            "workdir_path_not_absolute",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in df.of("WORKDIR"):
            path = workdir_path(instr)
            if not path or path.startswith(("/", "$")) or _is_windows_path(path):
                continue
            yield ctx.finding(
                self, f"WORKDIR {path!r} is relative to the previous WORKDIR", span=instr.span
            )


class CdInsteadOfWorkdir(Rule[Dockerfile]):
    """## What it does
    Reports a RUN that starts with `cd <dir>` to set the directory for the rest of the RUN, or a
    RUN that is nothing but `cd` (which has no effect on later instructions). Moving into a
    temporary build directory (`cd /tmp/build`, or a directory the same RUN removes) and `cd` in
    the middle of a RUN are not reported — that is ordinary scripting, not a missing WORKDIR.

    ## Why is this bad?
    `cd` lasts only until the end of the RUN; readers (and the next RUN) expect the directory set
    by WORKDIR. A lone `RUN cd /app` does nothing at all and usually hides a bug.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    RUN cd /app && pip install --no-cache-dir .
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    WORKDIR /app
    COPY . .
    RUN pip install --no-cache-dir .
    ```

    ## Fix safety
    No automatic fix: a WORKDIR also changes the directory of every later instruction.
    """

    meta = RuleMeta(
        id="DF063",
        name="cd-instead-of-workdir",
        title="`cd` in RUN instead of WORKDIR",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Set the directory with WORKDIR instead of starting RUN with `cd`.",
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=(
            "DL3003",
            "DS-0013",
            "AVD-DS-0013",
            "DS013",
            "run_command_cd_instead_of_workdir",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            commands = run.commands
            if not commands or commands[0].name != "cd" or run.instruction.heredocs:
                continue
            first = commands[0]
            args = [w.text for w in first.program.words[1:] if not w.text.startswith("-")]
            target = args[0] if args else ""
            if len(commands) == 1:
                yield ctx.finding(
                    self,
                    "RUN that only changes directory has no effect on later instructions",
                    span=first.span(),
                    severity=Severity.LOW,
                )
                continue
            if not target or target == "-" or "$(" in target or "`" in target:
                continue
            if target.startswith(_TEMP_DIRS) or mentions_path(
                commands[1:], ("rm",), target.rstrip("/")
            ):
                continue
            yield ctx.finding(
                self, f"RUN starts with `cd {target}`: use WORKDIR", span=first.span()
            )


_SYSTEM_DIRS = frozenset(
    {
        "/bin",
        "/sbin",
        "/usr/bin",
        "/usr/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/usr/lib",
        "/etc",
        "/boot",
        "/lost+found",
        "/initrd",
        "/run",
        "/var/run",
    }
)
_KERNEL_TREES = ("/proc", "/sys", "/dev")


class WorkdirSystemDirectory(Rule[Dockerfile]):
    """## What it does
    Reports `WORKDIR` set to a system directory (`/etc`, `/bin`, `/usr/bin`, `/lib`, `/boot`,
    `/run`…) or anywhere under the kernel's virtual trees (`/proc`, `/sys`, `/dev`).
    Subdirectories such as `/etc/nginx` are not reported.

    ## Why is this bad?
    The next `COPY . .` or build step writes application files straight into a system directory,
    mixing them with the distribution's files — or, under `/proc`, `/sys` and `/dev`, into paths
    the runtime replaces with its own mounts, so the files vanish when the container starts.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    WORKDIR /usr/bin
    COPY tool .
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    WORKDIR /opt/tool
    COPY tool .
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF064",
        name="workdir-system-directory",
        title="WORKDIR set to a system directory",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Use an application directory such as /app or /opt/<name> as WORKDIR.",
        references=(
            CWE.control("CWE-732", "Incorrect Permission Assignment for Critical Resource"),
        ),
        aliases=("DS-0030", "AVD-DS-0030", "DS030"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for stage in df.stages:
            if not stage_is_posix(df, stage):
                continue
            for instr in stage.of("WORKDIR"):
                path = workdir_path(instr).rstrip("/") or "/"
                kernel = any(path == t or path.startswith(t + "/") for t in _KERNEL_TREES)
                if path in _SYSTEM_DIRS or kernel:
                    yield ctx.finding(
                        self, f"WORKDIR {path} is a system directory", span=instr.span
                    )
