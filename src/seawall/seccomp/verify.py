"""Run a workload with a profile N times in real containers and report every failure; then show
that calls outside the profile are denied."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seawall.errors import SeawallError
from seawall.seccomp.container import RunOptions, logs, removing, wait_or_stop
from seawall.seccomp.probes import Probe

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

Smoke = Callable[["Container"], None]


@dataclass(frozen=True)
class RunResult:
    """One start of the workload: did it work, and if not, how it failed."""

    index: int
    ok: bool
    exit_code: int | None  # None: still running when checked (a service), then stopped
    detail: str = ""


@dataclass(frozen=True)
class ProbeResult:
    """A probe's verdict: denied (EPERM from the filter), reached the kernel, or unknown."""

    syscall: str
    denied: bool | None
    output: str


@dataclass(frozen=True)
class VerifyResult:
    """All runs and probes of one ``verify``."""

    runs: tuple[RunResult, ...]
    probes: tuple[ProbeResult, ...] = ()

    @property
    def successes(self) -> int:
        """How many runs worked."""
        return sum(run.ok for run in self.runs)

    @property
    def failures(self) -> tuple[RunResult, ...]:
        """The runs that did not work."""
        return tuple(run for run in self.runs if not run.ok)

    @property
    def failure_rate(self) -> float:
        """Failed runs / all runs."""
        return len(self.failures) / len(self.runs) if self.runs else 0.0

    @property
    def ok(self) -> bool:
        """Every run worked and no probe reached the kernel."""
        return not self.failures and all(p.denied is not False for p in self.probes)


def verify(
    client: docker.DockerClient,
    image: str,
    profile: dict[str, Any],
    *,
    command: Sequence[str] | None = None,
    runs: int = 20,
    options: RunOptions | None = None,
    settle: float = 2.0,
    timeout: float = 30.0,
    smoke: Smoke | None = None,
    probes: Sequence[Probe] = (),
    reuse: bool = True,
    entrypoint: Sequence[str] | None = None,
) -> VerifyResult:
    """Start ``image`` with ``profile`` ``runs`` times and judge each start.

    A run works when the container exits 0 within ``timeout`` seconds, or — for a service —
    is still running after ``settle`` seconds and ``smoke`` (if given) returns without raising.
    Each probe then runs under the same profile and options: exec'd into the workload when it
    is a service (and ``reuse``), else in its own container. ``reuse``
    starts one container ``runs`` times instead of creating one per run (same runtime path,
    much faster on storage drivers that copy the image per container, like vfs). ``entrypoint``
    replaces the image's (and its CMD, as ``docker run --entrypoint`` does).
    """
    import docker.errors

    if runs < 1:
        raise SeawallError("runs must be at least 1")
    options = options or RunOptions()
    kwargs = options.create_kwargs(seccomp=profile)
    results: list[RunResult] = []

    def create() -> Container:
        try:
            return client.containers.create(
                image,
                entrypoint=list(entrypoint) if entrypoint is not None else None,
                # As `docker run --entrypoint`: a replaced entrypoint drops the image's CMD.
                command=command if command or entrypoint is None else [],
                detach=True,
                **kwargs,
            )
        except docker.errors.APIError as exc:
            raise SeawallError(
                f"cannot create a container from {image!r}: {_explain(exc)}"
            ) from None

    # Probes sharing a command line (python_probes) share one run. With a copying storage driver
    # (vfs) every container costs a copy of the image, so a service's probes are exec'd into the
    # running workload container: Docker applies the container's profile to exec'd processes.
    outputs: dict[tuple[Any, ...], tuple[int | None, str]] = {}
    if reuse:
        # Every `docker start` runs runc init and the entrypoint afresh under the filter, which
        # is what can fail; re-using the container skips a root filesystem copy per run.
        with removing(create()) as container:
            for index in range(1, runs + 1):
                results.append(_judge(container, index, settle, timeout, smoke))
            outputs = _exec_probes(container, probes, settle, kwargs.get("user"))
    else:
        for index in range(1, runs + 1):
            with removing(create()) as container:
                results.append(_judge(container, index, settle, timeout, smoke))
    probe_results: list[ProbeResult] = []
    for probe in probes:
        key = _probe_key(probe)
        if key not in outputs:
            outputs[key] = _run_probe(client, image, kwargs, probe, timeout)
        probe_results.append(_verdict(probe, *outputs[key]))
    return VerifyResult(tuple(results), tuple(probe_results))


def _probe_key(probe: Probe) -> tuple[Any, ...]:
    return (probe.argv, probe.user, probe.extra_allow)


