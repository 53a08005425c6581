"""Benchmark the offline vulnerability database: import time, size, and matching speed.

Run from the repository root: ``python benchmarks/bench_vuln.py [--records N] [--packages N]``.

1. Imports the real OSV records of ``../shared/corpus/osv`` and reports time and size.
2. Generates N (default 100,000) OSV records shaped like real ones (Debian/Alpine source
   packages with DSA-style aliases and urgencies, PyPI/npm/Go with CVSS vectors, GHSA labels,
   version lists, several ranges) into an ``all.zip`` and imports it.
3. Matches an inventory of M (default 1,000) packages against that database, several times, and
   reports the best and median wall time (target: under 0.5 s for 1,000 packages); then the
   whole gate as ``seawall image --vulns`` runs it (open with freshness check, match, policy
   with a ledger, findings).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from seawall.model.package import Package  # noqa: E402
from seawall.vuln.db import VulnDB  # noqa: E402
from seawall.vuln.importer import import_paths  # noqa: E402
from seawall.vuln.match import match_packages  # noqa: E402
from seawall.vuln.scan import scan_with_settings  # noqa: E402
from seawall.vuln.settings import VulnSettings  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "osv"
ECOSYSTEMS = ("Debian:12", "Alpine:v3.19", "PyPI", "npm", "Go")
VECTORS = (
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
)


def version(eco: str, major: int, minor: int, patch: int) -> str:
    """A version string in the ecosystem's usual shape."""
    if eco.startswith("Debian"):
        return f"{major}.{minor}.{patch}-{1 + patch % 3}+deb12u{patch % 4}"
    if eco.startswith("Alpine"):
        return f"{major}.{minor}.{patch}-r{patch % 5}"
    return f"{major}.{minor}.{patch}"


def package_name(eco: str, index: int) -> str:
    """A package name in the ecosystem's usual shape."""
    if eco == "Go":
        return f"github.com/example{index % 97}/module{index}"
    return f"pkg{index}"


def generate(count: int, names_per_eco: int, seed: int = 6) -> bytes:
    """An OSV ``all.zip`` with ``count`` records."""
    rng = random.Random(seed)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(count):
            eco = ECOSYSTEMS[i % len(ECOSYSTEMS)]
            name = package_name(eco, rng.randrange(names_per_eco))
            cve = f"CVE-20{20 + i % 6}-{10000 + i}"
            fixed = version(eco, rng.randrange(1, 5), rng.randrange(10), rng.randrange(20))
            events = [{"introduced": "0"}, {"fixed": fixed}]
            if rng.random() < 0.2:
                events = [{"introduced": "0"}, {"fixed": "0.5.0"}, {"introduced": "1.0.0"}]
                events.append({"fixed": fixed})
            affected: dict[str, object] = {
                "package": {"ecosystem": eco, "name": name},
                "ranges": [{"type": "SEMVER" if eco == "Go" else "ECOSYSTEM", "events": events}],
            }
            rec: dict[str, object] = {
                "schema_version": "1.6.0",
                "id": f"GEN-{i:06d}",
                "modified": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
                "published": "2025-01-01T00:00:00Z",
                "summary": f"generated advisory {i} for {name}",
                "details": "A generated record used to measure import and matching speed. " * 4,
                "aliases": [cve],
                "affected": [affected],
                "references": [{"type": "ADVISORY", "url": f"https://example.org/{cve}"}],
            }
            if eco.startswith("Debian"):
                affected["ecosystem_specific"] = {"urgency": rng.choice(["low", "medium", "high"])}
            elif rng.random() < 0.7:
                rec["severity"] = [{"type": "CVSS_V3", "score": rng.choice(VECTORS[:3])}]
                rec["database_specific"] = {"severity": rng.choice(["LOW", "MODERATE", "HIGH"])}
            elif rng.random() < 0.5:
                rec["severity"] = [{"type": "CVSS_V4", "score": VECTORS[3]}]
            if eco == "PyPI" and rng.random() < 0.5:
                affected["versions"] = [f"0.{k}.0" for k in range(30)]
            zf.writestr(f"GEN-{i:06d}.json", json.dumps(rec))
    return buf.getvalue()


