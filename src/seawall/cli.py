"""The ``seawall`` command line: parse arguments, call the library, render, exit.

Only the module of the command being run is imported, so ``seawall check`` starts fast.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence

from seawall import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("seawall.commands.check", "check Dockerfiles and Compose projects"),
    "harden": ("seawall.commands.harden", "apply every fix and report what changed"),
    "image": ("seawall.commands.image", "audit a built image (tar, OCI layout, daemon, registry)"),
    "audit": ("seawall.commands.audit", "audit running containers, the Docker daemon and host"),
    "seccomp": ("seawall.commands.seccomp", "record, generate, check and verify seccomp profiles"),
    "db": ("seawall.commands.db", "manage the offline vulnerability database"),
    "graph": ("seawall.commands.graph", "draw a Compose project's network reachability graph"),
    "rules": ("seawall.commands.rules", "list every rule"),
    "rule": ("seawall.commands.rules", "show one rule's documentation"),
    "baseline": ("seawall.commands.baseline", "accept today's findings, fail only on new ones"),
    "docs": ("seawall.commands.docs", "write or check the generated rule documentation"),
}


def _available(name: str) -> bool:
    module, _ = COMMANDS[name]
    return importlib.util.find_spec(module) is not None


@functools.cache
def _help_width() -> int:
    """Columns for help text, as ``shutil.get_terminal_size`` gives them, less argparse's margin."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns if columns > 0 else 80) - 2


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose formatters are given the width instead of asking ``shutil``.

    argparse builds a formatter for every ``add_argument`` and each one imports ``shutil`` (with
    bz2, lzma…: ~4 ms of every run) only to read the terminal width. Sub-parsers inherit the class.
    """

    def _get_formatter(self) -> argparse.HelpFormatter:
        # Every HelpFormatter takes ``width``; typeshed's protocol only declares ``prog``.
        return self.formatter_class(prog=self.prog, width=_help_width())  # type: ignore[call-arg]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only`` set, just that command's module is imported."""
    parser = _Parser(
        prog="seawall",
        description="Make containers production-hard and prove it.",
    )
    parser.add_argument("--version", action="version", version=f"seawall {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            continue
        if not _available(name):
            continue
        module = importlib.import_module(module_name)
        adder = getattr(module, f"add_{name}_parser", None) or module.add_parser
        before = set(subparsers.choices)
        adder(subparsers)
        for added in set(subparsers.choices) - before:
            subparsers.choices[added].set_defaults(_module=module_name, _help=help_text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``seawall`` console script; returns the exit code."""
    from seawall.errors import SeawallError

    args_list = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args_list if not a.startswith("-")), None)
    only = first if first in COMMANDS and _available(first) else None
    parser = build_parser(only)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    module = importlib.import_module(args._module)
    runner = getattr(module, f"run_{args.command}", None) or module.run
    try:
        code: int = runner(args)
    except SeawallError as exc:
        print(f"seawall: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seawall: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: one line, exit 2; SEAWALL_DEBUG=1 shows the trace
        import os

        if os.environ.get("SEAWALL_DEBUG"):
            raise
        print(
            f"seawall: internal error: {type(exc).__name__}: {exc} (set SEAWALL_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 2
    return code


def run() -> None:
    """The ``seawall`` console script: ``main``, then exit with its code.

    The collector is switched off first: the process is about to end, and the full collection
    CPython makes at shutdown would only walk the whole heap again (~4 ms of every run).
    """
    code = main()
    import gc

    gc.disable()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
