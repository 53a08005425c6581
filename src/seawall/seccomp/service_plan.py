"""How to record one Compose service's workload: image, command, checks and container options.

A service is recorded only when something exercises it while it is traced: a healthcheck (from
the compose file, else from the image) or a smoke command (``x-seawall-smoke``: a string run by
``/bin/sh -c`` or an exec-form list). Both run inside the container, as Docker runs healthchecks,
so their own system calls are recorded too: Docker applies the service's profile to every
process exec'd into its container.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seawall.errors import SeawallError
from seawall.parsers.yamldoc import to_python
from seawall.seccomp.container import RunOptions, shell_words

if TYPE_CHECKING:
    import docker

    from seawall.parsers.compose import ComposeProject, ComposeService

SMOKE_KEY = "x-seawall-smoke"


@dataclass(frozen=True)
class ServicePlan:
    """What ``record_image`` needs to trace one service as Compose would run it."""

    service: str
    image: str
    entrypoint: tuple[str, ...] | None
    command: tuple[str, ...] | None
    checks: tuple[tuple[str, ...], ...]  # healthcheck and smoke commands, exec'd in the container
    options: RunOptions


def service_plan(
    project: ComposeProject, service: ComposeService, client: docker.DockerClient
) -> ServicePlan | None:
    """The recording plan for ``service``, or None when nothing would exercise it."""
    image = service_image(project, service, client)
    checks = [c for c in (_healthcheck(service, image, client), _smoke(service)) if c]
    if not checks:
        return None
    return ServicePlan(
        service=service.name,
        image=image,
        entrypoint=service_argv(service, "entrypoint"),
        command=service_argv(service, "command"),
        checks=tuple(checks),
        options=run_options(project, service),
    )


def service_image(
    project: ComposeProject, service: ComposeService, client: docker.DockerClient
) -> str:
    """The image the service runs: ``image:``, else what docker-compose names a built image."""
    import docker.errors

    candidates = [service.image] if service.image else []
    if service.has_build and not service.image:
        candidates = [f"{project.name}_{service.name}", f"{project.name}-{service.name}"]
    for name in candidates:
        try:
            client.images.get(name)
            return name
        except docker.errors.ImageNotFound:
            continue
        except docker.errors.APIError as exc:
            raise SeawallError(
                f"service {service.name!r}: cannot inspect {name!r}: {exc}"
            ) from None
    if not candidates:
        raise SeawallError(f"service {service.name!r} has neither image nor build")
    raise SeawallError(
        f"service {service.name!r}: image {' or '.join(repr(c) for c in candidates)} is not in "
        "the daemon (pull or build it first)"
    )


def healthcheck_argv(test: Any) -> tuple[str, ...] | None:
    """The command a healthcheck ``test`` runs (CMD, CMD-SHELL, a string), or None for NONE."""
    if isinstance(test, str):
        return ("/bin/sh", "-c", test) if test.strip() else None
    if not isinstance(test, list) or not test:
        return None
    kind, rest = str(test[0]).upper(), [str(part) for part in test[1:]]
    if kind == "CMD" and rest:
        return tuple(rest)
    if kind == "CMD-SHELL" and rest:
        return ("/bin/sh", "-c", " ".join(rest))
    return None


def _healthcheck(
    service: ComposeService, image: str, client: docker.DockerClient
) -> tuple[str, ...] | None:
    node = to_python(service.get("healthcheck"))
    if isinstance(node, dict):
        if node.get("disable") is True:
            return None
        if "test" in node:
            return healthcheck_argv(node["test"])
    config = client.images.get(image).attrs.get("Config") or {}
    return healthcheck_argv((config.get("Healthcheck") or {}).get("Test"))


def _smoke(service: ComposeService) -> tuple[str, ...] | None:
    value = to_python(service.get(SMOKE_KEY))
    if isinstance(value, str) and value.strip():
        return ("/bin/sh", "-c", value)
    if isinstance(value, list) and value:
        return tuple(str(part) for part in value)
    if value is not None:
        raise SeawallError(f"service {service.name!r}: {SMOKE_KEY} must be a string or a list")
    return None


def service_argv(service: ComposeService, key: str) -> tuple[str, ...] | None:
    """The service's ``command`` or ``entrypoint`` as an argv (a string is split like a shell)."""
    value = to_python(service.get(key))
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(shell_words(value))  # docker-compose splits a string form with shlex
    if isinstance(value, list):
        return tuple(str(part) for part in value)
    raise SeawallError(f"service {service.name!r}: {key} must be a string or a list")


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def run_options(project: ComposeProject, service: ComposeService) -> RunOptions:
    """How the service runs, as ``docker run`` options for the recording container."""
    security = [s.replace(":", "=", 1) for s in _strings(to_python(service.get("security_opt")))]
    nnp = any(s in ("no-new-privileges", "no-new-privileges=true") for s in security)
    tmpfs = list(_strings(to_python(service.get("tmpfs"))))
    volumes: list[str] = []
    for mount in service.volumes:
        if mount.type == "bind" and mount.source:
            source = project.base_dir(mount.origin) / mount.source
            volumes.append(
                f"{source.resolve()}:{mount.target}" + (":ro" if mount.read_only else "")
            )
        elif mount.type in ("volume", "tmpfs"):
            # The recording must not create or touch the project's named volumes: a tmpfs keeps
            # the path writable (what a read-only service relies on) without persisting anything.
            tmpfs.append(mount.target)
    user = to_python(service.get("user"))
    workdir = to_python(service.get("working_dir"))
    return RunOptions(
        user=str(user) if user is not None else None,
        read_only=to_python(service.get("read_only")) is True,
        tmpfs=tuple(dict.fromkeys(tmpfs)),
        cap_drop=_strings(to_python(service.get("cap_drop"))),
        cap_add=_strings(to_python(service.get("cap_add"))),
        no_new_privileges=nnp,
        network="none",  # healthchecks and smoke commands reach the service over loopback
        volumes=tuple(volumes),
        env=tuple(f"{var.name}={var.value}" for var in service.environment),
        workdir=str(workdir) if workdir is not None else None,
    )


def selected(project: ComposeProject, names: Sequence[str] | None) -> list[ComposeService]:
    """The services to record: ``names`` (each must exist) or all active ones."""
    if names is None:
        return list(project.services.values())
    unknown = [n for n in names if n not in project.services]
    if unknown:
        raise SeawallError(f"no service {', '.join(map(repr, unknown))} in the compose project")
    return [project.services[n] for n in names]