def inventory(count: int, names_per_eco: int, seed: int = 7) -> list[Package]:
    """``count`` installed packages spread over the ecosystems; most have advisories."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        eco = ECOSYSTEMS[i % len(ECOSYSTEMS)]
        name = package_name(eco, rng.randrange(names_per_eco))
        ver = version(eco, rng.randrange(1, 5), rng.randrange(10), rng.randrange(20))
        purl_type = {"Debian:12": "deb/debian", "Alpine:v3.19": "apk/alpine"}.get(eco, eco.lower())
        purl = f"pkg:{purl_type}/{name}@{ver}"
        if ":" in eco:  # distribution package: a binary built from source ``name``
            out.append(Package(f"{name}-bin", ver, eco, purl, source_name=name, source_version=ver))
        else:
            out.append(Package(name, ver, eco, purl))
    return out


def timed_import(db_path: Path, paths: list[Path]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, records stored, size in bytes).

    CPU time is printed too: on a shared machine wall time mostly measures the neighbours.
    """
    start, cpu = time.perf_counter(), time.process_time()
    stats = import_paths(db_path, paths, replace=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, stats.total_records, db_path.stat().st_size


def timed_match(db_path: Path, packages: list[Package], repeat: int) -> tuple[float, float, int]:
    """(best seconds, median seconds, matches) for matching ``packages`` with a fresh handle."""
    times = []
    found = 0
    for _ in range(repeat):
        with VulnDB.open(db_path) as db:  # a fresh handle each run: no warm caches in SQLite
            start = time.perf_counter()
            found = len(match_packages(db, packages))
            times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), found


def timed_gate(
    db_path: Path, ledger: Path, packages: list[Package], repeat: int
) -> tuple[float, float, int]:
    """(best seconds, median seconds, findings) for the whole gate on ``packages``."""
    settings = VulnSettings(db=db_path, ledger=ledger)
    times = []
    findings = 0
    for _ in range(repeat):
        start = time.perf_counter()
        scan = scan_with_settings(packages, "bench:1", settings)
        times.append(time.perf_counter() - start)
        findings = len(scan.findings)
    return min(times), statistics.median(times), findings


def main() -> int:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--packages", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if CORPUS.is_dir():
            corpus_paths = [
                CORPUS / "golang-vulndb",
                CORPUS / "pypa-advisory-database" / "json",
                CORPUS / "osv-schema",
                CORPUS / "osv-dev-testdata",
                CORPUS / "debian-tracker-sample",
            ]
            secs, cpu, records, size = timed_import(folder / "corpus.db", corpus_paths)
            print(
                f"corpus import: {records} records in {secs:.2f} s (CPU {cpu:.2f} s), "
                f"database {size / 1e6:.2f} MB"
            )
        else:
            print(f"corpus not found at {CORPUS}: skipped")
        names = max(1, args.records // 5)
        start = time.perf_counter()
        archive = folder / "all.zip"
        archive.write_bytes(generate(args.records, names))
        gen = time.perf_counter() - start
        print(
            f"generated {args.records} records "
            f"({archive.stat().st_size / 1e6:.1f} MB zip) in {gen:.1f} s"
        )
        secs, cpu, records, size = timed_import(folder / "big.db", [archive])
        rate = records / secs if secs else 0
        print(
            f"generated import: {records} records in {secs:.2f} s ({rate:,.0f} records/s; "
            f"CPU {cpu:.1f} s), database {size / 1e6:.1f} MB"
        )
        packages = inventory(args.packages, names)
        best, median, found = timed_match(folder / "big.db", packages, args.repeat)
        verdict = "OK" if best < 0.5 else "SLOWER THAN TARGET"
        print(
            f"matching {len(packages)} packages against {records} records: best {best:.3f} s, "
            f"median {median:.3f} s, {found} matches (target < 0.5 s: {verdict})"
        )
        best, median, findings = timed_gate(
            folder / "big.db", folder / "ledger.json", packages, args.repeat
        )
        print(
            f"whole gate (match + policy + ledger + findings) on {len(packages)} packages: "
            f"best {best:.3f} s, median {median:.3f} s, {findings} findings"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
