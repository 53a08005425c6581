"""``seawall docs``: write the generated rule pages, or check they are current (for CI)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``docs``."""
    p = subparsers.add_parser(
        "docs", help="write or check docs/rules/ generated from rule metadata"
    )
    p.add_argument("folder", nargs="?", type=Path, default=Path("docs/rules"))
    p.add_argument("--check", action="store_true", help="exit 1 if the folder is not current")


def run(args: argparse.Namespace) -> int:
    """Write or check the documentation folder."""
    from seawall.ruledoc import check_docs, write_docs

    if args.check:
        stale = check_docs(args.folder)
        for item in stale:
            print(f"stale: {item}", file=sys.stderr)
        if stale:
            print("run `seawall docs` to regenerate", file=sys.stderr)
        return 1 if stale else 0
    written = write_docs(args.folder)
    print(f"wrote {len(written)} files to {args.folder}", file=sys.stderr)
    return 0
