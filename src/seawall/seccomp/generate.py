"""Recording → Docker seccomp allow-list profile, plus a sidecar saying why each call is allowed."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from seawall.atomic import write_text_atomic
from seawall.errors import SeawallError
from seawall.seccomp.baseline import runtime_needs
from seawall.seccomp.docker_default import (
    ENOSYS,
    clone3_enosys_rule,
    clone_rule,
    default_allowed,
    docker_default_profile,
    personality_rules,
    socket_rules_default,
)
from seawall.seccomp.recording import Recording, write_json_atomic
from seawall.seccomp.syscalls import arch, syscall_table

Base = Literal["none", "default"]
FILTERED = ("socket", "personality", "clone")  # calls that get argument filters on request


@dataclass(frozen=True)
class GeneratedProfile:
    """A generated profile, the reason for every allowed call, and what it took away."""

    profile: dict[str, Any]
    reasons: Mapping[str, str]
    arch: str
    no_new_privileges: bool
    base: Base
    recording: Recording
    removed_from_default: tuple[str, ...] = ()
    enosys: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> frozenset[str]:
        """Every syscall some rule of the profile allows (with or without argument filters)."""
        return frozenset(
            name
            for rule in self.profile["syscalls"]
            if rule.get("action") == "SCMP_ACT_ALLOW"
            for name in rule["names"]
        )

    def why_text(self, profile_name: str = "profile.json") -> str:
        """The sidecar: one line per syscall saying why it is allowed (or answered ENOSYS)."""
        rec = self.recording
        default_count = len(default_allowed(self.arch))
        lines = [
            "# seawall seccomp: why each system call is allowed",
            f"# profile: {profile_name}",
            f"# architecture: {self.arch}; no-new-privileges: "
            + ("required (run with --security-opt no-new-privileges)" if self.no_new_privileges
               else "not required"),
            f"# base: {self.base}; recorded runs: {rec.runs}",
            f"# sources: {', '.join(rec.sources) or '-'}",
            f"# allowed: {len(self.allowed)} system calls "
            f"(Docker's default allows {default_count} on {self.arch})",
        ]  # fmt: skip
        lines += [f"# note: {note}" for note in rec.notes]
        lines.append("")
        width = max((len(n) for n in self.reasons), default=8) + 2
        for name in sorted(self.reasons):
            lines.append(f"{name:<{width}}{self.reasons[name]}")
        if self.removed_from_default:
            lines += ["", "# allowed by Docker's default but removed (never observed, not needed):"]
            lines += _wrap(self.removed_from_default)
        return "\n".join(lines) + "\n"


def write_profile(generated: GeneratedProfile, path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write the profile JSON and its ``.why`` sidecar (``web.json`` → ``web.why``) atomically.

    Returns both paths. This is what ``seawall seccomp generate`` and ``harden --seccomp`` write.
    """
    profile_path = Path(path)
    name = profile_path.name
    stem = name[: -len(".json")] if name.endswith(".json") else name
    why_path = profile_path.with_name(stem + ".why")
    write_json_atomic(profile_path, generated.profile)
    write_text_atomic(why_path, generated.why_text(name))
    return profile_path, why_path


def generate(
    recording: Recording,
    *,
    no_new_privileges: bool = False,
    base: Base = "none",
    arg_filters: bool = True,
    extra: Iterable[str] = (),
) -> GeneratedProfile:
    """Build an allow-list profile in Docker's format for what ``recording`` observed.

    The default (``no_new_privileges=False``) profile works with and without no-new-privileges;
    pass True when the container surely runs with it, for a smaller profile. Always added: what
    the container runtime needs between installing the filter and the
    application (``baseline.runtime_needs``; more without ``no_new_privileges``), and
    ``clone3 → ERRNO 38`` so glibc falls back to ``clone`` instead of failing thread creation.
    ``arg_filters`` restricts ``socket`` (to the recorded families, else everything but AF_ALG and
    AF_VSOCK), ``personality`` and ``clone`` (no namespace flags). ``base="default"`` starts from
    Docker's default profile and keeps only its entries that are needed, so its capability gates
    and argument filters stay as Docker wrote them.
    """
    if base not in ("none", "default"):
        raise SeawallError(f"unknown base {base!r} (expected 'none' or 'default')")
    spec = arch(recording.arch)
    known = _known_names(spec.name)
    reasons: dict[str, str] = {}

    runs = f"{recording.runs} run" + ("s" if recording.runs != 1 else "")
    enosys = set(recording.enosys_only) | {"clone3"}
    for name in sorted(recording.names - recording.enosys_only):
        if name == "clone3":
            # Recorded working (a host trace): the profile answers ENOSYS, glibc then uses clone.
            reasons.setdefault(
                "clone", "glibc falls back to clone when clone3 answers ENOSYS (clone3 recorded)"
            )
            continue
        count = recording.syscalls[name]
        reasons[name] = f"recorded: {count} call{'s' if count != 1 else ''} in {runs}"
    for need in runtime_needs(no_new_privileges):
        reasons.setdefault(need.name, f"runtime: {need.reason}")
    for name in extra:
        reasons.setdefault(name, "requested with --allow")
    if known is not None:
        # Arch-specific names from other ABIs (e.g. strace of a 32-bit child) stay in: runc skips
        # names it cannot resolve, and the why file marks them.
        for name, why in list(reasons.items()):
            if name not in known and not name.startswith("syscall_"):
                reasons[name] = why + f" (not a {spec.name} syscall in seawall's table)"
    reasons = {n: r for n, r in reasons.items() if not n.startswith("syscall_")}
    allowed = set(reasons)
    enosys -= allowed
    for name in sorted(enosys):
        reasons[name] = (
            f"not allowed: answered ENOSYS ({ENOSYS}) so libc falls back"
            + (" to clone, whose flags can be filtered" if name == "clone3" else "")
            + ("" if name == "clone3" else "; only ever seen failing with ENOSYS")
        )

    if base == "default":
        profile, removed = _from_default(spec.name, allowed, sorted(enosys))
    else:
        profile = _minimal(spec.name, allowed, sorted(enosys), recording, arg_filters)
        removed = []
    return GeneratedProfile(
        profile=profile,
        reasons=dict(sorted(reasons.items())),
        arch=spec.name,
        no_new_privileges=no_new_privileges,
        base=base,
        recording=recording,
        removed_from_default=tuple(removed),
        enosys=tuple(sorted(enosys)),
    )


