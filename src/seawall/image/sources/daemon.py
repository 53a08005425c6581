"""Images in the local Docker daemon, exported with the Engine API and spooled to a temp file.

``docker save`` output must be seekable (the legacy format puts ``manifest.json`` last), so the
stream is spooled to a file in a private temporary folder (removed afterwards) — never
extracted — and read like an archive.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seawall.errors import DaemonError, SourceError
from seawall.image.limits import Limits
from seawall.image.sources.base import RawImage
from seawall.image.sources.local import open_fileobj
from seawall.image.streams import one_line


def daemon_client() -> Any:
    """A docker SDK client from the environment (``DOCKER_HOST``), or DaemonError."""
    try:
        import docker
        import docker.errors
    except ImportError:  # pragma: no cover - docker is a declared dependency
        raise DaemonError("the 'docker' package is not installed") from None
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as exc:
        raise DaemonError(f"cannot reach the Docker daemon: {one_line(exc)}") from None
    return client


def has_image(client: Any, ref: str) -> bool:
    """Whether the daemon holds ``ref``."""
    import docker.errors

    try:
        client.images.get(ref)
    except docker.errors.ImageNotFound:
        return False
    except docker.errors.APIError as exc:
        if getattr(exc, "status_code", None) in (400, 404):
            return False
        raise DaemonError(f"Docker daemon error for {ref}: {one_line(exc)}") from None
    return True


@contextlib.contextmanager
def open_daemon(ref: str, limits: Limits, client: Any | None = None) -> Iterator[RawImage]:
    """Export ``ref`` from the daemon and open it as a docker-save archive."""
    import docker.errors

    client = client or daemon_client()
    try:
        image = client.images.get(ref)
    except docker.errors.ImageNotFound:
        raise SourceError(ref, "no such image in the Docker daemon") from None
    except docker.errors.DockerException as exc:
        raise DaemonError(f"Docker daemon error for {ref}: {one_line(exc)}") from None
    with tempfile.TemporaryDirectory(prefix="seawall-save-") as folder:
        # A named spool file: layers are then read by byte range, hashed in parallel.
        path = Path(folder) / "export.tar"
        written = 0
        try:
            with path.open("wb") as spool:
                for chunk in image.save(chunk_size=1 << 20, named=True):
                    written += len(chunk)
                    if written > limits.max_total_bytes:
                        raise SourceError(ref, f"export larger than {limits.max_total_bytes} bytes")
                    spool.write(chunk)
        except docker.errors.DockerException as exc:
            raise DaemonError(f"Docker daemon error exporting {ref}: {one_line(exc)}") from None
        with path.open("rb") as export, open_fileobj(export, ref, limits, path) as raw:
            tags = raw.tags or tuple(getattr(image, "tags", ()) or ())
            yield RawImage(
                reference=ref,
                kind="daemon",
                config=raw.config,
                layers=raw.layers,
                config_digest=raw.config_digest or getattr(image, "id", None),
                manifest_digest=None,
                tags=tags,
            )
