"""Package-manager commands that make builds stale or unpredictable: lone updates, apt, upgrades."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.parsers.dockerfile import Dockerfile
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._hygiene_util import can_edit, runs_of
from seawall.rules.dockerfile._package_managers import (
    APT,
    APT_INSTALLS,
    RPM,
    RPM_INSTALLS,
    ZYPPER,
    ZYPPER_INSTALLS,
    ManagerCall,
)

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})

# Index refreshes, and the commands that consume a fresh index, per manager family.
_REFRESH = {
    "apt": {"update"},
    "apk": {"update"},
    "zypper": {"refresh", "ref"},
    "rpm": {"makecache"},
}
_CONSUMERS = {
    "apt": APT_INSTALLS | {"upgrade", "dist-upgrade", "full-upgrade", "source", "download"},
    "apk": {"add", "upgrade", "fix"},
    "zypper": ZYPPER_INSTALLS,
    "rpm": RPM_INSTALLS,
}


def _family(manager: str) -> str:
    if manager in APT:
        return "apt"
    if manager in RPM:
        return "rpm"
    if manager in ZYPPER:
        return "zypper"
    return manager


_INDEX_DIRS = {
    "apt": ("/var/lib/apt",),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "zypper": ("/var/cache/zypp",),
    "rpm": ("/var/cache/yum", "/var/cache/dnf"),
}


class PackageUpdateAlone(Rule[Dockerfile]):
    """## What it does
    Reports a RUN that refreshes the package index (`apt-get update`, `apk update`,
    `zypper refresh`, `dnf makecache`) without installing anything with the same manager in that
    RUN.

    ## Why is this bad?
    The refreshed index is frozen into its own layer. A later `RUN apt-get install` reuses that
    cached layer, so a rebuild months later installs package versions from a stale index — missing
    security fixes, or failing with 404s once the mirror has moved on. Update and install belong in
    the same RUN.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    No automatic fix: merging RUN instructions changes layering and may reorder side effects.
    """

    meta = RuleMeta(
        id="DF050",
        name="package-update-alone",
        title="Package index refreshed in a RUN that installs nothing",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Run the index update and the install in the same RUN instruction.",
        references=(
            CIS_DOCKER.control(
                "4.7", "Ensure update instructions are not used alone in Dockerfiles"
            ),
            NIST_800_190.control("4.1.1"),
            CWE.control("CWE-1104", "Use of Unmaintained Third Party Components"),
        ),
        aliases=(
            "DS-0017",
            "AVD-DS-0017",
            "DS017",
            "CKV_DOCKER_5",
            "update_instruction_alone",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            calls = run.calls
            for call in calls:
                family = _family(call.manager)
                if call.action not in _REFRESH.get(family, ()):
                    continue
                if run.has_cache_mount(*_INDEX_DIRS[family]) or run.runs_script():
                    continue
                consumers = _CONSUMERS[family]
                if any(_family(o.manager) == family and o.action in consumers for o in calls):
                    continue
                yield ctx.finding(
                    self,
                    f"`{call.manager} {call.action}` without an install in the same RUN: "
                    "the index layer goes stale",
                    span=call.cmd.span(),
                )


class AptInsteadOfAptGet(Rule[Dockerfile]):
    """## What it does
    Reports `apt` (the interactive front end) used in RUN instead of `apt-get` / `apt-cache`.

    ## Why is this bad?
    `apt` is meant for people at a terminal: its command line and output are not stable ("apt does
    not have a stable CLI interface"), it prints progress bars into build logs, and its defaults
    (for example whether downloaded packages are kept) differ from `apt-get`. Scripts, and so
    Dockerfiles, should use `apt-get`.

    ## Example
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt update && apt install -y curl && rm -rf /var/lib/apt/lists/*
    ```

    Use instead:
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Replacing `apt` with `apt-get` for install/remove/update-style subcommands is offered as an
    unsafe fix: the two tools differ in small defaults (kept `.deb` files, upgrade behaviour).
    """

    meta = RuleMeta(
        id="DF054",
        name="apt-instead-of-apt-get",
        title="`apt` used instead of `apt-get`",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Use `apt-get` (or `apt-cache`) in Dockerfiles.",
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=("DL3027", "CKV_DOCKER_9", "run_using_apt"),
        fix=FixAvailability.SOMETIMES,
    )

    _REPLACEABLE = frozenset(
        {
            "install",
            "reinstall",
            "remove",
            "purge",
            "update",
            "autoremove",
            "clean",
            "autoclean",
            "build-dep",
        }
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        runs = runs_of(df)
        if "apt" not in runs.names:
            return
        for run in runs.runs:
            for cmd in run.named("apt"):
                call = next((c for c in run.calls if c.cmd is cmd), None)
                action = call.action if call else ""
                fix = None
                if action in self._REPLACEABLE and can_edit(cmd):
                    program = cmd.program.words[0]
                    span = cmd.word_span(program)
                    if df.source.slice(span) == program.text:
                        replacement = program.text[: -len("apt")] + "apt-get"
                        fix = Fix.unsafe("Use apt-get", Edit(span, replacement))
                yield ctx.finding(
                    self,
                    f"`apt {action}` in a Dockerfile: use `apt-get`"
                    if action
                    else "`apt` in a Dockerfile: use `apt-get`",
                    span=cmd.span(),
                    fix=fix,
                )


class DistributionUpgrade(Rule[Dockerfile]):
    """## What it does
    Reports `apt-get dist-upgrade`, `apt full-upgrade` and `zypper dist-upgrade` (`dup`) in RUN.

    ## Why is this bad?
    A distribution upgrade may add and remove packages and move the image to a new release of the
    distribution, so two builds of the same Dockerfile can produce different systems. If the base
    image is too old, move to a newer base tag instead; to pick up security fixes, a plain
    `apt-get upgrade` is enough.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    No automatic fix: which upgrade is right depends on the image.
    """

    meta = RuleMeta(
        id="DF055",
        name="distribution-upgrade",
        title="Distribution upgrade inside a build",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Use a newer base image tag instead of a distribution upgrade in the build.",
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=("DS-0024", "AVD-DS-0024", "DS024", "DL3035"),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            for call in run.calls:
                cmd = call.cmd
                if (call.manager in APT and call.action in ("dist-upgrade", "full-upgrade")) or (
                    call.manager in ZYPPER and call.action in ("dist-upgrade", "dup")
                ):
                    yield ctx.finding(
                        self,
                        f"`{call.manager} {call.action}` changes the distribution during the build",
                        span=cmd.span(),
                    )


def _is_full_upgrade(call: ManagerCall) -> bool:
    if call.manager in APT:
        return call.action == "upgrade" and not call.operands
    if call.manager == "apk":
        return call.action == "upgrade" and not call.operands
    if call.manager in RPM:
        return call.action in ("update", "upgrade") and not call.operands
    if call.manager in ZYPPER:
        return call.action in ("update", "up") and not call.operands
    return False


class PackageUpgrade(Rule[Dockerfile]):
    """## What it does
    Reports upgrades of every installed package in RUN: `apt-get upgrade`, `apk upgrade`,
    `yum`/`dnf update` without package names, `zypper update`. Off by default (opt-in).

    ## Why is this bad?
    Upgrading everything makes the image depend on the day it was built, not only on the
    Dockerfile. Many teams accept that on purpose — the upgrade brings security fixes that the
    base image does not have yet — which is why this rule is opt-in (hadolint removed its
    equivalents, DL3005/DL3017/DL3031/DL3039, for the same reason). Enable it if you want builds
    to change only when the base image tag changes.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk upgrade --no-cache
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20.3
    RUN apk add --no-cache curl
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF056",
        name="package-upgrade",
        title="Every installed package upgraded during the build",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Rebuild on a newer base image tag instead of upgrading packages in the build.",
        references=(CWE.control("CWE-1357", "Reliance on Insufficiently Trustworthy Component"),),
        aliases=("DL3005", "DL3017", "DL3031", "DL3039"),
        default_enabled=False,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            for call in run.calls:
                cmd = call.cmd
                if _is_full_upgrade(call):
                    yield ctx.finding(
                        self,
                        f"`{call.manager} {call.action}` upgrades every package: the image depends "
                        "on the build date",
                        span=cmd.span(),
                    )
