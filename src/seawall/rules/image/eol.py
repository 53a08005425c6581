"""IMG rule: the base OS release is past its end of life (dated table below)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from seawall.image.model import Image
from seawall.model.finding import Finding, Severity
from seawall.rules._base import CWE, NIST_800_190, Context, Rule, RuleMeta, TargetKind
from seawall.rules.image._common import file_pointer

# End of security support, including the distribution's own LTS programme (Debian LTS, Ubuntu
# standard support). Sources: wiki.debian.org/LTS, alpinelinux.org/releases,
# ubuntu.com/about/release-cycle. Table as of 2026-11; releases not listed are not judged.
END_OF_LIFE: dict[tuple[str, str], dt.date] = {
    ("debian", "7"): dt.date(2018, 5, 31),
    ("debian", "8"): dt.date(2020, 6, 30),
    ("debian", "9"): dt.date(2022, 6, 30),
    ("debian", "10"): dt.date(2024, 6, 30),
    ("debian", "11"): dt.date(2026, 8, 31),
    ("debian", "12"): dt.date(2028, 6, 30),
    ("alpine", "3.12"): dt.date(2022, 5, 1),
    ("alpine", "3.13"): dt.date(2022, 11, 1),
    ("alpine", "3.14"): dt.date(2023, 5, 1),
    ("alpine", "3.15"): dt.date(2023, 11, 1),
    ("alpine", "3.16"): dt.date(2024, 5, 23),
    ("alpine", "3.17"): dt.date(2024, 11, 22),
    ("alpine", "3.18"): dt.date(2025, 5, 9),
    ("alpine", "3.19"): dt.date(2025, 11, 1),
    ("alpine", "3.20"): dt.date(2026, 4, 1),
    ("alpine", "3.21"): dt.date(2026, 11, 1),
    ("alpine", "3.22"): dt.date(2027, 5, 1),
    ("ubuntu", "16.04"): dt.date(2021, 4, 30),
    ("ubuntu", "18.04"): dt.date(2023, 5, 31),
    ("ubuntu", "20.04"): dt.date(2025, 5, 31),
    ("ubuntu", "22.04"): dt.date(2027, 6, 1),
    ("ubuntu", "24.04"): dt.date(2029, 5, 31),
}


def release_key(os_id: str, version_id: str | None) -> tuple[str, str] | None:
    """The table key for a release: Debian major, Alpine major.minor, Ubuntu as is."""
    if not version_id:
        return None
    if os_id == "debian":
        return (os_id, version_id.split(".")[0])
    if os_id == "alpine":
        return (os_id, ".".join(version_id.split(".")[:2]))
    return (os_id, version_id)


class EndOfLifeOS(Rule[Image]):
    """## What it does
    Reports an image whose distribution release (from `/etc/os-release`) is past the end of its
    security support, according to a dated table shipped with seawall (Debian including LTS,
    Alpine, Ubuntu standard support). Releases not in the table are not judged.

    ## Why is this bad?
    An end-of-life release gets no security updates: every vulnerability found from then on stays
    open, and scanners that rely on distribution advisories go silent about it.

    ## Example
    ```dockerfile
    FROM debian:10
    ```

    Use instead:
    ```dockerfile
    FROM debian:12
    ```

    ## Fix safety
    No automatic fix: rebase the image on a supported release.
    """

    meta = RuleMeta(
        id="IMG021",
        name="end-of-life-os",
        title="The image's OS release is end-of-life",
        severity=Severity.HIGH,
        targets=frozenset({TargetKind.IMAGE}),
        remediation="Rebuild on a supported release of the distribution.",
        references=(
            NIST_800_190.control("4.1.1", "Image vulnerabilities"),
            CWE.control("CWE-1104", "Use of Unmaintained Third Party Components"),
        ),
    )

    def check(self, image: Image, ctx: Context) -> Iterator[Finding]:
        os_info = image.inventory.os
        if os_info is None:
            return
        key = release_key(os_info.id, os_info.version_id)
        end = END_OF_LIFE.get(key) if key else None
        if end is None:
            return
        today = ctx.extra.get("today") or dt.date.today()
        if today > end:
            name = os_info.pretty_name or f"{os_info.id} {os_info.version_id}"
            path = image.fs.resolve("etc/os-release") or "etc/os-release"
            entry = image.fs.get(path)
            layer = entry.layer if entry is not None else 0
            yield ctx.finding(
                self,
                f"{name} reached end of life on {end.isoformat()}",
                pointer=file_pointer(layer, path),
            )
