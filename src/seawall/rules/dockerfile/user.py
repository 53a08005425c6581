"""Rules about the user the shipped image runs as."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.model.fix import Fix
from seawall.parsers.dockerfile import Dockerfile, Stage
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._security_util import resolved_base
from seawall.rules.dockerfile._user_fix import nonroot_user_fix
from seawall.rules.dockerfile._util import is_root_user, last_user

NONROOT_BASES = (
    "gcr.io/distroless/*:nonroot*",
    "gcr.io/distroless/*:*-nonroot*",
    "cgr.dev/chainguard/static*",
)


class LastUserRoot(Rule[Dockerfile]):
    """## What it does
    Reports a shipped image that runs as root: the last `USER` of the stage that ships (the last
    stage, or `--target`) is `root`, `0`, `0:0` or `root:<group>`, or no `USER` is set at all in the
    stage and the stages it is built from. Builder stages that do not ship are not reported.

    ## Why is this bad?
    A process running as root inside a container is root on the host's kernel: any container escape
    or writable host mount becomes a full host compromise. Running as an unprivileged user removes
    most of that risk at no cost.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/app.py
    CMD ["python", "/app/app.py"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app
    COPY app.py /app/app.py
    USER 10001
    CMD ["python", "/app/app.py"]
    ```

    ## Fix safety
    Unsafe: the fix adds a system user suited to the base image family (`groupadd`/`useradd` on
    Debian, Ubuntu and RPM distributions, busybox `addgroup`/`adduser` on Alpine and busybox) with
    a fixed UID/GID (option `fix-uid`, default 10001; name option `fix-user`), hands only the
    WORKDIR to it (not recursively), and puts `USER <uid>:<gid>` after the last instruction that
    depends on the user (replacing a final `USER root`). Distroless, Chainguard and `scratch` images
    get `USER 65532:65532`, their `nonroot` user; a non-root user the Dockerfile already created or
    switched to is reused, and so is the user of a base image known to have one (`node`, the
    devcontainer images), with the WORKDIR handed to it. The application may need to write to root-owned paths, so the change is
    unsafe. For an unknown base image only a suggestion is shown.
    """

    meta = RuleMeta(
        id="DF001",
        name="last-user-root",
        title="The shipped image runs as root",
        severity=Severity.HIGH,
        targets=frozenset({TargetKind.DOCKERFILE}),
        remediation="Create an unprivileged user and end the shipped stage with `USER <uid>`.",
        references=(
            CIS_DOCKER.control("4.1", "Ensure that a user for the container has been created"),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=(
            "DL3002",
            "DS-0002",
            "AVD-DS-0002",
            "DS002",
            "CKV_DOCKER_3",
            "CKV_DOCKER_8",
            "last_user_is_root",
            "missing_user_instruction",
            "CIS-DI-0001",
            "CIS-4.1",
        ),
        fix=FixAvailability.SOMETIMES,
        options=(
            Option(
                "nonroot-bases",
                list(NONROOT_BASES),
                "Base images (glob) that already run as a non-root user.",
            ),
            Option("fix-user", "app", "Name of the system user the fix creates."),
            Option("fix-uid", 10001, "UID and GID of the system user the fix creates."),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        stage = df.shipped_stage
        if stage is None:
            return
        user = last_user(df, stage)
        if user is None:
            root = df.lineage(stage)[0]
            if root.base.lower() == "scratch":
                pass  # nothing to run as but the numeric ids the app chooses; still root by default
            patterns = ctx.option(self, "nonroot-bases")
            if any(fnmatch.fnmatch(root.base, p) for p in patterns):
                return
            if "$" in root.base:
                return  # base image unknown: its default user is unknown
            yield ctx.finding(
                self,
                "no USER in the shipped stage: the container runs as root",
                span=stage.from_instruction.span,
                fix=self._fix(df, stage, ctx),
                anchor=f"stage:{stage.name or stage.index}:no-user",
            )
            return
        verdict = is_root_user(user.args)
        if verdict:
            yield ctx.finding(
                self,
                f"last USER of the shipped stage is {user.args.strip()!r}: the container runs as root",
                span=user.span,
                fix=self._fix(df, stage, ctx),
                anchor=f"stage:{stage.name or stage.index}:user-root",
            )

    def _fix(self, df: Dockerfile, stage: Stage, ctx: Context) -> Fix:
        base = resolved_base(df, df.lineage(stage)[0])
        name = str(ctx.option(self, "fix-user"))
        uid = int(ctx.option(self, "fix-uid"))
        return nonroot_user_fix(df, stage, base, name, uid)
