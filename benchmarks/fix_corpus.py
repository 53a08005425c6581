"""Fix every Dockerfile of the shared corpus in memory and report what changed.

    python benchmarks/fix_corpus.py [--corpus ../shared/corpus/dockerfiles] [--rules DF001,DF009]

For the safe fixes (``check --fix``) and then safe + unsafe (``--unsafe-fixes``), every file is
fixed until stable, the result must still parse and fixing it again must change nothing. Nothing
is written: the corpus is read-only input. Prints the number of files, files changed, failures
(fixes that do not converge or break parsing), and per rule the findings before, fixed, and
remaining, split into "fix left" (a fix this mode does not apply: a suggestion, or an unsafe fix
in safe mode) and "no fix", plus the wall time of each mode.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from seawall.config import Config
from seawall.errors import SeawallError
from seawall.fixes.dockerfile import dockerfile_finder, fix_dockerfile_text, validate_dockerfile
from seawall.model.finding import Finding
from seawall.targets.discover import discover
from seawall.targets.dockerfile import read_dockerignore
from seawall.targets.read import read_text_file

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "dockerfiles"


@dataclass
class Tally:
    """Counts for one mode (safe, or safe + unsafe) over the corpus."""

    files: int = 0
    unparsable: int = 0
    changed: int = 0
    fixes_applied: int = 0
    failures: list[str] = field(default_factory=list)
    not_idempotent: list[str] = field(default_factory=list)
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    suggestion_only: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def _count(findings: list[Finding], into: Counter[str]) -> None:
    into.update(f.rule_id for f in findings)


def fix_corpus(paths: list[Path], root: Path, config: Config, *, unsafe: bool) -> Tally:
    """Fix each file in memory; check the result parses and is stable under a second fix."""
    tally = Tally()
    start = time.perf_counter()
    for path in paths:
        shown = str(path.relative_to(root))
        tally.files += 1
        try:
            text = read_text_file(path, shown).text
            validate_dockerfile(text, shown)
        except SeawallError:
            tally.unparsable += 1  # templates with placeholders: nothing to fix
            continue
        extra = {"dockerignore": read_dockerignore(path), "dockerfile_path": path}
        find = dockerfile_finder(shown, config, extra=extra)
        _count(find(text), tally.before)
        try:
            result = fix_dockerfile_text(text, shown, config, unsafe=unsafe, extra=extra)
            validate_dockerfile(result.fixed, shown)
        except SeawallError as exc:
            tally.failures.append(f"{shown}: {exc}")
            continue
        again = fix_dockerfile_text(result.fixed, shown, config, unsafe=unsafe, extra=extra)
        if again.changed or again.applied:
            tally.not_idempotent.append(shown)
        tally.changed += result.changed
        tally.fixes_applied += result.applied
        remaining = find(result.fixed)
        _count(remaining, tally.after)
        for f in remaining:
            if f.fix is not None and f.fix.edits:
                tally.suggestion_only[f.rule_id] += 1
    tally.seconds = time.perf_counter() - start
    return tally


def _print(title: str, tally: Tally) -> None:
    print(f"\n== {title}")
    print(f"files {tally.files}, unparsable originals {tally.unparsable}, changed {tally.changed}")
    print(f"fix passes applied {tally.fixes_applied}, time {tally.seconds:.1f} s")
    print(f"failures {len(tally.failures)}, not idempotent {len(tally.not_idempotent)}")
    for line in tally.failures + [f"not idempotent: {p}" for p in tally.not_idempotent]:
        print(f"  {line}")
    rules = sorted(set(tally.before) | set(tally.after))
    print(f"{'rule':8} {'before':>7} {'fixed':>7} {'remain':>7} {'fix left':>8} {'no fix':>7}")
    total = Counter[str]()
    for rule in rules:
        before, after = tally.before[rule], tally.after[rule]
        suggest = tally.suggestion_only[rule]
        row = (before, before - after, after, suggest, after - suggest)
        total.update(dict(zip(("b", "f", "r", "s", "n"), row, strict=True)))
        print(f"{rule:8} " + " ".join(f"{v:>7}" for v in row[:3]) + f" {row[3]:>8} {row[4]:>7}")
    print(
        f"{'total':8} {total['b']:>7} {total['f']:>7} {total['r']:>7} {total['s']:>8} "
        f"{total['n']:>7}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rules", help="comma-separated rule ids to select (default: defaults)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    config = Config(select=tuple(args.rules.split(","))) if args.rules else Config()
    paths = discover([args.corpus]).dockerfiles
    safe = fix_corpus(paths, args.corpus, config, unsafe=False)
    _print("safe fixes (check --fix)", safe)
    unsafe = fix_corpus(paths, args.corpus, config, unsafe=True)
    _print("safe + unsafe fixes (check --unsafe-fixes)", unsafe)
    print("\n(fixed = before - remaining; a negative number means fixing revealed findings)")
    broken = safe.failures + safe.not_idempotent + unsafe.failures + unsafe.not_idempotent
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
