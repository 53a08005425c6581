"""Inventory: OS detection, dpkg, apk, Python, npm, Go build info, purls, layer credit, licences."""

from __future__ import annotations

import json
from pathlib import Path

from seawall.image.gobuildinfo import MAGIC, GoBuildInfo, parse_blob, scan
from seawall.image.load import load_image

DPKG_STATUS = """\
Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: purged
Status: purge ok not-installed
Version: 2.0
"""

APK_DB = """\
C:Q1abc=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
L:MIT
o:musl

P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl
"""


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def go_binary(go_version: str = "go1.22.4", main: str = "example.com/app") -> bytes:
    """A synthetic ELF blob with a Go >= 1.18 inline build-info section at a 16-byte boundary."""
    modinfo = (
        f"path\t{main}\nmod\t{main}\tv1.2.3\th1:abc=\n"
        "dep\tgolang.org/x/net\tv0.20.0\th1:def=\n"
        "dep\tgithub.com/old/lib\tv1.0.0\n=>\tgithub.com/new/lib\tv1.1.0\th1:ghi=\n"
        "build\t-compiler=gc\n"
    )
    sentinel = b"0123456789abcdef"
    mod = sentinel + modinfo.encode() + b"\n"[:0] + sentinel
    header = MAGIC + bytes([8, 2]) + b"\0" * 16
    blob = header + _uvarint(len(go_version)) + go_version.encode() + _uvarint(len(mod)) + mod
    prefix = b"\x7fELF" + b"\0" * (4096 - 4) + b"\xff Go buildinf:" + b"\0" * 2  # unaligned decoy
    prefix += b"\0" * ((-len(prefix)) % 16)
    return prefix + blob + b"\0" * 100


def test_go_buildinfo_parse_and_stream_scan() -> None:
    import io

    data = go_binary()
    stream = io.BytesIO(data)
    head = stream.read(4)
    info = scan(stream, head, 1 << 20)
    assert isinstance(info, GoBuildInfo)
    assert info.go_version == "go1.22.4"
    assert info.main is not None and info.main.path == "example.com/app"
    deps = {(d.path, d.version) for d in info.deps}
    assert deps == {("golang.org/x/net", "v0.20.0"), ("github.com/new/lib", "v1.1.0")}
    assert parse_blob(MAGIC + bytes([8, 0]) + b"\0" * 40) is None  # pointer format: skipped
    assert scan(io.BytesIO(b"\x7fELF" + b"\0" * 10000), b"", 1024) is None


def test_full_inventory(kit, tmp_path: Path) -> None:
    spec = kit.spec(
        layers=[
            [
                kit.file(
                    "usr/lib/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
                ),
                kit.symlink("etc/os-release", "../usr/lib/os-release"),
                kit.file("var/lib/dpkg/status", DPKG_STATUS),
                kit.file(
                    "usr/share/doc/bash/copyright",
                    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                    "Files: *\nCopyright: FSF\nLicense: GPL-3+\n",
                ),
            ],
            [
                kit.file(
                    "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
                    "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n",
                ),
                kit.file(
                    "usr/local/lib/python3.11/site-packages/Old_Pkg.egg-info",
                    "Metadata-Version: 1.0\nName: Old_Pkg\nVersion: 0.1\n",
                ),
                kit.file(
                    "app/node_modules/lodash/package.json",
                    json.dumps({"name": "lodash", "version": "4.17.21", "license": "MIT"}),
                ),
                kit.file(
                    "app/node_modules/@babel/core/package.json",
                    json.dumps({"name": "@babel/core", "version": "7.24.0"}),
                ),
                kit.file(  # bundler hint file below a package root: not a package
                    "app/node_modules/rxjs/ajax/package.json",
                    json.dumps({"name": "rxjs/ajax", "version": "0.0.0"}),
                ),
                kit.file("app/node_modules/broken/package.json", "{not json"),
                kit.file("usr/local/bin/app", go_binary(), mode=0o755),
            ],
        ]
    )
    image = load_image(str(kit.docker_save(spec, tmp_path / "img.tar")))
    inv = image.inventory
    assert inv.os is not None and inv.os.ecosystem == "Debian:12" and inv.os.codename == "bookworm"
    got = {(p.ecosystem, p.name, p.version) for p in inv.packages}
    assert got == {
        ("Debian:12", "bash", "5.2.15-2+b2"),
        ("Debian:12", "libc6", "2.36-9+deb12u4"),
        ("PyPI", "requests", "2.31.0"),
        ("PyPI", "Old_Pkg", "0.1"),
        ("npm", "lodash", "4.17.21"),
        ("npm", "@babel/core", "7.24.0"),
        ("Go", "stdlib", "go1.22.4"),
        ("Go", "example.com/app", "v1.2.3"),
        ("Go", "golang.org/x/net", "v0.20.0"),
        ("Go", "github.com/new/lib", "v1.1.0"),
    }
    by_name = {p.name: p for p in inv.packages}
    bash = by_name["bash"]
    assert (bash.source_name, bash.source_version) == ("bash", "5.2.15-2")
    assert bash.purl == "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"
    assert bash.licenses == ("GPL-3+",)
    assert bash.layer == image.layers[0].diff_id
    libc = by_name["libc6"]
    assert (libc.source_name, libc.source_version) == ("glibc", "2.36-9+deb12u4")
    assert "upstream=glibc" in libc.purl
    assert by_name["requests"].licenses == ("Apache 2.0",)
    assert by_name["requests"].layer == image.layers[1].diff_id
    assert by_name["Old_Pkg"].purl == "pkg:pypi/old-pkg@0.1"
    assert by_name["@babel/core"].purl == "pkg:npm/%40babel/core@7.24.0"
    assert by_name["lodash"].licenses == ("MIT",)
    assert by_name["stdlib"].purl == "pkg:golang/stdlib@1.22.4"
    assert by_name["golang.org/x/net"].path == "/usr/local/bin/app"


