"""Package-manager caches and indexes left in a layer of the shipped image."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
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
    mentions_path,
    reports_run,
    runs_of,
)
from seawall.rules.dockerfile._package_managers import (
    APT,
    RPM,
    RPM_INSTALLS,
    ZYPPER,
    ZYPPER_INSTALLS,
    ManagerCall,
)

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_REMOVERS = ("rm", "find", "rmdir")
_RPM_CACHES = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/tdnf", "/var/lib/dnf")


_UNSAFE_ENDINGS = (";", "&", "|", "\\", "`")


def _later_uses(df: Dockerfile, run: Run, managers: frozenset[str]) -> bool:
    """Whether a later RUN built on this one's stage calls one of ``managers`` again."""
    for other in runs_of(df).runs:
        if other.instruction.span.start <= run.instruction.span.start:
            continue
        if run.stage not in df.lineage(other.stage):
            continue
        if any(c.manager in managers for c in other.calls):
            return True
    return False


def _cleanup_fix(df: Dockerfile, run: Run, call: ManagerCall, cleanup: str) -> Fix | None:
    """Append ``&& <cleanup>`` to the end of a plain shell-form RUN, or None when not exact.

    Safe when nothing later in the build uses the package manager again (the cleanup then only
    removes files nothing reads); unsafe otherwise (a later install would find no index).
    """
    instr = run.instruction
    if instr.exec_form is not None or instr.heredocs or instr not in run.stage.instructions:
        return None
    text = df.source.slice(instr.span)
    last_line = text.rsplit("\n", 1)[-1]
    if "#" in last_line or text.rstrip().endswith(_UNSAFE_ENDINGS):
        return None
    command = cleanup.strip("`")
    if call.cmd.command.words and call.cmd.command.words[0].text == "sudo":
        command = "sudo " + command
    if "\n" in text:
        indent = last_line[: len(last_line) - len(last_line.lstrip())] or "    "
        newline = "\r\n" if "\r\n" in text else "\n"
        addition = f" {df.escape}{newline}{indent}&& {command}"
    else:
        addition = f" && {command}"
    managers = next((f for f in (APT, RPM, ZYPPER) if call.manager in f), frozenset())
    edit = Edit.insert(instr.span.end, addition)
    title = f"Add `&& {command}` at the end of the RUN"
    return Fix.unsafe(title, edit) if _later_uses(df, run, managers) else Fix.safe(title, edit)


def _cleans(calls: list[ManagerCall], managers: frozenset[str], *actions: str) -> bool:
    return any(c.manager in managers and c.action in actions for c in calls)


def _left_cache(run: Run, calls: list[ManagerCall]) -> Iterator[tuple[ManagerCall, str]]:
    """(call, what is left) for each manager whose cache this RUN fills and does not clean."""
    seen: set[str] = set()
    for call in calls:
        family = ""
        left = ""
        if call.manager in APT and call.action == "update":
            if run.has_cache_mount("/var/lib/apt/lists"):
                continue
            if mentions_path(run.commands, _REMOVERS, "/var/lib/apt/lists", "/var/lib/apt"):
                continue
            if _cleans(calls, APT, "dist-clean", "distclean"):
                continue
            family, left = "apt", "`rm -rf /var/lib/apt/lists/*`"
        elif call.manager in RPM and call.action in RPM_INSTALLS:
            if run.has_cache_mount(*_RPM_CACHES) or mentions_path(
                run.commands, _REMOVERS, *_RPM_CACHES
            ):
                continue
            cleaned = any(
                c.manager in RPM
                and c.action == "clean"
                and any(o.text == "all" for o in c.operands)
                for c in calls
            )
            if cleaned:
                continue
            family, left = call.manager, f"`{call.manager} clean all`"
        elif call.manager in ZYPPER and call.action in ZYPPER_INSTALLS:
            if run.has_cache_mount("/var/cache/zypp") or mentions_path(
                run.commands, _REMOVERS, "/var/cache/zypp"
            ):
                continue
            if _cleans(calls, ZYPPER, "clean", "cc"):
                continue
            family, left = "zypper", "`zypper clean --all`"
        if family and family not in seen:
            seen.add(family)
            yield call, left


