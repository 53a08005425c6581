"""``seawall rules`` (list every rule) and ``seawall rule ID`` (one rule's documentation)."""

from __future__ import annotations

import argparse
import json
import sys

from seawall.errors import ConfigError


def add_rules_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``rules``."""
    p = subparsers.add_parser("rules", help="list every rule", description="List every rule.")
    p.add_argument("--format", "-F", choices=("text", "json"), default="text")
    p.add_argument(
        "--target",
        help="only rules for this target kind (dockerfile, workload, compose, image, daemon, host)",
    )


def add_rule_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``rule``."""
    p = subparsers.add_parser(
        "rule",
        help="show one rule's documentation",
        description="Print a rule's documentation page (by id, name or peer alias).",
    )
    p.add_argument("rule", help="rule id (DF001), name (last-user-root) or alias (DL3002)")


def run_rules(args: argparse.Namespace) -> int:
    """List rules as a table or JSON."""
    from seawall.rules import ALL_RULES

    rules = [
        r
        for r in ALL_RULES
        if not args.target or any(t.value == args.target for t in r.meta.targets)
    ]
    if args.format == "json":
        out = [
            {
                "id": r.meta.id,
                "name": r.meta.name,
                "title": r.meta.title,
                "severity": r.meta.severity.label,
                "targets": sorted(t.value for t in r.meta.targets),
                "aliases": list(r.meta.aliases),
                "references": [
                    {"standard": ref.standard, "id": ref.ident, "title": ref.title}
                    for ref in r.meta.references
                ],
                "fix": r.meta.fix.value,
                "default_enabled": r.meta.default_enabled,
            }
            for r in rules
        ]
        json.dump({"version": 1, "rules": out}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for r in rules:
        flag = "" if r.meta.default_enabled else " (opt-in)"
        print(f"{r.meta.id:8} {r.meta.severity.label:8} {r.meta.name:40} {r.meta.title}{flag}")
    return 0


def find_rule(key: str):  # type: ignore[no-untyped-def]
    """A rule by id, name or alias (case-insensitive)."""
    from seawall.rules import ALL_RULES

    low = key.lower()
    for r in ALL_RULES:
        if r.meta.id.lower() == low or r.meta.name == low:
            return r
    for r in ALL_RULES:
        if any(a.lower() == low for a in r.meta.aliases):
            return r
    raise ConfigError(f"unknown rule {key!r} (see `seawall rules`)")


def run_rule(args: argparse.Namespace) -> int:
    """Print the generated documentation page of one rule."""
    from seawall.ruledoc import rule_markdown

    sys.stdout.write(rule_markdown(find_rule(args.rule)))
    return 0
