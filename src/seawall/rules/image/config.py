"""IMG rules over the image configuration: user, healthcheck, environment, ports, tags."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.image.model import Image
from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.image._common import (
    escape,
    find_tokens,
    is_root_user,
    placeholder,
    secret_like_name,
)

IMAGE = frozenset({TargetKind.IMAGE})


class ImageRunsAsRoot(Rule[Image]):
    """## What it does
    Reports an image whose configured user (`/config/User`) is unset, `root`, `0`, or
    `root:<group>` / `0:<group>`: containers started from it run as uid 0 unless the runtime
    overrides the user.

    ## Why is this bad?
    Root in a container is root on the host kernel. A container escape, a writable host mount or a
    kernel bug then gives full control of the host. An unprivileged default user removes most of
    that risk.

    ## Example
    ```dockerfile
    FROM debian:12-slim
    CMD ["/app/server"]
    ```

    Use instead:
    ```dockerfile
    FROM debian:12-slim
    RUN useradd --system --uid 10001 app
    USER 10001
    CMD ["/app/server"]
    ```

    ## Fix safety
    No automatic fix: the image must be rebuilt with a `USER` instruction (see DF001).
    """

    meta = RuleMeta(
        id="IMG001",
        name="image-runs-as-root",
        title="The image runs as root",
        severity=Severity.HIGH,
        targets=IMAGE,
        remediation="Rebuild with an unprivileged `USER <uid>` as the last user instruction.",
        references=(
            CIS_DOCKER.control("4.1", "Ensure that a user for the container has been created"),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        user = image.runtime.get("User")
        user = user if isinstance(user, str) else ""
        if is_root_user(user):
            what = "no user is set" if not user.strip() else f"user is {user.strip()!r}"
            yield ctx.finding(self, f"The image runs as root ({what})", pointer="/config/User")


class ImageWithoutHealthcheck(Rule[Image]):
    """## What it does
    Reports an image with no `HEALTHCHECK` (or `HEALTHCHECK NONE`) in its configuration.

    ## Why is this bad?
    Without a health check the engine and orchestrators only know whether the process is alive,
    not whether it works: a hung service keeps receiving traffic and is never restarted.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    ```

    Use instead:
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK --interval=30s CMD ["curl", "-fsS", "http://localhost/"]
    ```

    ## Fix safety
    No automatic fix: a meaningful check depends on the application.
    """

    meta = RuleMeta(
        id="IMG002",
        name="image-without-healthcheck",
        title="The image defines no HEALTHCHECK",
        severity=Severity.LOW,
        targets=IMAGE,
        remediation="Add a HEALTHCHECK that exercises the service.",
        references=(
            CIS_DOCKER.control("4.6", "Ensure that HEALTHCHECK instructions have been added"),
            NIST_800_190.control("4.4.1"),
        ),
        aliases=("CIS-DI-0006",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        health = image.runtime.get("Healthcheck")
        test = health.get("Test") if isinstance(health, dict) else None
        if not test or test == ["NONE"]:
            yield ctx.finding(
                self, "The image defines no health check", pointer="/config/Healthcheck"
            )


class SecretInEnvironment(Rule[Image]):
    """## What it does
    Reports `Env` entries of the image config whose name looks like a credential (`*_PASSWORD`,
    `*_TOKEN`, `API_KEY`, ...) with a literal value, and values that match well-known token
    formats (AWS keys, GitHub/GitLab/npm/PyPI tokens, private keys, credentials in URLs). The
    value itself is never printed.

    ## Why is this bad?
    Image configuration is readable by anyone who can pull the image (`docker inspect`), is copied
    into every registry and cache, and ends up in the environment of every process and crash
    report.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ENV DB_PASSWORD=hunter2
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    ENV DB_PASSWORD_FILE=/run/secrets/db_password
    ```

    ## Fix safety
    No automatic fix: rotate the credential, then pass it at run time (secrets, mounted files).
    """

    meta = RuleMeta(
        id="IMG003",
        name="secret-in-image-env",
        title="A credential is stored in the image environment",
        severity=Severity.CRITICAL,
        targets=IMAGE,
        remediation="Remove the value from ENV, rotate it, and provide it at run time as a secret.",
        references=(
            CIS_DOCKER.control("4.10", "Ensure secrets are not stored in Dockerfiles"),
            NIST_800_190.control("4.1.4", "Embedded clear text secrets"),
            CWE.control("CWE-798", "Use of Hard-coded Credentials"),
        ),
        aliases=("CIS-DI-0010",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        env = image.runtime.get("Env")
        if not isinstance(env, list):
            return
        for i, item in enumerate(env):
            if not isinstance(item, str):
                continue
            name, _, value = item.partition("=")
            pointer = f"/config/Env/{i}"
            tokens = find_tokens(value)
            if tokens:
                kinds = ", ".join(tokens)
                yield ctx.finding(
                    self, f"Environment variable {name} holds a {kinds}", pointer=pointer
                )
            elif secret_like_name(name) and not placeholder(value):
                yield ctx.finding(
                    self, f"Environment variable {name} looks like a credential", pointer=pointer
                )


class SshPortExposed(Rule[Image]):
    """## What it does
    Reports an image that exposes port 22 (SSH).

    ## Why is this bad?
    Containers should not run an SSH daemon: it adds a network-facing service with its own keys and
    users to patch and audit, and it bypasses the engine's access control (`docker exec`).

    ## Example
    ```dockerfile
    FROM debian:12
    EXPOSE 22
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    EXPOSE 8080
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="IMG006",
        name="image-exposes-ssh",
        title="The image exposes port 22",
        severity=Severity.MEDIUM,
        targets=IMAGE,
        remediation="Remove the SSH server and EXPOSE 22; use `docker exec` for maintenance.",
        references=(
            CIS_DOCKER.control("5.7", "Ensure privileged ports are not mapped within containers"),
            NIST_800_190.control("4.4.2"),
            CWE.control("CWE-284", "Improper Access Control"),
        ),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        ports = image.runtime.get("ExposedPorts")
        if not isinstance(ports, dict):
            return
        for port in ports:
            if str(port).split("/")[0] == "22":
                yield ctx.finding(
                    self,
                    "The image exposes port 22 (SSH)",
                    pointer=f"/config/ExposedPorts/{escape(port)}",
                )


