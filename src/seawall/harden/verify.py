"""``harden --verify``: bring the original and the hardened project up on a real Docker engine,
compare how every service does, and attribute each breakage to the changes that caused it.

The hardened project runs from the workspace copy, so verification happens before anything is
written; every project brought up is torn down again (``down -v``), also on errors and Ctrl-C.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from seawall.errors import SeawallError
from seawall.harden.attribution import find_culprits
from seawall.harden.compose_run import ComposeRun, unique_project_name, untag_images
from seawall.harden.inspection import Confinement, confinement
from seawall.harden.plan import Change, Hardened, Hardener
from seawall.harden.score import PROJECT
from seawall.harden.status import ServiceStatus, regressions, status_of, wait_until_settled
from seawall.harden.workspace import Workspace

DEFAULT_TIMEOUT = 90.0


@dataclass(frozen=True)
class RunOutcome:
    """How the services did in one bring-up of the project."""

    label: str
    statuses: Mapping[str, ServiceStatus]
    up_error: str | None
    confinement: tuple[Confinement, ...]


@dataclass(frozen=True)
class Verification:
    """The outcome of ``--verify``: what broke, which changes broke it, what will be written."""

    original: RunOutcome
    hardened: RunOutcome
    broken: Mapping[str, tuple[str, ...]]
    culprits: frozenset[Change] | None
    final: Hardened
    final_outcome: RunOutcome
    final_broken: Mapping[str, tuple[str, ...]]
    runs: int

    @property
    def passed(self) -> bool:
        """Whether the project that would be written works as well as the original."""
        return not self.final_broken


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, so the teardown in ``finally`` still runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Verifier:
    """Runs projects on one engine and keeps count of the bring-ups."""

    def __init__(
        self,
        client: Any,
        docker_host: str,
        services: tuple[str, ...],
        timeout: float = DEFAULT_TIMEOUT,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.docker_host = docker_host
        self.services = services
        self.timeout = timeout
        self.runs = 0
        self.log = log or (lambda message: print(message, file=sys.stderr))

    def run(self, files: list[Path], label: str) -> RunOutcome:
        """Bring the project up, record every service, tear it down (always)."""
        self.runs += 1
        compose = ComposeRun(files, unique_project_name(label), self.docker_host)
        self.log(f"verify: bringing up the {label} project ({compose.name})")
        started = time.monotonic()
        with _sigterm_as_interrupt():
            try:
                up_error = compose.up()
                up_done = time.monotonic()
                containers = wait_until_settled(
                    self.client,
                    compose.name,
                    self.services,
                    self.timeout,
                    up_failed=up_error is not None,
                )
                settled = time.monotonic()
                statuses = {s: status_of(s, containers.get(s)) for s in self.services}
                rows = tuple(
                    confinement(s, containers[s]) for s in self.services if s in containers
                )
            finally:
                down_started = time.monotonic()
                problem = compose.down()
                untag_images(self.client, compose.name)
                if problem is not None:
                    self.log(f"verify: warning: tearing down {compose.name} failed: {problem}")
        self.log(
            f"verify:   up {up_done - started:.1f}s, settled {settled - up_done:.1f}s, "
            f"down {time.monotonic() - down_started:.1f}s"
        )
        for name, status in statuses.items():
            self.log(f"verify:   {name}: {status.describe()}")
        return RunOutcome(label, statuses, up_error, rows)


def connect_engine() -> tuple[Any, str]:
    """A client for the engine DOCKER_HOST (or the docker context) names, and its address."""
    from seawall.runtime.client import connect

    client, endpoint = connect()
    return client, endpoint.host


def verify(
    hardener: Hardener,
    group: tuple[str, ...],
    services: tuple[str, ...],
    changes: tuple[Change, ...],
    *,
    keep_working: bool,
    timeout: float = DEFAULT_TIMEOUT,
    log: Callable[[str], None] | None = None,
) -> Verification:
    """Verify the hardening of the Compose project ``group`` (paths relative to the project)."""
    from seawall.harden.compose_run import compose_binary

    client, host = connect_engine()
    try:
        compose_binary()
        verifier = Verifier(client, host, services, timeout, log)
        return _verify(verifier, hardener, group, changes, keep_working)
    finally:
        client.close()


def _verify(
    verifier: Verifier,
    hardener: Hardener,
    group: tuple[str, ...],
    changes: tuple[Change, ...],
    keep_working: bool,
) -> Verification:
    # The original runs from a copy too: its bind mounts must not write into the project folder.
    with Workspace(hardener.targets.root) as pristine:
        original = verifier.run([pristine.root / f for f in group], "original")
    if not any(s.working for s in original.statuses.values()):
        detail = original.up_error or "no service came up"
        raise SeawallError(f"the original project does not work, nothing to compare: {detail}")
    workspace = hardener.workspace.root
    outcomes: dict[frozenset[Change], tuple[Hardened, RunOutcome]] = {}

    def attempt(backed_out: frozenset[Change]) -> tuple[Hardened, RunOutcome]:
        if backed_out not in outcomes:
            hardened = hardener.harden(backed_out)
            label = "hardened" if not backed_out else f"hardened-minus-{len(backed_out)}"
            outcomes[backed_out] = (hardened, verifier.run([workspace / f for f in group], label))
        return outcomes[backed_out]

    full, full_outcome = attempt(frozenset())
    broken = regressions(original.statuses, full_outcome.statuses)
    if not broken:
        return Verification(original, full_outcome, {}, None, full, full_outcome, {}, verifier.runs)
    suspects = set(broken) | {PROJECT}
    candidates = [c for c in changes if suspects & set(c.services)]
    culprits = find_culprits(
        candidates, lambda removed: not regressions(original.statuses, attempt(removed)[1].statuses)
    )
    if keep_working and culprits is not None:
        final, final_outcome = attempt(culprits)
    else:
        final, final_outcome = full, full_outcome
    final_broken = regressions(original.statuses, final_outcome.statuses)
    return Verification(
        original,
        full_outcome,
        broken,
        culprits,
        final,
        final_outcome,
        final_broken,
        verifier.runs,
    )
