"""Rules about the base images a Dockerfile builds FROM: tags, digests, minimal variants."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, ImageRef
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
from seawall.rules.dockerfile._security_util import (
    copy_from_images,
    external_base,
    is_dev_container,
    resolved_base,
    shipped_root,
)
from seawall.rules.dockerfile._util import image_ref, shipped_stage_indices

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_DOCKER_HUB = frozenset({None, "docker.io", "index.docker.io", "registry-1.docker.io"})


def _family(ref: ImageRef) -> str:
    """``python`` for Docker Hub official images, ``registry/repo`` otherwise."""
    if ref.registry in _DOCKER_HUB:
        return ref.name
    return f"{ref.registry}/{ref.repository}"


def _floating_tag_message(what: str, image: str) -> str | None:
    """Why an image reference floats (no tag or `latest`), or None when it is pinned."""
    ref = image_ref(image)
    if ref.digest:
        return None
    if ref.tag is None:
        return f"{what} {image!r} has no tag: it means `latest` and changes without notice"
    if ref.tag.lower() == "latest":
        return f"{what} {image!r} uses the `latest` tag: it changes without notice"
    return None


class BaseImageUnpinnedTag(Rule[Dockerfile]):
    """## What it does
    Reports a shipped image whose base image has no tag or the `latest` tag (after substituting
    `ARG` defaults such as `${PYTHON_VERSION:-3.12}`), and `COPY --from=<image>` of such an image
    in the stages that ship. Builder stages that do not ship, stage references and `scratch` are
    not reported; a digest (`@sha256:…`) pins the image whatever the tag says.

    ## Why is this bad?
    `latest` and an absent tag move: the same Dockerfile builds a different operating system or
    runtime tomorrow, so builds are not reproducible, a rebuild can silently pull in breaking or
    vulnerable changes, and you cannot tell which base a running image came from.

    ## Example
    ```dockerfile
    FROM node:latest
    USER node
    CMD ["node", "server.js"]
    ```

    Use instead:
    ```dockerfile
    FROM node:22.11-bookworm-slim
    USER node
    CMD ["node", "server.js"]
    ```

    ## Fix safety
    No automatic fix: choosing a version is a decision for the author.
    """

    meta = RuleMeta(
        id="DF002",
        name="base-image-unpinned-tag",
        title="The shipped base image has no tag or uses `latest`",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Name an explicit version tag (and ideally a digest) for the base image.",
        references=(
            CIS_DOCKER.control("4.2", "Ensure that containers use only trusted base images"),
            NIST_800_190.control("4.1.1"),
            CWE.control("CWE-1357", "Reliance on Insufficiently Trustworthy Component"),
        ),
        aliases=(
            "DL3006",
            "DL3007",
            "DS-0001",
            "AVD-DS-0001",
            "DS001",
            "CKV_DOCKER_7",
            "image_version_not_explicit",
            "image_version_using_latest",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        root = shipped_root(df)
        if root is None:
            return
        if not external_base(df, root):
            root = None
        base = resolved_base(df, root) if root is not None else None
        message = _floating_tag_message("base image", base) if base else None
        if message is not None and root is not None:
            yield ctx.finding(self, message, span=root.base_span, anchor=f"from:{base}")
        shipped = shipped_stage_indices(df)
        for stage, flag, image in copy_from_images(df):
            if stage.index in shipped:
                message = _floating_tag_message("COPY --from image", image)
                if message is not None:
                    yield ctx.finding(self, message, span=flag.span, anchor=f"copy-from:{image}")


class BaseImageNotPinnedByDigest(Rule[Dockerfile]):
    """## What it does
    Reports every `FROM` of an external image that is not pinned by digest (`image:tag@sha256:…`),
    in every stage (what a builder stage compiles ends up in the shipped image too), and every
    `COPY --from=<image>` of an external image. Stage references, `scratch` and bases that stay
    unknown after `ARG` substitution are not reported.

    ## Why is this bad?
    A tag is a mutable pointer: the registry (or anyone who controls it) can move `python:3.12` to
    different content. A digest names exact bytes, so the build is reproducible and a compromised
    or re-pushed tag cannot change what you ship. Tools such as Renovate or Dependabot keep digests
    current.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim@sha256:2f7a4c3b8e1d5f6a9b0c7e2d4f8a1b3c5e7d9f0a2b4c6d8e0f1a3b5c7d9e1f2a
    ```

    ## Fix safety
    With `seawall check --resolve-digests` (or the option `resolve-digests = true`) the digest the
    tag points at is looked up in the registry (OCI distribution API, `HEAD` of the manifest) or,
    failing that, in the local Docker daemon (`RepoDigests`), and appended:
    `FROM image:tag@sha256:…`. A registry answer is what a build pulls now, so that fix is safe; a
    daemon's copy may be older than the tag, so that fix is unsafe. Without the option (it needs
    the network), or when the reference contains build variables or cannot be resolved, a
    suggestion is shown.
    """

    meta = RuleMeta(
        id="DF003",
        name="base-image-not-pinned-by-digest",
        title="A base image is not pinned by digest",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Append the digest: `FROM image:tag@sha256:<digest>`; let a bot update it.",
        references=(
            CIS_DOCKER.control("4.2", "Ensure that containers use only trusted base images"),
            NIST_800_190.control("4.1.5"),
            CWE.control("CWE-1357", "Reliance on Insufficiently Trustworthy Component"),
        ),
        fix=FixAvailability.SOMETIMES,
        options=(
            Option("shipped-only", False, "Only report the base image of the stage that ships."),
            Option(
                "ignore-images", [], "Base images (glob on the resolved reference) not to report."
            ),
            Option(
                "resolve-digests",
                False,
                "Look digests up for the fix (registry, then local daemon; needs the network),"
                " as `check --resolve-digests` does.",
            ),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        shipped_only = bool(ctx.option(self, "shipped-only"))
        ignored = list(ctx.option(self, "ignore-images"))
        shipped = shipped_stage_indices(df)
        for stage in df.stages:
            if shipped_only and stage.index not in shipped:
                continue
            if not external_base(df, stage):
                continue
            base = resolved_base(df, stage)
            if base is None or image_ref(base).digest:
                continue
            if any(fnmatch.fnmatch(base, pattern) for pattern in ignored):
                continue
            yield ctx.finding(
                self,
                f"base image {base!r} is not pinned by digest",
                span=stage.base_span,
                fix=_digest_fix(ctx, base, stage.base_span, _source_text(df, stage.base_span)),
                anchor=f"from:{stage.index}:{base}",
            )
        for stage, flag, image in copy_from_images(df):
            if shipped_only and stage.index not in shipped:
                continue
            if image_ref(image).digest:
                continue
            if any(fnmatch.fnmatch(image, pattern) for pattern in ignored):
                continue
            yield ctx.finding(
                self,
                f"image {image!r} used by COPY --from is not pinned by digest",
                span=flag.span,
                fix=_digest_fix(
                    ctx, image, flag.span, _source_text(df, flag.span), prefix="--from="
                ),
                anchor=f"copy-from:{stage.index}:{image}",
            )


def _source_text(df: Dockerfile, span: Span) -> str:
    return df.source.text[span.start : span.end]


def _digest_fix(ctx: Context, image: str, span: Span, written: str, prefix: str = "") -> Fix:
    """Pin ``image`` (written as ``written`` at ``span``) by digest when the digest is known.

    The resolver (``ctx.extra["digest_resolver"]``) is present only when the user asked for
    network look-ups; without it, or when the text holds build variables, only a suggestion.
    """
    resolver = ctx.extra.get("digest_resolver")
    how = "run `seawall check --resolve-digests --fix` or `docker buildx imagetools inspect`"
    if written != prefix + image:
        return Fix.display_only(
            f"Pin by digest ({how}); the reference uses build variables, pin it by hand",
            Edit.insert(span.end, "@sha256:<digest>"),
        )
    if resolver is None:
        return Fix.display_only(f"Pin by digest ({how})", Edit.insert(span.end, "@sha256:<digest>"))
    resolution = resolver(image)
    if resolution.digest is None:
        return Fix.display_only(
            f"Pin by digest (not resolved: {resolution.reason})",
            Edit.insert(span.end, "@sha256:<digest>"),
        )
    edit = Edit.insert(span.end, f"@{resolution.digest}")
    title = f"Pin {image} by digest ({resolution.source})"
    return Fix.safe(title, edit) if resolution.source == "registry" else Fix.unsafe(title, edit)


# Image family -> (tag markers of minimal variants, what to use instead). An empty marker tuple
# means every variant carries a full toolchain: ship a runtime image from a multi-stage build.
MINIMAL_VARIANTS: dict[str, tuple[tuple[str, ...], str]] = {
    "ubuntu": ((), "`debian:<release>-slim`, a distroless or a chiseled Ubuntu image"),
    "debian": (("slim",), "`debian:<release>-slim` or `gcr.io/distroless/base-debian12`"),
    "centos": ((), "`registry.access.redhat.com/ubi9/ubi-minimal` or `ubi-micro`"),
    "fedora": (("minimal",), "`fedora-minimal` or `ubi9/ubi-minimal`"),
    "rockylinux": (("minimal",), "`rockylinux:<version>-minimal`"),
    "almalinux": (("minimal", "micro"), "`almalinux:<version>-minimal` or `-micro`"),
    "oraclelinux": (("slim",), "`oraclelinux:<version>-slim`"),
    "amazonlinux": (("minimal",), "`amazonlinux:<version>-minimal`"),
    "buildpack-deps": ((), "`debian:<release>-slim` with only the packages the app needs"),
    "python": (("slim", "alpine"), "`python:<version>-slim`, `-alpine` or distroless Python"),
    "node": (("slim", "alpine"), "`node:<version>-slim`, `-alpine` or distroless Node.js"),
    "ruby": (("slim", "alpine"), "`ruby:<version>-slim` or `-alpine`"),
    "php": (("alpine",), "`php:<version>-fpm-alpine` or `-cli-alpine`"),
    "perl": (("slim",), "`perl:<version>-slim`"),
    "openjdk": (("slim", "alpine", "jre"), "a JRE image such as `eclipse-temurin:<version>-jre`"),
    "eclipse-temurin": (("jre",), "`eclipse-temurin:<version>-jre` (or `-jre-alpine`)"),
    "amazoncorretto": (("alpine", "headless"), "`amazoncorretto:<version>-alpine` or `-headless`"),
    "golang": ((), "a multi-stage build shipping `gcr.io/distroless/static` or `scratch`"),
    "rust": ((), "a multi-stage build shipping distroless (`cc`/`static`) or `debian:*-slim`"),
    "gcc": ((), "a multi-stage build shipping `debian:*-slim` or distroless `cc`"),
    "maven": ((), "a multi-stage build shipping a JRE image (`eclipse-temurin:<version>-jre`)"),
    "gradle": ((), "a multi-stage build shipping a JRE image (`eclipse-temurin:<version>-jre`)"),
    "elixir": (("slim", "alpine"), "a release on `debian:*-slim` or `alpine`"),
    "erlang": (("slim", "alpine"), "`erlang:<version>-slim` or `-alpine`"),
    "mcr.microsoft.com/dotnet/sdk": (
        (),
        "`mcr.microsoft.com/dotnet/aspnet` or `dotnet/runtime` (chiseled)",
    ),
}


class NonMinimalBaseImage(Rule[Dockerfile]):
    """## What it does
    Reports a shipped stage built on a full distribution or full language image when a smaller
    variant exists: `python:3.12` instead of `python:3.12-slim`, `node:20` instead of
    `node:20-alpine`, `ubuntu:22.04`, `debian:bookworm`, or a compiler image such as `golang:1.22`
    or `maven` shipped as is. Builder stages are not reported: a full image is the right tool to
    build in. Development containers (`.devcontainer/`) are not reported either.
    Option `allowed-bases` accepts images (globs) on purpose.

    ## Why is this bad?
    Every package in the image is attack surface and vulnerability-scanner noise: full images carry
    compilers, shells, package managers and hundreds of libraries the application never uses
    (CIS Docker 4.3). Slim, Alpine, distroless and Chainguard variants cut the known
    vulnerabilities of an image by an order of magnitude.

    ## Example
    ```dockerfile
    FROM python:3.12
    COPY app.py /app/app.py
    CMD ["python", "/app/app.py"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/app.py
    CMD ["python", "/app/app.py"]
    ```

    ## Fix safety
    No automatic fix: a smaller image may lack libraries the application needs at run time.
    """

    meta = RuleMeta(
        id="DF004",
        name="non-minimal-base-image",
        title="The shipped stage uses a full base image where a minimal variant exists",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Ship a slim, Alpine, distroless or Chainguard variant; build elsewhere.",
        references=(
            CIS_DOCKER.control(
                "4.3", "Ensure that unnecessary packages are not installed in the container"
            ),
            NIST_800_190.control("4.1.1"),
            CWE.control("CWE-1104", "Use of Unmaintained Third Party Components"),
        ),
        options=(
            Option(
                "allowed-bases",
                [],
                "Full base images (glob on the resolved reference) accepted on purpose.",
            ),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        root = shipped_root(df)
        if root is None or not external_base(df, root) or is_dev_container(df, ctx.target):
            return
        base = resolved_base(df, root)
        if base is None:
            return
        if any(fnmatch.fnmatch(base, pattern) for pattern in ctx.option(self, "allowed-bases")):
            return
        ref = image_ref(base)
        entry = MINIMAL_VARIANTS.get(_family(ref))
        if entry is None:
            return
        markers, instead = entry
        tag = (ref.tag or "latest").lower()
        if any(marker in tag for marker in markers):
            return
        kind = "toolchain" if not markers and _family(ref) not in _DISTROS else "full"
        yield ctx.finding(
            self,
            f"shipped base image {base!r} is a {kind} image; consider {instead}",
            span=root.base_span,
            anchor=f"from:{base}",
        )


_DISTROS = frozenset({"ubuntu", "centos", "buildpack-deps"})
