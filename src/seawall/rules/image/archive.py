"""IMG rule: layer archives with entries a normal build never produces."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.image.model import Image
from seawall.model.finding import Finding, Severity
from seawall.rules._base import CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.image._common import file_pointer

_SERIOUS = {"absolute-path", "path-traversal", "link-escapes-root"}


class SuspiciousLayerEntry(Rule[Image]):
    """## What it does
    Reports layer tar entries that a normal image build does not produce: absolute member names,
    `..` components, symlinks whose relative target climbs above the root, device nodes, hard
    links to files missing from the layer, and unknown entry types. seawall reads such entries as
    data (chroot semantics) and never writes them to disk.

    ## Why is this bad?
    These are the building blocks of archive path-traversal attacks (CWE-22) against tools that
    extract layers naïvely, and a sign the image was crafted or tampered with.

    ## Example
    ```dockerfile
    # a layer tar containing "../../etc/cron.d/evil" or a device node /dev/sda
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    COPY app /app
    ```

    ## Fix safety
    No automatic fix: find out where the layer came from.
    """

    meta = RuleMeta(
        id="IMG022",
        name="suspicious-layer-entry",
        title="A layer contains a suspicious archive entry",
        severity=Severity.MEDIUM,
        targets=frozenset({TargetKind.IMAGE}),
        remediation="Rebuild the image from a trusted Dockerfile; do not use the tampered layer.",
        references=(
            NIST_800_190.control("4.1.3", "Embedded malware"),
            CWE.control("CWE-22", "Path Traversal"),
        ),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        for anomaly in image.fs.anomalies:
            severity = Severity.HIGH if anomaly.kind in _SERIOUS else None
            path = anomaly.name.lstrip("/")
            yield ctx.finding(
                self,
                f"Layer {anomaly.layer}: {anomaly.kind} entry {anomaly.name!r} ({anomaly.detail})",
                pointer=file_pointer(anomaly.layer, path),
                severity=severity,
            )
