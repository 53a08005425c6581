"""Fixtures for the seccomp tests: real strace traces and the machine's architecture."""

from __future__ import annotations

import os
import platform
import shutil
import sys
from pathlib import Path

import pytest

from seawall.seccomp.record import record_command
from seawall.seccomp.recording import Recording

# A small Python workload: file I/O, hashing, JSON, a temp dir and one thread (as in the research
# notes); it never calls mount, unshare or chmod.
WORKLOAD = """
import hashlib, json, os, tempfile, threading
d = tempfile.mkdtemp()
p = os.path.join(d, "data.json")
with open(p, "w") as f:
    json.dump({"n": list(range(100))}, f)
with open(p, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
t = threading.Thread(target=lambda: None)
t.start()
t.join()
os.unlink(p)
os.rmdir(d)
print("workload ok", digest[:12])
"""


def in_ci() -> bool:
    """Real components must be present under CI=true: absence fails instead of skipping."""
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere."""
    if in_ci():
        pytest.fail(f"real component unavailable in CI: {reason}", pytrace=False)
    pytest.skip(f"real component unavailable: {reason}")


@pytest.fixture(scope="session")
def workload_argv() -> list[str]:
    """The command line of the Python workload."""
    return [sys.executable, "-c", WORKLOAD]


@pytest.fixture(scope="session")
def needs_x86_64() -> None:
    """Skip tests whose expected numbers are x86_64 facts on other machines."""
    if platform.machine() != "x86_64":
        pytest.skip("expected values are for x86_64")


@pytest.fixture(scope="session")
def strace_available() -> None:
    """strace is a real component of these tests: it must exist in CI."""
    if shutil.which("strace") is None:
        unavailable("strace is not installed")


@pytest.fixture(scope="session")
def pyseccomp_available() -> None:
    """libseccomp's Python binding loads profiles in-process."""
    try:
        import pyseccomp  # noqa: F401
    except (ImportError, OSError) as exc:
        unavailable(f"pyseccomp/libseccomp: {exc}")


@pytest.fixture(scope="session")
def python_recording(
    strace_available: None, workload_argv: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    """Two real strace runs of the Python workload, merged."""
    cwd = Path(tmp_path_factory.mktemp("workload"))
    return record_command(workload_argv, runs=2, cwd=str(cwd))
