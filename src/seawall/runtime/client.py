"""Connecting to the Docker Engine as the docker CLI does, with timeouts and one-line errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from seawall.errors import DaemonError

if TYPE_CHECKING:
    import docker

DEFAULT_TIMEOUT = 15.0


@dataclass(frozen=True)
class Endpoint:
    """Where the daemon is and how we reached it (for messages and host-path discovery)."""

    host: str
    source: str  # "--host", "DOCKER_HOST", "context <name>" or "default"


def resolve_endpoint(host: str | None = None, context: str | None = None) -> Endpoint:
    """Pick the daemon address: explicit host, then DOCKER_HOST, then the docker context."""
    if host:
        return Endpoint(host, "--host")
    if os.environ.get("DOCKER_HOST") and not context:
        return Endpoint(os.environ["DOCKER_HOST"], "DOCKER_HOST")
    name = context or os.environ.get("DOCKER_CONTEXT")
    try:
        from docker.context import ContextAPI

        ctx = ContextAPI.get_context(name) if name else ContextAPI.get_current_context()
    except Exception as exc:  # broken ~/.docker/config.json or context store
        raise DaemonError(f"cannot read docker context {name or '(current)'}: {exc}") from None
    if ctx is None:
        raise DaemonError(f"docker context {name!r} does not exist")
    if ctx.Host:
        label = "default" if ctx.Name == "default" else f"context {ctx.Name}"
        return Endpoint(str(ctx.Host), label)
    return Endpoint("unix:///var/run/docker.sock", "default")


def _tls_config(host: str, context: str | None) -> Any:
    """TLS settings from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH or from the context's TLS material."""
    if os.environ.get("DOCKER_TLS_VERIFY") or os.environ.get("DOCKER_CERT_PATH"):
        from docker.utils import kwargs_from_env

        return kwargs_from_env().get("tls")
    name = context or os.environ.get("DOCKER_CONTEXT")
    if name:
        from docker.context import ContextAPI

        ctx = ContextAPI.get_context(name)
        if ctx is not None:
            return ctx.TLSConfig
    return None


def connect(
    host: str | None = None, *, context: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[docker.DockerClient, Endpoint]:
    """A client that has answered a ping; DaemonError (one line) when unreachable or slow."""
    import docker

    endpoint = resolve_endpoint(host, context)
    problem = _unix_socket_problem(endpoint.host)
    if problem:
        raise DaemonError(
            f"cannot reach Docker daemon at {endpoint.host} ({endpoint.source}): {problem}"
        )
    client = None
    try:
        tls = _tls_config(endpoint.host, context)
        # The constructor already talks to the daemon (API version negotiation).
        api = _api_client_class()(
            base_url=endpoint.host, tls=tls or False, timeout=int(max(1, timeout))
        )
        client = docker.DockerClient.__new__(docker.DockerClient)  # around our API client
        client.api = api
        client.ping()
    except Exception as exc:  # requests, urllib3, docker and OS errors all mean "not usable"
        if client is not None:
            client.close()
        if _is_timeout(exc):
            raise DaemonError(
                f"Docker daemon at {endpoint.host} did not answer within {timeout:g}s"
            ) from None
        raise DaemonError(
            f"cannot reach Docker daemon at {endpoint.host} ({endpoint.source}): {_first_line(exc)}"
        ) from None
    return client, endpoint


@cache
def _api_client_class() -> type[docker.APIClient]:
    """``docker.APIClient`` that verifies the daemon with its own CA, as the docker CLI does.

    requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` replace a session's CA file
    (psf/requests#3829), so with those set (common on CI images) a TLS daemon signed by a
    private CA would fail verification although DOCKER_CERT_PATH names the right CA.
    """
    import docker

    class DaemonAPIClient(docker.APIClient):
        def merge_environment_settings(self, *args: Any, **kwargs: Any) -> Any:
            settings = super().merge_environment_settings(*args, **kwargs)
            if isinstance(self.verify, str):  # a CA file from the TLS configuration
                settings["verify"] = self.verify
            return settings

    return DaemonAPIClient


def _unix_socket_problem(host: str) -> str | None:
    """A readable reason why a ``unix://`` endpoint cannot work, checked before connecting."""
    if not host.startswith("unix://"):
        return None
    path = host.removeprefix("unix://")
    if not os.path.exists(path):
        return f"{path} does not exist (is dockerd running?)"
    if not os.access(path, os.R_OK | os.W_OK):
        return f"permission denied on {path} (root or the socket's group is needed)"
    return None


def _is_timeout(exc: BaseException) -> bool:
    import requests

    return isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
