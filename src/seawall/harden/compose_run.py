"""Bringing a Compose project up and down with Debian's ``docker-compose`` (v1) binary."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

from seawall.errors import DaemonError

UP_TIMEOUT = 600.0
DOWN_TIMEOUT = 180.0


def compose_binary() -> str:
    """The ``docker-compose`` executable, or DaemonError when it is not installed."""
    found = shutil.which("docker-compose")
    if found is None:
        raise DaemonError("--verify needs docker-compose (Debian package docker-compose)")
    return found


def unique_project_name(label: str) -> str:
    """A Compose project name no other run uses (lower-case letters, digits, dashes)."""
    return f"seawall-verify-{label}-{uuid.uuid4().hex[:8]}"


class ComposeRun:
    """One project brought up under its own name; ``down`` is safe to call more than once."""

    def __init__(self, files: list[Path], name: str, docker_host: str) -> None:
        self.files = files
        self.name = name
        self.env = dict(os.environ, DOCKER_HOST=docker_host)
        self.env.pop("DOCKER_CONTEXT", None)
        self.up_called = False

    def _command(self, *args: str) -> list[str]:
        argv = [compose_binary(), "--compatibility", "--no-ansi", "-p", self.name]
        for f in self.files:
            argv += ["-f", str(f)]
        return [*argv, *args]

    def _run(self, timeout: float, *args: str) -> subprocess.CompletedProcess[str] | str:
        """Run one docker-compose command in the project folder; a string says it timed out."""
        try:
            return subprocess.run(
                self._command(*args),
                cwd=self.files[0].parent,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"docker-compose {args[0]} did not finish within {timeout:.0f}s"

    def up(self) -> str | None:
        """``up -d --build``; returns None on success, else the last lines of its output."""
        self.up_called = True
        proc = self._run(UP_TIMEOUT, "up", "-d", "--build")
        if isinstance(proc, str):
            return proc
        if proc.returncode == 0:
            return None
        tail = [line for line in (proc.stdout + proc.stderr).strip().splitlines() if line][-3:]
        return " | ".join(tail) or f"docker-compose up exited with {proc.returncode}"

    def down(self) -> str | None:
        """``down -v``; None on success, else why not. The images built stay (see
        :func:`untag_images`), so that later bring-ups reuse the build cache."""
        if not self.up_called:
            return None
        proc = self._run(DOWN_TIMEOUT, "down", "-v", "--remove-orphans", "-t", "1")
        if isinstance(proc, str):
            return proc
        if proc.returncode != 0:
            lines = (proc.stdout + proc.stderr).strip().splitlines()
            return lines[-1] if lines else f"docker-compose down exited with {proc.returncode}"
        self.up_called = False
        return None


def untag_images(client: Any, project: str) -> None:
    """Remove the tags docker-compose gave the images it built for ``project``, keeping their
    layers as build cache (best effort: a leftover tag is harmless)."""
    prefix = f"{project}_"
    with contextlib.suppress(Exception):
        for image in client.api.images():
            for tag in image.get("RepoTags") or []:
                if tag.startswith(prefix):
                    with contextlib.suppress(Exception):
                        client.api.remove_image(tag, noprune=True)


def build_images(files: list[Path], docker_host: str) -> None:
    """``docker-compose build`` under the project's default name, so that the images carry the
    names docker-compose gives them (``<project>_<service>``); DaemonError when it fails."""
    env = dict(os.environ, DOCKER_HOST=docker_host)
    env.pop("DOCKER_CONTEXT", None)
    argv = [compose_binary(), "--no-ansi"]
    for f in files:
        argv += ["-f", str(f)]
    try:
        proc = subprocess.run(
            [*argv, "build"],
            cwd=files[0].parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=UP_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DaemonError(f"docker-compose build did not finish within {UP_TIMEOUT:.0f}s") from None
    if proc.returncode != 0:
        tail = [line for line in (proc.stdout + proc.stderr).strip().splitlines() if line][-2:]
        raise DaemonError(f"docker-compose build failed: {' | '.join(tail)}")