def test_apk_and_distroless(kit, tmp_path: Path) -> None:
    alpine = kit.spec(
        layers=[
            [kit.file("etc/alpine-release", "3.19.1\n"), kit.file("lib/apk/db/installed", APK_DB)]
        ]
    )
    inv = load_image(str(kit.docker_save(alpine, tmp_path / "a.tar"))).inventory
    assert inv.os.ecosystem == "Alpine:v3.19"
    crypto = next(p for p in inv.packages if p.name == "libcrypto3")
    assert (crypto.source_name, crypto.ecosystem, crypto.licenses) == (
        "openssl",
        "Alpine:v3.19",
        ("Apache-2.0",),
    )
    assert crypto.purl.startswith("pkg:apk/alpine/libcrypto3@3.1.4-r5?")

    distroless = kit.spec(
        layers=[
            [
                kit.file("etc/os-release", "ID=debian\nVERSION_ID=12\n"),
                kit.directory("var/lib/dpkg/status.d"),
                kit.file(
                    "var/lib/dpkg/status.d/base-files",
                    "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n",
                ),
                kit.file("var/lib/dpkg/status.d/base-files.md5sums", "abc  etc/issue\n"),
                kit.file(
                    "var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a-0+deb12u1\n"
                ),
            ]
        ]
    )
    inv = load_image(str(kit.docker_save(distroless, tmp_path / "d.tar"))).inventory
    assert inv.os.distroless
    assert sorted(p.name for p in inv.packages) == ["base-files", "tzdata"]


def test_layer_credit_uses_first_layer_with_same_version(kit, tmp_path: Path) -> None:
    first = "Package: a\nVersion: 1\n\nPackage: b\nVersion: 1\n"
    second = first + "\nPackage: c\nVersion: 3\n"
    third = "Package: a\nVersion: 2\n\nPackage: b\nVersion: 1\n\nPackage: c\nVersion: 3\n"
    spec = kit.spec(
        layers=[
            [kit.file("var/lib/dpkg/status", first)],
            [kit.file("var/lib/dpkg/status", second)],
            [kit.file("var/lib/dpkg/status", third)],
        ]
    )
    image = load_image(str(kit.docker_save(spec, tmp_path / "i.tar")))
    layer = {
        p.name: image.layers.index(
            next(layer for layer in image.layers if layer.diff_id == p.layer)
        )
        for p in image.inventory.packages
    }
    assert layer == {"a": 2, "b": 0, "c": 1}


def test_whiteout_and_opaque_remove_packages(kit, tmp_path: Path) -> None:
    spec = kit.spec(
        layers=[
            [
                kit.file("site/Django-3.2.0.dist-info/METADATA", "Name: Django\nVersion: 3.2.0\n"),
                kit.file(
                    "app/node_modules/lodash/package.json", '{"name":"lodash","version":"1.0.0"}'
                ),
            ],
            [
                kit.whiteout("site/Django-3.2.0.dist-info"),
                kit.directory("app/node_modules"),
                kit.opaque("app/node_modules"),
                kit.file(
                    "app/node_modules/minimist/package.json",
                    '{"name":"minimist","version":"1.2.8"}',
                ),
            ],
        ]
    )
    inv = load_image(str(kit.docker_save(spec, tmp_path / "i.tar"))).inventory
    assert [p.name for p in inv.packages] == ["minimist"]
