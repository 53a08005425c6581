"""``seawall graph [PATH]``: draw a Compose project's network reachability graph."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from seawall.commands._output import add_compose_options
from seawall.errors import SeawallError, SourceError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``graph``."""
    p = subparsers.add_parser(
        "graph",
        help="draw a Compose project's network reachability graph",
        description=(
            "Draw which services can reach which over the project's networks, marking "
            "internet-facing services and datastores, as Mermaid or Graphviz DOT."
        ),
    )
    p.add_argument(
        "path", nargs="?", type=Path, default=None, help="a compose file or a folder (default: .)"
    )
    add_compose_options(p)
    p.add_argument(
        "--format",
        dest="graph_format",
        choices=("mermaid", "dot"),
        default="mermaid",
        help="output format (default: mermaid)",
    )
    p.add_argument("--output", "-o", type=Path, help="write to FILE instead of stdout")


def project_files(path: Path | None, files: list[Path]) -> list[Path]:
    """The compose files to load: ``-f`` files, a given file, or a folder's default files."""
    from seawall.parsers.compose import default_files

    if files:
        return list(files)
    target = path or Path(".")
    if target.is_file():
        return [target]
    if target.is_dir():
        found = default_files(target)
        if not found:
            raise SourceError(target.as_posix(), "no compose.yaml or docker-compose.yml here")
        return found
    raise SourceError(target.as_posix(), "no such file or directory")


def _write(path: Path, text: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SeawallError(f"{path}: cannot write: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    """Print (or write) the graph; exit 2 when the project cannot be loaded."""
    from seawall.compose_graph import build_graph, to_dot, to_mermaid
    from seawall.targets.compose import load

    files = project_files(args.path, list(args.compose_files))
    project = load(files, args.env_file, args.profile)
    graph = build_graph(project)
    text = to_dot(graph) if args.graph_format == "dot" else to_mermaid(graph)
    if args.output is not None:
        _write(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