class PackageCacheLeftInLayer(Rule[Dockerfile]):
    """## What it does
    Reports a RUN in a stage that ships which fills a package-manager cache and does not clean it
    in the same RUN: `apt-get update` without removing `/var/lib/apt/lists`, `yum`/`dnf`/
    `microdnf`/`tdnf` installs without `clean all`, `zypper install` without `zypper clean`.
    Cache mounts (`--mount=type=cache,target=/var/lib/apt/lists`…) and builder stages that do not
    ship are not reported (option `all-stages`).

    ## Why is this bad?
    Package indexes and downloaded packages are tens of megabytes that the container never uses.
    A cleanup in a later RUN does not help: the files stay in the earlier layer.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    The cleanup is appended to the end of a shell-form RUN (`&& rm -rf /var/lib/apt/lists/*`,
    `&& dnf clean all`, `&& zypper clean --all`, with `sudo` when the install used it). Safe when
    no later RUN of the build uses the package manager again; unsafe otherwise, since a later
    install would find no package index. RUNs whose end is not a plain command (heredocs, exec
    form, a trailing `;`, `&`, `|` or comment) get no fix.
    """

    meta = RuleMeta(
        id="DF053",
        name="package-cache-left-in-layer",
        title="Package-manager cache not cleaned in the same RUN",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Clean the package cache in the same RUN (or use a cache mount).",
        references=(
            CIS_DOCKER.control(
                "4.3", "Ensure that unnecessary packages are not installed in the container"
            ),
            CWE.control("CWE-459", "Incomplete Cleanup"),
        ),
        aliases=(
            "DL3009",
            "apt_get_install_lists_were_not_deleted",
            "DL3032",
            "DS-0015",
            "AVD-DS-0015",
            "DS015",
            "yum_clean_all_missing",
            "DL3040",
            "DS-0019",
            "AVD-DS-0019",
            "DS019",
            "missing_dnf_clean_all",
            "DS-0027",
            "AVD-DS-0027",
            "DS027",
            "DL3036",
            "DS-0020",
            "AVD-DS-0020",
            "DS020",
            "missing_zypper_clean",
        ),
        options=(ALL_STAGES,),
        fix=FixAvailability.SOMETIMES,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            if not run.calls:
                continue  # only package-manager calls leave a cache
            if not reports_run(self, run, ctx) or run.runs_script():
                continue
            for call, cleanup in _left_cache(run, list(run.calls)):
                yield ctx.finding(
                    self,
                    f"`{call.manager} {call.action}` leaves its cache in the layer: add {cleanup} "
                    "to the same RUN",
                    span=call.cmd.span(),
                    fix=_cleanup_fix(df, run, call, cleanup),
                )


class YarnCacheLeftInLayer(Rule[Dockerfile]):
    """## What it does
    Reports `yarn install` (or a bare `yarn`) in a stage that ships without `yarn cache clean` in
    the same RUN. Cache mounts and builder stages are not reported (option `all-stages`).

    ## Why is this bad?
    Yarn keeps a copy of every package tarball in its global cache (`/usr/local/share/.cache/yarn`
    in the official Node images). In the image that copy is dead weight, often hundreds of
    megabytes.

    ## Example
    ```dockerfile
    FROM node:20-slim
    COPY package.json yarn.lock ./
    RUN yarn install --frozen-lockfile
    ```

    Use instead:
    ```dockerfile
    FROM node:20-slim
    COPY package.json yarn.lock ./
    RUN yarn install --frozen-lockfile && yarn cache clean
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = RuleMeta(
        id="DF059",
        name="yarn-cache-left-in-layer",
        title="`yarn install` without `yarn cache clean`",
        severity=Severity.INFO,
        targets=DOCKERFILE,
        remediation="Add `&& yarn cache clean` to the RUN, or use a cache mount for the cache.",
        references=(CWE.control("CWE-459", "Incomplete Cleanup"),),
        aliases=("DL3060",),
        options=(ALL_STAGES,),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        runs = runs_of(df)
        if "yarn" not in runs.names:
            return  # only `yarn install` is reported
        for run in runs.runs:
            if not reports_run(self, run, ctx):
                continue
            if any(
                m.type == "cache" and ("yarn" in m.target.lower() or m.target.endswith("/.cache"))
                for m in run.mounts
            ):
                continue
            yarns = list(run.named("yarn"))
            installs = []
            cleaned = False
            for cmd in yarns:
                positional = [w.text for w in cmd.program.words[1:] if not w.text.startswith("-")]
                flags = {w.text for w in cmd.program.words[1:]}
                if flags & {"--version", "-v", "-V", "--help", "-h"}:
                    continue
                if not positional or positional[0] == "install":
                    installs.append(cmd)
                elif positional[:2] == ["cache", "clean"]:
                    cleaned = True
            if cleaned or not installs:
                continue
            if any(
                c.name == "rm"
                and any("yarn" in w.text and "cache" in w.text for w in c.program.words)
                for c in run.commands
            ):
                continue
            yield ctx.finding(
                self,
                "`yarn install` without `yarn cache clean` keeps the package cache in the layer",
                span=installs[0].span(),
            )
