"""``seawall harden --seccomp``: record each Compose service, write its profile, reference it.

The harden command calls :func:`record_service_profiles` (profiles under ``seccomp/`` in the
project directory, each with its ``.why`` sidecar) and then :func:`security_opt_edits` for the
compose text edits (``security_opt: [seccomp=./seccomp/<service>.json]``), which it applies with
its other fixes. A service is recorded only when a healthcheck or an ``x-seawall-smoke`` command
exercises it (see ``service_plan``); the others are left out of the returned mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seawall.errors import DaemonError, SeawallError
from seawall.seccomp.compose_ref import security_opt_edit, security_opt_edits

if TYPE_CHECKING:
    import docker

    from seawall.parsers.compose import ComposeProject
    from seawall.seccomp.generate import GeneratedProfile
    from seawall.seccomp.service_plan import ServicePlan

__all__ = ["PROFILE_DIR", "record_service_profiles", "security_opt_edit", "security_opt_edits"]

PROFILE_DIR = "seccomp"
STARTUP = 2.0  # seconds a service gets before its healthcheck / smoke command runs
CHECK_PATIENCE = 30.0  # seconds a failing check is retried (traced) until the service answers
TRACE_AFTER_CHECKS = 2.0  # seconds the service stays traced after its checks ran


def record_service_profiles(
    project_dir: Path,
    compose_files: Sequence[Path],
    services: Sequence[str] | None,
    *,
    docker_host: str | None,
    runs: int,
) -> dict[str, Path]:
    """Record each selected service in a real container, write ``seccomp/<service>.json``.

    ``compose_files`` are relative to ``project_dir`` unless absolute; ``services`` None means
    every active service. Each service runs ``runs`` times from its image with its entrypoint,
    command, user, environment, read-only/tmpfs, capabilities and no-new-privileges, on no
    network, under strace; its healthcheck and smoke command are exec'd (traced) meanwhile.
    Nothing is written until every service has been recorded. Returns service → profile path.
    """
    from seawall.seccomp.service_plan import selected, service_plan

    if runs < 1:
        raise SeawallError("runs must be at least 1")
    project = _load(project_dir, compose_files)
    client = _client(docker_host)
    try:
        generated: dict[str, GeneratedProfile] = {}
        for service in selected(project, services):
            plan = service_plan(project, service, client)
            if plan is not None:
                generated[service.name] = _record(client, plan, runs)
    finally:
        client.close()
    written: dict[str, Path] = {}
    for name, profile in generated.items():
        written[name] = _write(profile, project_dir / PROFILE_DIR / f"{name}.json")
    return written


def _record(client: docker.DockerClient, plan: ServicePlan, runs: int) -> GeneratedProfile:
    from seawall.seccomp.generate import generate
    from seawall.seccomp.record import record_image

    try:
        recording = record_image(
            client,
            plan.image,
            command=plan.command,
            entrypoint=plan.entrypoint,
            runs=runs,
            duration=STARTUP + TRACE_AFTER_CHECKS,
            options=plan.options,
            startup=STARTUP,
            exec_commands=plan.checks,
            exec_patience=CHECK_PATIENCE,
        )
    except SeawallError as exc:
        raise SeawallError(f"service {plan.service!r}: {exc}") from None
    # Without no-new-privileges in the service the profile must also cover runc's privilege
    # switch; with it the profile is smaller and relies on it.
    return generate(recording, no_new_privileges=plan.options.no_new_privileges)


def _write(generated: GeneratedProfile, path: Path) -> Path:
    from seawall.seccomp.generate import write_profile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SeawallError(f"{path.parent}: cannot create: {exc.strerror}") from None
    profile, _ = write_profile(generated, path)
    return profile


def _load(project_dir: Path, compose_files: Sequence[Path]) -> ComposeProject:
    from seawall.targets.compose import load

    files = [f if f.is_absolute() else project_dir / f for f in compose_files]
    if not files:
        raise SeawallError(f"{project_dir}: no compose file given")
    return load(files)  # SourceError / ParseError: one-line SeawallErrors already


def _client(docker_host: str | None) -> docker.DockerClient:
    from seawall.seccomp.container import client_from_env

    if docker_host is None:
        return client_from_env()
    import docker

    try:
        client = docker.DockerClient(base_url=docker_host, timeout=120)
        client.ping()
    except Exception as exc:  # the SDK raises many kinds; all mean "unreachable"
        text = str(exc).strip().splitlines()
        raise DaemonError(
            f"cannot reach the Docker daemon at {docker_host}: {text[0] if text else exc}"
        ) from None
    return client