_FLOATING = {"latest", "master", "main", "edge", "nightly", "dev", "snapshot", "unstable"}
_VERSION_LABELS = ("org.opencontainers.image.version", "version", "org.label-schema.version")


class FloatingTag(Rule[Image]):
    """## What it does
    Reports an image referenced or tagged `latest` (or another moving name such as `edge`,
    `nightly`, `main`), or whose version label says so.

    ## Why is this bad?
    A moving tag names a different image tomorrow: deployments are not reproducible, rollbacks
    restore the wrong thing, and a scan result cannot be tied to what runs.

    ## Example
    ```dockerfile
    # docker build -t registry.example.com/app:latest .
    LABEL org.opencontainers.image.version=latest
    ```

    Use instead:
    ```dockerfile
    # docker build -t registry.example.com/app:1.4.2 .
    LABEL org.opencontainers.image.version=1.4.2
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="IMG007",
        name="image-floating-tag",
        title="The image uses a moving tag such as latest",
        severity=Severity.LOW,
        targets=IMAGE,
        remediation="Tag and deploy images by version and digest.",
        references=(
            NIST_800_190.control("4.2.2", "Use of stale images"),
            CIS_DOCKER.control("4.2", "Ensure that containers use only trusted base images"),
        ),
        aliases=("DKL-DI-0006",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        for i, tag in enumerate(image.tags):
            name = tag.rsplit("/", 1)[-1]
            version = name.rpartition(":")[2] if ":" in name else "latest"
            if version in _FLOATING:
                yield ctx.finding(self, f"The image is tagged {tag!r}", pointer=f"/tags/{i}")
        for key in _VERSION_LABELS:
            value = image.labels.get(key)
            if isinstance(value, str) and value.strip().lower() in _FLOATING:
                yield ctx.finding(
                    self,
                    f"Label {key} is {value.strip()!r}",
                    pointer=f"/config/Labels/{escape(key)}",
                )
