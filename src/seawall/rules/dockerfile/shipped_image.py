"""Rules about what the shipped stage contains: a health check, and no build toolchain."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.lazy_re import glob_set
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.dockerfile._security_util import (
    install_packages,
    instructions_removing_packages,
    is_dev_container,
    shipped_root,
)
from seawall.rules.dockerfile._util import shipped_stage_indices

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_SHELLLESS_BASES = glob_set(("scratch", "gcr.io/distroless/*", "cgr.dev/chainguard/static*"))


class MissingHealthcheck(Rule[Dockerfile]):
    """## What it does
    Reports a shipped stage (with the stages it builds on) that has no `HEALTHCHECK`. An explicit
    `HEALTHCHECK NONE` is a decision and is not reported. Builder stages and development containers
    are not reported. For `scratch` and distroless bases, which have no shell, the message points
    to the exec form (`HEALTHCHECK CMD ["/app", "healthcheck"]`).

    ## Why is this bad?
    Without a health check Docker only knows whether the process runs, not whether it serves: a
    deadlocked or half-started container stays "running", receives traffic and is never restarted
    (CIS Docker 4.6). Orchestrators with their own probes (Kubernetes) ignore `HEALTHCHECK`; there,
    suppress the rule.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    COPY site/ /usr/share/nginx/html/
    ```

    Use instead:
    ```dockerfile
    FROM nginx:1.27
    COPY site/ /usr/share/nginx/html/
    HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    ```

    ## Fix safety
    No automatic fix: only the author knows how to probe the service.
    """

    meta = RuleMeta(
        id="DF017",
        name="missing-healthcheck",
        title="The shipped image has no HEALTHCHECK",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Add `HEALTHCHECK CMD <probe>` to the shipped stage, or `HEALTHCHECK NONE`.",
        references=(
            CIS_DOCKER.control(
                "4.6", "Ensure that HEALTHCHECK instructions have been added to container images"
            ),
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-703", "Improper Check or Handling of Exceptional Conditions"),
        ),
        aliases=(
            "DL3057",
            "DS-0026",
            "AVD-DS-0026",
            "DS026",
            "CKV_DOCKER_2",
            "healthcheck_instruction_missing",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        stage = df.shipped_stage
        if stage is None or is_dev_container(df, ctx.target):
            return
        for s in df.lineage(stage):
            if any(True for _ in s.of("HEALTHCHECK")):
                return
            if any(
                instr.inner is not None and instr.inner.keyword == "HEALTHCHECK"
                for instr in s.of("ONBUILD")
            ):
                return
        root = shipped_root(df)
        base = root.base if root is not None else ""
        shellless = _SHELLLESS_BASES.match(base.lower()) is not None
        hint = (
            ' (no shell in this base: use the exec form HEALTHCHECK CMD ["/app", "health"])'
            if shellless
            else ""
        )
        yield ctx.finding(
            self,
            "no HEALTHCHECK in the shipped stage" + hint,
            span=stage.from_instruction.span,
            anchor=f"stage:{stage.name or stage.index}:no-healthcheck",
        )


BUILD_TOOL_PACKAGES = frozenset(
    {
        "gcc",
        "g++",
        "gcc-c++",
        "clang",
        "llvm",
        "make",
        "cmake",
        "ninja-build",
        "build-essential",
        "build-base",
        "alpine-sdk",
        "autoconf",
        "automake",
        "libtool",
        "bison",
        "flex",
        "gfortran",
        "golang",
        "golang-go",
        "go",
        "rustc",
        "cargo",
        "rust",
        "musl-dev",
        "linux-headers",
        "kernel-headers",
        "kernel-devel",
        "dpkg-dev",
        "meson",
        "scons",
        "maven",
        "gradle",
    }
)
_DEV_SUFFIXES = ("-dev", "-devel")
_BUILD_GLOBS = glob_set(
    (
        "gcc-[0-9]*",
        "g++-[0-9]*",
        "clang-[0-9]*",
        "golang-[0-9]*",
        "openjdk-*-jdk*",
        "java-*-devel",
    )
)


def is_build_tool(name: str) -> bool:
    """Whether a package name is a compiler, build system or development headers."""
    if name in BUILD_TOOL_PACKAGES or name.endswith(_DEV_SUFFIXES):
        return True
    return _BUILD_GLOBS.match(name) is not None


class BuildToolsInShippedImage(Rule[Dockerfile]):
    """## What it does
    Reports compilers, build systems and development packages (`gcc`, `g++`, `make`, `cmake`,
    `build-essential`, `build-base`, `*-dev`/`*-devel`, `golang`, `rustc`, `cargo`…) installed by a
    package manager in the stage that ships. A `RUN` that removes packages again (`apt-get purge`,
    `apk del .build-deps`, `dnf remove`) is taken as cleaning up after itself. Builder stages and
    development containers are not reported.

    ## Why is this bad?
    A toolchain in the running image lets an attacker who gets code execution compile and run
    exploits on the spot, and adds hundreds of packages of vulnerabilities and size (CIS Docker
    4.3). A multi-stage build compiles in one stage and copies only the result.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends gcc make
    COPY . /src
    RUN make -C /src
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim AS build
    RUN apt-get update && apt-get install -y --no-install-recommends gcc make
    COPY . /src
    RUN make -C /src

    FROM debian:bookworm-slim
    COPY --from=build /src/app /usr/local/bin/app
    ```

    ## Fix safety
    No automatic fix: splitting into stages needs to know what the build produces.
    """

    meta = RuleMeta(
        id="DF018",
        name="build-tools-in-shipped-image",
        title="Compilers or build tools are left in the shipped image",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Build in a separate stage; COPY --from it only the artefacts you ship.",
        references=(
            CIS_DOCKER.control(
                "4.3", "Ensure that unnecessary packages are not installed in the container"
            ),
            NIST_800_190.control("4.1.1"),
            CWE.control("CWE-1164", "Irrelevant Code"),
        ),
        aliases=("CIS-DI-0003",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        if is_dev_container(df, ctx.target):
            return
        shipped = shipped_stage_indices(df)
        cleaned = instructions_removing_packages(df)
        for stage, cmd, packages in install_packages(df):
            if stage.index not in shipped or id(cmd.instruction) in cleaned:
                continue
            tools = [(word, name) for word, name in packages if is_build_tool(name)]
            if not tools:
                continue
            names = ", ".join(name for _, name in tools[:5]) + (", …" if len(tools) > 5 else "")
            yield ctx.finding(
                self,
                f"build tools installed in the shipped stage: {names} (build in a separate stage)",
                span=cmd.word_span(tools[0][0]),
            )
