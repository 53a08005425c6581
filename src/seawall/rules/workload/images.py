"""Rules about the image reference a container runs."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.model.finding import Finding, Severity
from seawall.rules._base import CIS_DOCKER, CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.workload._common import report
from seawall.workload import Workload

_WORKLOAD = frozenset({TargetKind.WORKLOAD})


def split_reference(ref: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of an image reference; tag/digest None when absent."""
    name, _at, digest = ref.partition("@")
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest or None


class ImageNotVersioned(Rule[Workload]):
    """## What it does
    Reports an image without a tag (which means `latest`) or with the `latest` tag, unless it is
    pinned by digest. Services that build their own image are not reported.

    ## Why is this bad?
    `latest` changes under you: two hosts run different code, a rollback has nothing to go back
    to, and a compromised upstream tag is pulled on the next restart.

    ## Example
    ```yaml
    services:
      cache:
        image: redis
    ```

    Use instead:
    ```yaml
    services:
      cache:
        image: redis:7.4.1
    ```

    ## Fix safety
    No automatic fix: the version in use must be chosen.
    """

    meta = RuleMeta(
        id="CR025",
        name="image-not-versioned",
        title="Image is untagged or uses latest",
        severity=Severity.MEDIUM,
        targets=_WORKLOAD,
        remediation="Use an explicit version tag, ideally with its digest.",
        references=(
            CIS_DOCKER.control(
                "5.28",
                "Ensure that Docker commands always make use of the latest version of their image",
            ),
            NIST_800_190.control("4.2.2", "Stale images in registries"),
            CWE.control("CWE-1357", "Reliance on Insufficiently Trustworthy Component"),
        ),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        ref = model.image.value
        if not ref or model.image_built:
            return
        _name, tag, digest = split_reference(ref.strip())
        if digest:
            return
        if tag is None:
            yield report(self, ctx, model, model.image, f"image {ref!r} has no tag", "image")
        elif tag == "latest":
            yield report(self, ctx, model, model.image, f"image {ref!r} uses latest", "image")


class ImageNotPinned(Rule[Workload]):
    """## What it does
    Reports an image pulled by tag without a digest (`@sha256:...`). Services that build their own
    image are not reported.

    ## Why is this bad?
    Tags are mutable: the registry (or whoever compromised it) can move `postgres:16` to different
    content. A digest is the content's hash and can only mean one image.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16.4
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16.4@sha256:3c7a4e1fbd0aba30c0d5e2d94ae4bdc1f8b4b4c6e4e1f3c0c1b5a3d2e1f0a9b8
    ```

    ## Fix safety
    `seawall harden` can resolve the digest from a registry; it is not done offline.
    """

    meta = RuleMeta(
        id="CR026",
        name="image-not-pinned",
        title="Image is not pinned by digest",
        severity=Severity.LOW,
        targets=_WORKLOAD,
        remediation="Append the image digest: `name:tag@sha256:<digest>`.",
        references=(
            NIST_800_190.control("4.2.2", "Stale images in registries"),
            CWE.control("CWE-494", "Download of Code Without Integrity Check"),
        ),
    )

    def check(self, model: Workload, ctx: Context) -> Iterator[Finding]:
        ref = model.image.value
        if not ref or model.image_built:
            return
        _name, tag, digest = split_reference(ref.strip())
        if digest is None and tag not in (None, "latest"):
            yield report(
                self, ctx, model, model.image, f"image {ref!r} is not pinned by digest", "digest"
            )


RULES = (ImageNotVersioned(), ImageNotPinned())
