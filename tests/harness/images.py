"""Base images built from Debian packages and imported with ``docker import`` (no registry)."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from harness.daemon import ComponentUnavailable, DockerDaemon

BUSYBOX_TAG = "seawall-test/busybox:1"
DEBIAN_TAG = "seawall-test/debian:bookworm"
BUSYBOX_BINARY = Path("/bin/busybox")
APPLETS = tuple(
    [
        "sh",
        "ash",
        "sleep",
        "cat",
        "ls",
        "id",
        "echo",
        "true",
        "false",
        "env",
        "httpd",
        "wget",
        "nc",
        "mkdir",
        "touch",
        "chmod",
        "chown",
        "rm",
        "ps",
        "whoami",
        "date",
        "grep",
        "head",
        "tail",
        "find",
        "stat",
        "hostname",
        "kill",
        "mount",
        "uname",
        "printf",
        "test",
        "[",
        "sed",
        "wc",
        "ln",
        "cp",
        "mv",
        "tee",
        "top",
        "nslookup",
        "ip",
        "ifconfig",
        "netstat",
        "vi",
        "xargs",
        "yes",
        "pwd",
        "su",
        "dd",
        "df",
        "du",
        "tar",
        "gzip",
        "sort",
        "uniq",
        "cut",
        "tr",
        "od",
        "basename",
        "dirname",
        "readlink",
        "realpath",
        "seq",
        "timeout",
        "usleep",
        "watch",
        "which",
    ]
)
PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"


def cache_dir() -> Path:
    """Where slow-to-build artefacts are kept between runs (``$SEAWALL_TEST_CACHE`` overrides)."""
    override = os.environ.get("SEAWALL_TEST_CACHE")
    path = Path(override) if override else Path.home() / ".cache" / "seawall-test"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, so concurrent sessions build a cached artefact once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _has_image(daemon: DockerDaemon, tag: str) -> bool:
    return daemon.run_cli("image", "inspect", tag, check=False).returncode == 0


def busybox_rootfs_tar() -> bytes:
    """A tar of a minimal root filesystem: static busybox, applet links, passwd/group, /tmp."""
    if not BUSYBOX_BINARY.is_file():
        raise ComponentUnavailable("busybox-static is not installed (/bin/busybox missing)")
    probe = subprocess.run([str(BUSYBOX_BINARY)], capture_output=True, text=True, check=False)
    if "BusyBox" not in probe.stdout + probe.stderr:
        raise ComponentUnavailable("/bin/busybox is not a BusyBox binary")
    ldd = subprocess.run(["ldd", str(BUSYBOX_BINARY)], capture_output=True, text=True, check=False)
    if "not a dynamic executable" not in ldd.stdout + ldd.stderr:
        raise ComponentUnavailable("/bin/busybox is dynamically linked; install busybox-static")

    buffer = io.BytesIO()
    now = int(time.time())

    def add_dir(tar: tarfile.TarFile, name: str, mode: int = 0o755) -> None:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, now
        tar.addfile(info)

    def add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), mode, now
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("bin", "etc", "dev", "proc", "sys", "run", "var"):
            add_dir(tar, name)
        add_dir(tar, "tmp", 0o1777)
        add_dir(tar, "root", 0o700)
        add_file(tar, "bin/busybox", BUSYBOX_BINARY.read_bytes(), 0o755)
        for applet in APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname, link.mode, link.mtime = tarfile.SYMTYPE, "busybox", 0o777, now
            tar.addfile(link)
        add_file(tar, "etc/passwd", PASSWD.encode())
        add_file(tar, "etc/group", GROUP.encode())
    return buffer.getvalue()


def ensure_busybox_image(daemon: DockerDaemon, tag: str = BUSYBOX_TAG) -> str:
    """Import the busybox image into ``daemon`` unless it is already there; return its tag."""
    if _has_image(daemon, tag):
        return tag
    proc = daemon.run_cli(
        "import",
        "-c", "ENV PATH=/bin",
        "-c", 'CMD ["/bin/sh"]',
        "-m", "seawall test busybox",
        "-", tag,
        input=busybox_rootfs_tar(),
        check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ComponentUnavailable(f"docker import of busybox failed: {proc.stderr.strip()}")
    return tag


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (deb822 or one-line sources)."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        with contextlib.suppress(OSError):
            text = source.read_text()
            for match in re.finditer(r"(?m)^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text):
                uri = match.group(1).rstrip("/")
                if uri.endswith("/debian") and "security" not in uri:
                    return uri
    return "http://deb.debian.org/debian"


def debian_rootfs_tarball() -> Path:
    """A cached tarball of ``debootstrap --variant=minbase --include=python3 bookworm``."""
    target = cache_dir() / "debian-bookworm-minbase-python3.tar"
    with locked(cache_dir() / ".debian.lock"):
        if target.is_file() and target.stat().st_size > 0:
            return target
        if os.geteuid() != 0:
            raise ComponentUnavailable("debootstrap needs root")
        debootstrap = shutil.which("debootstrap")
        if debootstrap is None:
            raise ComponentUnavailable("debootstrap is not installed")
        work = Path(tempfile.mkdtemp(prefix="seawall-debootstrap-", dir=cache_dir()))
        try:
            rootfs = work / "rootfs"
            proc = subprocess.run(
                [debootstrap, "--variant=minbase", "--include=python3", "bookworm", str(rootfs),
                 debian_mirror()],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )  # fmt: skip
            if proc.returncode != 0:
                last = (proc.stdout + proc.stderr).strip().splitlines()[-1:]
                raise ComponentUnavailable(f"debootstrap failed: {last[0] if last else '?'}")
            partial = work / "rootfs.tar"
            subprocess.run(
                ["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."], check=True
            )
            os.replace(partial, target)  # atomic: a reader never sees half a tarball
        finally:
            subprocess.run(["rm", "-rf", "--one-file-system", str(work)], check=False)
    return target


def ensure_debian_image(daemon: DockerDaemon, tag: str = DEBIAN_TAG) -> str:
    """Import the cached Debian minbase rootfs into ``daemon`` unless present; return its tag."""
    if _has_image(daemon, tag):
        return tag
    tarball = debian_rootfs_tarball()
    proc = daemon.run_cli(
        "import", "-c", 'CMD ["/bin/bash"]', "-m", "seawall test debian", str(tarball), tag,
        check=False, timeout=600,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ComponentUnavailable(f"docker import of debian failed: {proc.stderr.strip()}")
    return tag
