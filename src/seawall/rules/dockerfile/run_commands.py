"""Rules about individual commands in RUN: password changes and commands pointless in a build."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import commands_named, option_values

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_LOCKED = lazy_pattern(r"^[!*]+$|^!")


class PasswordSetInRun(Rule[Dockerfile]):
    """## What it does
    Reports `RUN` commands that set or remove account passwords: `chpasswd`, `passwd --stdin`,
    `passwd -d` (empty password), and `useradd`/`usermod`/`adduser -p`/`--password` with a value
    other than a lock (`!`, `*`). Locking an account (`passwd -l`, `usermod -L`) is fine. Every
    stage is checked.

    ## Why is this bad?
    A password set at build time is the same in every container started from the image, is written
    in the Dockerfile and the image history, and turns `su` or a login service into a way to root.
    An empty password is worse. Containers need no login passwords.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN echo 'root:Docker!' | chpasswd
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN useradd --system --uid 10001 --shell /usr/sbin/nologin app
    USER 10001
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF022",
        name="password-set-in-run",
        title="A RUN command sets or removes an account password",
        severity=Severity.HIGH,
        targets=DOCKERFILE,
        remediation="Set no passwords in images; run as a user without one, use exec for access.",
        references=(
            CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
            NIST_800_190.control("4.1.4"),
            CWE.control("CWE-798", "Use of Hard-coded Credentials"),
        ),
        aliases=("CKV2_DOCKER_17", "DKL-LI-0001"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for _, cmd in commands_named(df, "chpasswd", "passwd", "useradd", "usermod", "adduser"):
            prog = cmd.program
            name = prog.name
            if name == "chpasswd":
                yield ctx.finding(
                    self, "chpasswd sets an account password in the image", span=cmd.span()
                )
            elif name == "passwd":
                texts = [w.text for w in prog.words[1:]]
                if "--stdin" in texts:
                    yield ctx.finding(
                        self,
                        "passwd --stdin sets an account password in the image",
                        span=cmd.span(),
                    )
                elif "-d" in texts or "--delete" in texts:
                    yield ctx.finding(
                        self, "passwd -d leaves an account with an empty password", span=cmd.span()
                    )
            elif name in ("useradd", "usermod", "adduser"):
                for word, value in option_values(prog, "-p", "--password"):
                    if not _LOCKED.match(value.strip("\"'")):
                        yield ctx.finding(
                            self,
                            f"{name} sets an account password in the image",
                            span=cmd.word_span(word),
                        )


# hadolint DL3001's list: interactive or host-administration commands, useless in a build.
POINTLESS_COMMANDS = frozenset(
    {"ssh", "vim", "shutdown", "service", "ps", "free", "top", "kill", "mount", "ifconfig"}
)


class PointlessCommandInRun(Rule[Dockerfile]):
    """## What it does
    Reports `RUN` of commands that make no sense while building an image: interactive tools
    (`vim`, `top`, `ssh`), host administration (`shutdown`, `mount`, `ifconfig`, `service`) and
    process inspection (`ps`, `free`, `kill`). Every stage is checked.

    ## Why is this bad?
    A build has no terminal, no init system and no long-lived processes: these commands hang, fail
    or do nothing, and often betray an image treated like a virtual machine (services started in a
    layer, an editor installed "for later", SSH used to fetch code with a key in the build).

    ## Example
    ```dockerfile
    FROM ubuntu:24.04
    RUN service nginx start
    ```

    Use instead:
    ```dockerfile
    FROM ubuntu:24.04
    CMD ["nginx", "-g", "daemon off;"]
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF024",
        name="pointless-command-in-run",
        title="RUN uses a command that makes no sense in a container build",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Remove it; start services from CMD/ENTRYPOINT, fetch code without SSH.",
        references=(
            NIST_800_190.control("4.1.2"),
            CWE.control("CWE-710", "Improper Adherence to Coding Standards"),
        ),
        aliases=("DL3001", "run_utilities_and_posix_commands"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for _, cmd in commands_named(df, *POINTLESS_COMMANDS):
            if cmd.name in POINTLESS_COMMANDS:
                yield ctx.finding(
                    self, f"RUN {cmd.name} makes no sense in an image build", span=cmd.span()
                )