def _exec_probes(
    container: Container, probes: Sequence[Probe], settle: float, user: str | None
) -> dict[tuple[Any, ...], tuple[int | None, str]]:
    """Run probes that need no extra calls inside the workload when it is a service.

    Returns outputs by probe key; empty when the workload does not keep running (a batch job),
    so each probe then gets its own container.
    """
    own = [p for p in probes if not p.extra_allow]
    if not own:
        return {}
    try:
        container.start()
    except Exception:
        return {}
    outputs: dict[tuple[Any, ...], tuple[int | None, str]] = {}
    try:
        time.sleep(settle)
        container.reload()
        if container.status != "running":
            return {}
        for probe in own:
            key = _probe_key(probe)
            if key in outputs:
                continue
            try:
                code, raw = container.exec_run(list(probe.argv), user=probe.user or user or "")
            except Exception:  # the exec could not start: the probe gets its own container
                continue
            outputs[key] = (code, raw.decode("utf-8", "replace") if raw else "")
    finally:
        wait_or_stop(container, 0.1)
    return outputs


def _judge(
    container: Container, index: int, settle: float, timeout: float, smoke: Smoke | None
) -> RunResult:
    import docker.errors

    since = int(time.time())
    try:
        container.start()
    except docker.errors.APIError as exc:
        # runc failing inside the filter surfaces here: "runc create failed: … not permitted".
        return RunResult(index, False, None, f"start failed: {_explain(exc)}")
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        container.reload()
        if container.status != "running":
            break
        time.sleep(0.1)
    container.reload()
    if container.status == "running":
        if smoke is not None:
            try:
                smoke(container)
            except Exception as exc:  # a smoke check reports failure by raising anything
                wait_or_stop(container, 0.1)
                return RunResult(index, False, None, f"smoke check failed: {exc}")
        wait_or_stop(container, 0.1)
        return RunResult(index, True, None, "running")
    code = wait_or_stop(container, timeout)
    if code == 0:
        return RunResult(index, True, 0, "exited 0")
    tail = logs(container, since=since).strip().splitlines()
    reason = _exit_meaning(code)
    return RunResult(index, False, code, reason + (f"; last output: {tail[-1]}" if tail else ""))


def _run_probe(
    client: docker.DockerClient,
    image: str,
    kwargs: dict[str, Any],
    probe: Probe,
    timeout: float,
) -> tuple[int | None, str]:
    """Run the probe's command in its own container; its exit code and output."""
    probe_kwargs = dict(kwargs)
    if probe.extra_allow:
        if probe.syscall in probe.extra_allow:
            raise SeawallError(f"a probe for {probe.syscall} cannot allow {probe.syscall} itself")
        profile = json.loads(
            next(o for o in kwargs["security_opt"] if o.startswith("seccomp="))[len("seccomp=") :]
        )
        profile["syscalls"].append({"names": list(probe.extra_allow), "action": "SCMP_ACT_ALLOW"})
        probe_kwargs["security_opt"] = [
            o for o in kwargs["security_opt"] if not o.startswith("seccomp=")
        ] + ["seccomp=" + json.dumps(profile, separators=(",", ":"))]
    probe_kwargs.pop("ports", None)  # the workload's ports may still be held
    if probe.user is not None:
        probe_kwargs["user"] = probe.user
    container = client.containers.create(
        image, entrypoint=[probe.argv[0]], command=list(probe.argv[1:]), detach=True, **probe_kwargs
    )
    with removing(container):
        try:
            container.start()
        except Exception as exc:
            return None, f"probe did not start: {_explain(exc)}"
        code = wait_or_stop(container, timeout)
        return code, logs(container)


def _verdict(probe: Probe, code: int | None, output: str) -> ProbeResult:
    verdict = probe.denied(output)
    mine = [line for line in output.splitlines() if f"seawall-probe {probe.syscall} " in line]
    if verdict is None:
        output = f"exit {code}: {output.strip()[-300:]}"
    elif mine:
        output = mine[-1]  # a shared probe process: only this call's line
    return ProbeResult(probe.syscall, verdict, output.strip())


def _exit_meaning(code: int | None) -> str:
    if code is None:
        return "did not finish in time"
    if code == 159:
        return "exit 159: killed by SIGSYS (a seccomp KILL/TRAP action)"
    if code == 139:
        return "exit 139: SIGSEGV, often a denied call the program did not expect"
    return f"exit {code}"


def _explain(exc: BaseException) -> str:
    """The daemon's own words from an APIError (the quoted explanation), else the first line."""
    explanation = getattr(exc, "explanation", None)
    if isinstance(explanation, str) and explanation.strip():
        return explanation.strip()[:400]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:400]