def _arch_map(arch_name: str) -> list[dict[str, Any]]:
    spec = arch(arch_name)
    return [{"architecture": spec.scmp, "subArchitectures": list(spec.sub) or None}]


def _minimal(
    arch_name: str,
    allowed: set[str],
    enosys: list[str],
    recording: Recording,
    arg_filters: bool,
) -> dict[str, Any]:
    plain = sorted(allowed - set(FILTERED)) if arg_filters else sorted(allowed)
    rules: list[dict[str, Any]] = [
        {
            "names": plain,
            "action": "SCMP_ACT_ALLOW",
            "comment": "seawall: recorded calls and what the runtime needs (see the .why file)",
        }
    ]
    if arg_filters:
        if "socket" in allowed:
            families = sorted(recording.socket_families)
            if families:
                rules += [
                    {
                        "names": ["socket"],
                        "action": "SCMP_ACT_ALLOW",
                        "args": [{"index": 0, "value": family, "op": "SCMP_CMP_EQ"}],
                        "comment": f"seawall: socket family {family} was recorded",
                    }
                    for family in families
                ]
            else:
                rules += socket_rules_default()
        if "personality" in allowed:
            rules += personality_rules()
        if "clone" in allowed:
            rules.append(clone_rule(arch_name))
    for name in enosys:
        rule = clone3_enosys_rule() if name == "clone3" else _errno_rule(name)
        rules.append(rule)
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "archMap": _arch_map(arch_name),
        "syscalls": rules,
    }


def _from_default(
    arch_name: str, allowed: set[str], enosys: list[str]
) -> tuple[dict[str, Any], list[str]]:
    profile = docker_default_profile()
    kept: list[dict[str, Any]] = []
    covered: set[str] = set()
    for rule in profile["syscalls"]:
        if rule.get("action") != "SCMP_ACT_ALLOW":
            kept.append(rule)  # clone3 → ENOSYS stays as Docker wrote it
            continue
        names = [n for n in rule["names"] if n in allowed]
        if names:
            kept.append({**rule, "names": names})
            if "includes" not in rule or set(rule["includes"]) == {"minKernel"}:
                covered.update(names)
    missing = sorted(allowed - covered - {"clone"})
    if missing:
        kept.append(
            {
                "names": missing,
                "action": "SCMP_ACT_ALLOW",
                "comment": "seawall: needed by the workload or runtime but not in Docker's default",
            }
        )
    for name in enosys:
        if name != "clone3":
            kept.append(_errno_rule(name))
    profile["archMap"] = _arch_map(arch_name)
    profile["syscalls"] = kept
    removed = sorted(default_allowed(arch_name) - allowed - {"clone"})
    return profile, removed


def _errno_rule(name: str) -> dict[str, Any]:
    return {"names": [name], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS}


def _known_names(arch_name: str) -> frozenset[str] | None:
    try:
        return syscall_table(arch_name).names()
    except SeawallError:
        return None


def _wrap(names: Iterable[str], width: int = 96) -> list[str]:
    lines: list[str] = []
    current = "#"
    for name in names:
        if len(current) + len(name) + 1 > width:
            lines.append(current)
            current = "#"
        current += " " + name
    if current != "#":
        lines.append(current)
    return lines
