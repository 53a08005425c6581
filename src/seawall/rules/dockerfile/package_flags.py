"""Package-manager flags: non-interactive installs, no recommends, no caches left behind."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._hygiene_util import (
    ALL_STAGES,
    Run,
    insert_fix,
    lowered_text,
    mentions_path,
    reports_run,
    runs_of,
    variables_before,
)
from seawall.rules.dockerfile._package_managers import (
    APT,
    APT_CONFIRMS,
    RPM,
    RPM_CONFIRMS,
    ZYPPER,
    ZYPPER_CONFIRMS,
    ManagerCall,
)

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})


def _apt_assumes_yes(call: ManagerCall) -> bool:
    cmd = call.cmd.program
    if cmd.has_flag("-y", "--yes", "--assume-yes"):
        return True
    for word in cmd.words[1:]:
        text = word.text
        if text in ("-q=2", "--quiet=2") or (
            text.startswith("-") and not text.startswith("--") and text.count("q") >= 2
        ):
            return True  # -qq implies -y
        if (
            "assume-yes" in text.lower()
            and "=" in text
            and not text.lower().endswith(("=false", "=0"))
        ):
            return True  # -o APT::Get::Assume-Yes=true
    return False


def _needs_yes(call: ManagerCall, df_text: str) -> bool:
    cmd = call.cmd.program
    if call.manager in APT:
        # Pure tests, in the order that settles most calls soonest: the subcommand, then -y
        # (nearly every install has it), then the dry-run flags.
        return (
            call.action in APT_CONFIRMS
            and not _apt_assumes_yes(call)
            and not cmd.has_flag(
                "-s", "--simulate", "--dry-run", "--just-print", "--no-act", "--recon"
            )
            and "apt::get::assume-yes" not in df_text
        )
    if call.manager in RPM and call.manager != "microdnf":
        return (
            call.action in RPM_CONFIRMS
            and not cmd.has_flag("-y", "--assumeyes")
            and "assumeyes=" not in df_text
        )
    if call.manager in ZYPPER:
        return call.action in ZYPPER_CONFIRMS and not cmd.has_flag(
            "-y", "--no-confirm", "-n", "--non-interactive"
        )
    return False


class PackageInstallWithoutYes(Rule[Dockerfile]):
    """## What it does
    Reports `apt-get`, `yum`/`dnf`/`tdnf` and `zypper` commands that may ask for confirmation
    (install, remove, upgrade…) without the non-interactive switch (`-y`, `--yes`, `-qq`,
    `--assumeyes`, `zypper -n`). Commands fed by a pipe (`yes | apt-get install …`) and builds
    that configure `APT::Get::Assume-Yes` or `assumeyes=1` are not reported.

    ## Why is this bad?
    A build has no terminal: when the package manager asks "Do you want to continue?" it reads
    end-of-file and aborts, so the build fails as soon as a dependency is added.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Inserting `-y` after the subcommand is safe: it only answers the prompt the build cannot answer.
    """

    meta = RuleMeta(
        id="DF051",
        name="package-install-without-yes",
        title="Package manager may prompt for confirmation",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Add `-y` (apt-get, yum, dnf, zypper) so the build never waits for input.",
        references=(CWE.control("CWE-710", "Improper Adherence to Coding Standards"),),
        aliases=(
            "DL3014",
            "DS-0021",
            "AVD-DS-0021",
            "DS021",
            "apt_get_missing_flags_to_avoid_manual_input",
            "DL3030",
            "yum_install_allows_manual_input",
            "DL3038",
            "missing_flag_from_dnf_install",
            "DL3034",
            "missing_zypper_non_interactive_switch",
        ),
        fix=FixAvailability.ALWAYS,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        runs = runs_of(df).runs
        if not any(run.calls for run in runs):
            return  # only package-manager calls are reported: skip lowering the whole text
        text = lowered_text(df).replace(" ", "")
        for run in runs:
            for call in run.calls:
                cmd = call.cmd
                if cmd.command.pipe_from or not _needs_yes(call, text):
                    continue
                fix = insert_fix(df, cmd, call.sub, "-y")
                yield ctx.finding(
                    self,
                    f"`{call.manager} {call.action}` without `-y`: the build aborts at the prompt",
                    span=cmd.span(),
                    fix=fix,
                )


def _apt_install(call: ManagerCall) -> bool:
    return call.manager in APT and call.action in ("install", "reinstall")


class AptMissingNoInstallRecommends(Rule[Dockerfile]):
    """## What it does
    Reports `apt-get install` in a stage that ships without `--no-install-recommends` (or an
    `APT::Install-Recommends` setting). Builder stages are not reported: their packages never reach
    the image (option `all-stages` reports them too).

    ## Why is this bad?
    By default apt also installs every "recommended" package: documentation tools, extra
    libraries, sometimes whole language runtimes. They make the image larger and add packages —
    and vulnerabilities — that the application never uses.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Adding `--no-install-recommends` is an unsafe fix: the application may rely on a recommended
    package (`curl` recommends `ca-certificates`, without which HTTPS fails). Add the packages you
    need explicitly.
    """

    meta = RuleMeta(
        id="DF052",
        name="apt-missing-no-install-recommends",
        title="`apt-get install` without `--no-install-recommends`",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Add `--no-install-recommends` and list the packages you need explicitly.",
        references=(
            CIS_DOCKER.control(
                "4.3", "Ensure that unnecessary packages are not installed in the container"
            ),
            CWE.control("CWE-1104", "Use of Unmaintained Third Party Components"),
        ),
        aliases=(
            "DL3015",
            "DS-0029",
            "AVD-DS-0029",
            "DS029",
            "apt_get_not_avoiding_additional_packages",
        ),
        fix=FixAvailability.ALWAYS,
        options=(ALL_STAGES,),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        runs = runs_of(df).runs
        if not any(_apt_install(call) for run in runs for call in run.calls):
            return  # only apt installs are reported: skip the whole-text test
        if "install-recommends" in lowered_text(df).replace("no-install-recommends", ""):
            return  # APT::Install-Recommends configured for the whole build
        for run in runs:
            if not reports_run(self, run, ctx):
                continue
            for call in run.calls:
                cmd = call.cmd
                if not _apt_install(call):
                    continue
                if cmd.program.has_flag("--no-install-recommends"):
                    continue
                fix = insert_fix(df, cmd, call.sub, "--no-install-recommends", safe=False)
                yield ctx.finding(
                    self,
                    f"`{call.manager} {call.action}` without `--no-install-recommends` installs "
                    "recommended packages too",
                    span=cmd.span(),
                    fix=fix,
                )


class ApkAddWithoutNoCache(Rule[Dockerfile]):
    """## What it does
    Reports `apk add` in a stage that ships without `--no-cache`, unless the RUN uses a cache
    mount for `/var/cache/apk` or removes `/var/cache/apk` itself. Builder stages are not reported
    (option `all-stages`).

    ## Why is this bad?
    Without `--no-cache` apk keeps the package index (and with `--update`, a copy of it) under
    `/var/cache/apk` in the layer: megabytes of data the running container never needs.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --update curl
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    ## Fix safety
    Inserting `--no-cache` after `add` is safe: the same packages are installed, only the index is
    not kept.
    """

    meta = RuleMeta(
        id="DF057",
        name="apk-add-without-no-cache",
        title="`apk add` without `--no-cache`",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Use `apk add --no-cache` (or a `--mount=type=cache,target=/var/cache/apk`).",
        references=(CWE.control("CWE-459", "Incomplete Cleanup"),),
        aliases=(
            "DL3019",
            "DS-0025",
            "AVD-DS-0025",
            "DS025",
            "apk_add_using_local_cache_path",
        ),
        fix=FixAvailability.ALWAYS,
        options=(ALL_STAGES,),
    )

    _CACHE_DIRS = ("/var/cache/apk", "/etc/apk/cache")

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            if not any(call.manager == "apk" and call.action == "add" for call in run.calls):
                continue  # only `apk add` is reported: skip the cache tests
            if not reports_run(self, run, ctx) or run.has_cache_mount(*self._CACHE_DIRS):
                continue
            if mentions_path(run.commands, ("rm",), *self._CACHE_DIRS) or _apk_cache_cleaned(run):
                continue
            for call in run.calls:
                cmd = call.cmd
                if (
                    call.manager != "apk"
                    or call.action != "add"
                    or cmd.program.has_flag("--no-cache", "--no-network")
                ):
                    continue  # --no-network installs from what is already there: no index
                fix = insert_fix(df, cmd, call.sub, "--no-cache")
                yield ctx.finding(
                    self,
                    "`apk add` without `--no-cache` leaves the package index in the layer",
                    span=cmd.span(),
                    fix=fix,
                )


def _apk_cache_cleaned(run: Run) -> bool:
    return any(
        c.manager == "apk"
        and c.action == "cache"
        and any(o.text in ("clean", "purge") for o in c.operands)
        for c in run.calls
    )


class PipInstallWithCache(Rule[Dockerfile]):
    """## What it does
    Reports `pip install` (also `pip3`, `python -m pip`) in a stage that ships without
    `--no-cache-dir`. Not reported when `PIP_NO_CACHE_DIR` is set (ENV, ARG or on the command),
    when the RUN mounts a cache over `~/.cache/pip`, when `--cache-dir` is chosen explicitly, or
    for builder stages that do not ship (option `all-stages`).

    ## Why is this bad?
    pip keeps every downloaded wheel under `/root/.cache/pip`. In an image that cache is dead
    weight — often as large as the installed packages themselves.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Fix safety
    Inserting `--no-cache-dir` after `install` is safe: the installed packages are the same.
    """

    meta = RuleMeta(
        id="DF058",
        name="pip-install-with-cache",
        title="`pip install` keeps its download cache in the image",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Use `pip install --no-cache-dir`, `ENV PIP_NO_CACHE_DIR=1`, or a cache mount.",
        references=(CWE.control("CWE-459", "Incomplete Cleanup"),),
        aliases=("DL3042", "pip_install_keeping_cached_packages"),
        fix=FixAvailability.ALWAYS,
        options=(ALL_STAGES,),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            if not any(c.manager == "pip" and c.action == "install" for c in run.calls):
                continue
            if not reports_run(self, run, ctx) or _pip_cache_handled(run):
                continue
            if "PIP_NO_CACHE_DIR" in variables_before(df, run.instruction):
                continue
            for call in run.calls:
                cmd = call.cmd
                if call.manager != "pip" or call.action != "install":
                    continue
                if any(o.text.startswith(("--no-cache", "--cache-dir")) for o in call.options):
                    continue
                if any(a.text.startswith("PIP_NO_CACHE_DIR=") for a in cmd.command.assignments):
                    continue
                if any(w.text.startswith("PIP_NO_CACHE_DIR=") for w in cmd.command.words):
                    continue  # env PIP_NO_CACHE_DIR=1 pip install
                fix = insert_fix(df, cmd, call.sub, "--no-cache-dir")
                yield ctx.finding(
                    self,
                    "`pip install` without `--no-cache-dir` keeps downloaded wheels in the image",
                    span=cmd.span(),
                    fix=fix,
                )


def _pip_cache_handled(run: Run) -> bool:
    for mount in run.mounts:
        if mount.type == "cache" and (
            mount.target.rstrip("/").endswith(("/.cache", "/.cache/pip", "/pip"))
        ):
            return True
    for cmd in run.commands:
        if cmd.name == "export" and any(
            w.text.startswith("PIP_NO_CACHE_DIR") for w in cmd.program.words
        ):
            return True
        if cmd.name == "rm" and any(".cache" in w.text for w in cmd.program.words[1:]):
            return True
    return False
