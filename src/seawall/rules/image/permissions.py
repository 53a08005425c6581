"""IMG rules over file modes in the final filesystem: setuid/setgid and world-writable paths."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.image.filesystem import Kind
from seawall.image.model import Image
from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.image._common import file_pointer

IMAGE = frozenset({TargetKind.IMAGE})
_VIRTUAL = ("proc/", "sys/", "dev/")


class SetuidBinary(Rule[Image]):
    """## What it does
    Reports regular files with the setuid or setgid bit in the final image, except paths listed in
    the `allow` option (absolute paths, e.g. `["/usr/bin/passwd"]`).

    ## Why is this bad?
    setuid/setgid programs run with their owner's privileges whoever starts them; each one is a
    privilege-escalation path for a compromised unprivileged process. Most services need none.

    ## Example
    ```dockerfile
    FROM debian:12
    USER 10001
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +
    USER 10001
    ```

    ## Fix safety
    No automatic fix. At run time `--security-opt no-new-privileges` neutralizes the bits.
    """

    meta = RuleMeta(
        id="IMG014",
        name="setuid-binary-in-image",
        title="A setuid/setgid binary is present",
        severity=Severity.LOW,
        targets=IMAGE,
        remediation="Remove setuid/setgid bits (`chmod a-s`) or the programs themselves.",
        references=(
            CIS_DOCKER.control("4.8", "Ensure setuid and setgid permissions are removed"),
            NIST_800_190.control("4.1.2"),
            CWE.control("CWE-250", "Execution with Unnecessary Privileges"),
        ),
        aliases=("CIS-DI-0008",),
        options=(Option("allow", [], "Absolute paths allowed to keep setuid/setgid bits."),),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        allow = {str(p).lstrip("/") for p in ctx.option(self, "allow") or []}
        for entry in sorted(image.fs, key=lambda e: e.path):
            if not (entry.setuid or entry.setgid) or entry.path in allow:
                continue
            bits = " and ".join(
                b for b, on in (("setuid", entry.setuid), ("setgid", entry.setgid)) if on
            )
            yield ctx.finding(
                self,
                f"/{entry.path} is {bits} (mode {entry.mode:04o}, uid {entry.uid})",
                pointer=file_pointer(entry.layer, entry.path),
            )


class WorldWritablePath(Rule[Image]):
    """## What it does
    Reports world-writable regular files, and world-writable directories without the sticky bit,
    in the final image (`/tmp` with mode 1777 is fine; a 0777 directory is not).

    ## Why is this bad?
    Any user in the container can replace a world-writable file or, in a non-sticky world-writable
    directory, delete and replace other users' files — a classic way to hijack scripts or
    libraries that a more privileged process later runs.

    ## Example
    ```dockerfile
    FROM debian:12
    RUN mkdir /data && chmod 777 /data
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    RUN mkdir /data && chown 10001:10001 /data && chmod 750 /data
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="IMG015",
        name="world-writable-path",
        title="A world-writable file or non-sticky directory is present",
        severity=Severity.MEDIUM,
        targets=IMAGE,
        remediation="Give the path to the user that needs it; set the sticky bit on shared dirs.",
        references=(NIST_800_190.control("4.1.2"), CWE.control("CWE-732")),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        for entry in sorted(image.fs, key=lambda e: e.path):
            if not entry.world_writable or entry.path.startswith(_VIRTUAL):
                continue
            if entry.kind is Kind.DIR and entry.sticky:
                continue
            what = "directory without the sticky bit" if entry.kind is Kind.DIR else "file"
            yield ctx.finding(
                self,
                f"/{entry.path} is a world-writable {what} (mode {entry.mode:04o})",
                pointer=file_pointer(entry.layer, entry.path),
            )
