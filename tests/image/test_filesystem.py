"""Layer merge semantics: whiteouts, opaque directories, replacements, symlinks, provenance."""

from __future__ import annotations

from pathlib import Path

from seawall.image.filesystem import Kind, link_escapes_root, normalize
from seawall.image.load import load_image


def _load(kit, tmp_path: Path, layers, **config):
    spec = kit.spec(layers=layers, config=config)
    return load_image(str(kit.docker_save(spec, tmp_path / "image.tar")))


def test_whiteout_removes_path_and_subtree_and_keeps_removal(kit, tmp_path: Path) -> None:
    image = _load(
        kit,
        tmp_path,
        [
            [
                kit.file("a/keep", "1"),
                kit.file("a/secret/key", "k"),
                kit.file("a/secret/more", "m"),
            ],
            [kit.whiteout("a/secret")],
        ],
    )
    fs = image.fs
    assert fs.get("a/keep") is not None
    assert fs.get("a/secret/key") is None and fs.get("a/secret/more") is None
    removed = {(r.entry.path, r.entry.layer, r.removed_in, r.how) for r in fs.removed}
    assert ("a/secret/key", 0, 1, "whiteout") in removed
    assert ("a/secret/more", 0, 1, "whiteout") in removed


def test_opaque_directory_hides_lower_children_only(kit, tmp_path: Path) -> None:
    image = _load(
        kit,
        tmp_path,
        [
            [kit.directory("app"), kit.file("app/old.txt", "old"), kit.file("other.txt", "x")],
            [kit.directory("app"), kit.opaque("app"), kit.file("app/new.txt", "new")],
        ],
    )
    fs = image.fs
    assert fs.get("app/old.txt") is None
    assert fs.get("app/new.txt").layer == 1
    assert fs.get("other.txt").layer == 0
    assert [r.how for r in fs.removed if r.entry.path == "app/old.txt"] == ["opaque"]


def test_directory_replaced_by_file_and_file_by_directory(kit, tmp_path: Path) -> None:
    image = _load(
        kit,
        tmp_path,
        [
            [kit.file("d/inner", "x"), kit.file("f", "y")],
            [kit.file("d", "now a file"), kit.file("f/child", "f is a dir now")],
        ],
    )
    fs = image.fs
    assert fs.get("d").kind is Kind.FILE and fs.get("d/inner") is None
    assert fs.get("f") is None and fs.get("f/child").layer == 1
    hows = {(r.entry.path, r.how) for r in fs.removed}
    assert ("d/inner", "overwritten") in hows and ("f", "overwritten") in hows


def test_overwrite_keeps_layer_of_latest_version(kit, tmp_path: Path) -> None:
    image = _load(kit, tmp_path, [[kit.file("x", "1")], [kit.file("x", "2")], []])
    assert image.fs.get("x").layer == 1
    assert [(r.entry.layer, r.removed_in) for r in image.fs.removed] == [(0, 1)]


def test_symlink_resolution_is_chrooted_and_loops_stop(kit, tmp_path: Path) -> None:
    image = _load(
        kit,
        tmp_path,
        [
            [
                kit.file("usr/lib/os-release", "ID=debian\nVERSION_ID=12\n"),
                kit.symlink("etc/os-release", "../usr/lib/os-release"),
                kit.symlink("escape", "../../../../etc/passwd"),
                kit.symlink("loop1", "loop2"),
                kit.symlink("loop2", "loop1"),
                kit.symlink("bin", "usr/bin"),
                kit.file("usr/bin/sh", "", mode=0o755),
            ]
        ],
    )
    fs = image.fs
    assert fs.resolve("etc/os-release") == "usr/lib/os-release"
    assert fs.resolve("escape") == "etc/passwd"  # clamped at the image root, never the host's
    assert fs.resolve("loop1") is None
    assert fs.lookup("bin/sh").path == "usr/bin/sh"
    assert image.inventory.os.ecosystem == "Debian:12"


def test_normalize_and_escape_detection() -> None:
    assert normalize("./a/./b/../c") == ("a/c", False)
    assert normalize("/abs/path") == ("abs/path", False)
    assert normalize("../../x") == ("x", True)
    assert link_escapes_root("a/b", "../../../x")
    assert not link_escapes_root("a/b", "../c")
    assert not link_escapes_root("a/b", "/abs")


def test_modes_are_kept(kit, tmp_path: Path) -> None:
    image = _load(
        kit,
        tmp_path,
        [[kit.file("usr/bin/su", "", mode=0o4755), kit.directory("tmp", mode=0o1777)]],
    )
    assert image.fs.get("usr/bin/su").setuid
    tmp = image.fs.get("tmp")
    assert tmp.world_writable and tmp.sticky


def _normalize_by_parts(name: str) -> tuple[str, bool]:
    """The definition normalize's fast path must agree with: chroot semantics, part by part."""
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


def test_normalize_fast_path_agrees_on_every_short_name() -> None:
    import itertools

    pieces = ["a", ".", "..", "/", "b.c", ".x", "./", "../"]
    names = [
        "".join(combo)
        for length in range(1, 6)
        for combo in itertools.product(pieces, repeat=length)
    ]
    assert len(names) > 30_000
    for name in names:
        assert normalize(name) == _normalize_by_parts(name), name
