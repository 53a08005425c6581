"""IMG minimality rules: shells, package managers, compilers, downloaders, package count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

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
BIN_DIRS = ("bin", "usr/bin", "sbin", "usr/sbin", "usr/local/bin", "usr/local/sbin")
_MINIMAL_REFS = (
    CIS_DOCKER.control("4.3", "Ensure that unnecessary packages are not installed"),
    NIST_800_190.control("4.1.2"),
    CWE.control("CWE-1164", "Irrelevant Code"),
)


class _ToolsPresent(Rule[Image]):
    """Shared logic: one finding listing which of ``tools`` the final image contains."""

    tools: ClassVar[tuple[str, ...]]
    noun: ClassVar[str]

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        found: list[tuple[str, int, str]] = []
        seen: set[str] = set()
        for tool in self.tools:
            for folder in BIN_DIRS:
                path = f"{folder}/{tool}"
                resolved = image.fs.resolve(path)
                entry = image.fs.lookup(path)
                if entry is None or resolved is None or not entry.executable:
                    continue
                if tool not in seen:
                    seen.add(tool)
                    found.append((tool, entry.layer, resolved))
                break
        if not found:
            return
        names = ", ".join(t for t, _, _ in found)
        _, layer, path = found[0]
        yield ctx.finding(
            self, f"The image contains {self.noun}: {names}", pointer=file_pointer(layer, path)
        )


class ShellPresent(_ToolsPresent):
    """## What it does
    Reports a shell (`sh`, `bash`, `dash`, `ash`, `zsh`, `busybox`) in the final image.

    ## Why is this bad?
    A shell is the first thing an attacker with code execution reaches for; runtime images built
    on distroless or `scratch` bases have none, which turns many exploits into dead ends.

    ## Example
    ```dockerfile
    FROM debian:12-slim
    COPY app /app
    ```

    Use instead:
    ```dockerfile
    FROM gcr.io/distroless/static-debian12
    COPY app /app
    ```

    ## Fix safety
    No automatic fix.
    """

    tools = ("sh", "bash", "dash", "ash", "zsh", "ksh", "busybox")
    noun = "a shell"
    meta = RuleMeta(
        id="IMG016",
        name="shell-in-image",
        title="A shell is present in the image",
        severity=Severity.LOW,
        targets=IMAGE,
        remediation="Ship a distroless or scratch-based runtime stage without a shell.",
        references=_MINIMAL_REFS,
        tags=("minimality",),
    )


class PackageManagerPresent(_ToolsPresent):
    """## What it does
    Reports package managers (`apt`, `apt-get`, `dpkg`, `apk`, `yum`, `dnf`, `rpm`, `pip`, `npm`,
    `yarn`, `gem`) in the final image.

    ## Why is this bad?
    A package manager lets an intruder install tooling in a running container, and its presence
    usually means build tooling was shipped with the runtime.

    ## Example
    ```dockerfile
    FROM python:3.12
    COPY . /app
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12 AS build
    RUN pip install --target /deps -r requirements.txt
    FROM gcr.io/distroless/python3-debian12
    COPY --from=build /deps /deps
    ```

    ## Fix safety
    No automatic fix.
    """

    tools = (
        "apt",
        "apt-get",
        "dpkg",
        "apk",
        "yum",
        "dnf",
        "microdnf",
        "rpm",
        "zypper",
        "pip",
        "pip3",
        "npm",
        "yarn",
        "pnpm",
        "gem",
    )
    noun = "a package manager"
    meta = RuleMeta(
        id="IMG017",
        name="package-manager-in-image",
        title="A package manager is present in the image",
        severity=Severity.LOW,
        targets=IMAGE,
        remediation="Install dependencies in a build stage and copy only the results.",
        references=_MINIMAL_REFS,
        tags=("minimality",),
    )


class CompilerPresent(_ToolsPresent):
    """## What it does
    Reports compilers and build toolchains (`gcc`, `cc`, `g++`, `clang`, `go`, `rustc`, `javac`,
    `make`) in the final image.

    ## Why is this bad?
    A compiler in a runtime image lets an intruder build exploits in place, and adds a large
    attack surface and vulnerability count for no runtime benefit.

    ## Example
    ```dockerfile
    FROM golang:1.23
    COPY . /src
    RUN go build -o /app /src
    ```

    Use instead:
    ```dockerfile
    FROM golang:1.23 AS build
    COPY . /src
    RUN CGO_ENABLED=0 go build -o /app /src
    FROM gcr.io/distroless/static-debian12
    COPY --from=build /app /app
    ```

    ## Fix safety
    No automatic fix.
    """

    tools = ("gcc", "cc", "g++", "c++", "clang", "tcc", "go", "rustc", "cargo", "javac", "make")
    noun = "a compiler or build tool"
    meta = RuleMeta(
        id="IMG018",
        name="compiler-in-image",
        title="A compiler or build toolchain is present in the image",
        severity=Severity.MEDIUM,
        targets=IMAGE,
        remediation="Build in a separate stage; ship only the artefacts.",
        references=_MINIMAL_REFS,
        tags=("minimality",),
    )


class DownloaderPresent(_ToolsPresent):
    """## What it does
    Reports `curl` and `wget` in the final image.

    ## Why is this bad?
    Download tools are how an intruder fetches a second-stage payload; runtime images rarely need
    them (a health check can use the application's own binary).

    ## Example
    ```dockerfile
    FROM debian:12-slim
    RUN apt-get update && apt-get install -y curl && curl -fsSLo /app https://example.com/app
    ```

    Use instead:
    ```dockerfile
    FROM debian:12-slim AS fetch
    RUN apt-get update && apt-get install -y curl && curl -fsSLo /app https://example.com/app
    FROM gcr.io/distroless/base-debian12
    COPY --from=fetch /app /app
    ```

    ## Fix safety
    No automatic fix.
    """

    tools = ("curl", "wget")
    noun = "a download tool"
    meta = RuleMeta(
        id="IMG019",
        name="downloader-in-image",
        title="curl or wget is present in the image",
        severity=Severity.LOW,
        targets=IMAGE,
        remediation="Download in a build stage; do not ship curl/wget in the runtime image.",
        references=_MINIMAL_REFS,
        tags=("minimality",),
    )


class PackageCount(Rule[Image]):
    """## What it does
    Reports how many packages the image contains, per ecosystem (informational), and raises the
    severity to LOW when the number of OS packages exceeds the `max-os-packages` option (default
    0: never). For scale: a full `node` image has about 900 OS packages, `node:alpine` about 30.

    ## Why is this bad?
    Every package is attack surface and a source of vulnerability reports; the count makes image
    bloat visible and comparable over time.

    ## Example
    ```dockerfile
    FROM node:22
    ```

    Use instead:
    ```dockerfile
    FROM node:22-alpine
    ```

    ## Fix safety
    Informational; no fix.
    """

    meta = RuleMeta(
        id="IMG020",
        name="image-package-count",
        title="Number of packages in the image",
        severity=Severity.INFO,
        targets=IMAGE,
        remediation="Use a smaller base image and multi-stage builds.",
        references=(
            CIS_DOCKER.control("4.3", "Ensure that unnecessary packages are not installed"),
        ),
        options=(
            Option("max-os-packages", 0, "Report at LOW severity above this many OS packages."),
        ),
        tags=("minimality",),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        packages = image.inventory.packages
        if not packages:
            return
        os_count = len(image.inventory.os_packages)
        per = Counter(p.ecosystem for p in packages)
        detail = ", ".join(f"{count} {eco}" for eco, count in sorted(per.items()))
        limit = int(ctx.option(self, "max-os-packages") or 0)
        severity = Severity.LOW if limit and os_count > limit else None
        yield ctx.finding(
            self,
            f"{_count(len(packages), 'package')} ({os_count} from the OS package manager): "
            f"{detail}",
            pointer="/inventory/packages",
            severity=severity,
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
