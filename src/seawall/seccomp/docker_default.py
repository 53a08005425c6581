"""Docker's default seccomp profile, from ``data/seccomp/docker-default.txt``."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from seawall.errors import SeawallError
from seawall.seccomp.syscalls import arch, syscall_table

# Docker/Go architecture names used in a rule's ``includes.arches``, by kernel architecture.
GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "x86": "x86", "arm": "arm", "s390x": "s390x",
          "riscv64": "riscv64", "ppc64le": "ppc64le"}  # fmt: skip

ARCH_MAP: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("SCMP_ARCH_X86_64", ("SCMP_ARCH_X86", "SCMP_ARCH_X32")),
    ("SCMP_ARCH_AARCH64", ("SCMP_ARCH_ARM",)),
    ("SCMP_ARCH_MIPS64", ("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32")),
    ("SCMP_ARCH_MIPS64N32", ("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64")),
    ("SCMP_ARCH_MIPSEL64", ("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32")),
    ("SCMP_ARCH_MIPSEL64N32", ("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64")),
    ("SCMP_ARCH_S390X", ("SCMP_ARCH_S390",)),
    ("SCMP_ARCH_RISCV64", None),
    ("SCMP_ARCH_LOONGARCH64", None),
)

CLONE_NAMESPACE_MASK = 0x7E020000  # CLONE_NEW* flags: clone may create no namespace
PERSONALITY_ALLOWED = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)  # LINUX, UNAME26 variants, query
ENOSYS = 38


@dataclass(frozen=True)
class Group:
    """One ``[allow ...]`` section of the data file."""

    names: tuple[str, ...]
    min_kernel: str | None = None
    arches: tuple[str, ...] = ()
    caps: tuple[str, ...] = ()


@cache
def groups() -> tuple[Group, ...]:
    """The allow groups of Docker's default profile, in file order."""
    text = (resources.files("seawall") / "data" / "seccomp" / "docker-default.txt").read_text(
        encoding="utf-8"
    )
    result: list[Group] = []
    header: dict[str, str] | None = None
    names: list[str] = []

    def flush() -> None:
        if header is not None:
            result.append(
                Group(
                    names=tuple(names),
                    min_kernel=header.get("minKernel"),
                    arches=tuple(filter(None, header.get("arches", "").split(","))),
                    caps=tuple(filter(None, header.get("caps", "").split(","))),
                )
            )

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            flush()
            words = line[1:-1].split()
            header = dict(word.split("=", 1) for word in words[1:])
            names = []
        else:
            names.extend(line.split())
    flush()
    return tuple(result)


def socket_rules_default() -> list[dict[str, Any]]:
    """Docker's socket filter: every family except AF_ALG (38) and AF_VSOCK (40)."""
    return [
        _allow(["socket"], args=[_arg(0, 38, "SCMP_CMP_LT")]),
        _allow(["socket"], args=[_arg(0, 39, "SCMP_CMP_EQ")]),
        _allow(["socket"], args=[_arg(0, 40, "SCMP_CMP_GT")]),
    ]


def personality_rules() -> list[dict[str, Any]]:
    """personality() only for the harmless personas Docker allows."""
    return [_allow(["personality"], args=[_arg(0, v, "SCMP_CMP_EQ")]) for v in PERSONALITY_ALLOWED]


def clone_rule(arch_name: str) -> dict[str, Any]:
    """clone() without namespace flags (s390 passes the flags as the second argument)."""
    index = 1 if arch(arch_name).name == "s390x" else 0
    return _allow(["clone"], args=[_arg(index, CLONE_NAMESPACE_MASK, "SCMP_CMP_MASKED_EQ", 0)])


def clone3_enosys_rule() -> dict[str, Any]:
    """clone3 answered with ENOSYS so glibc falls back to clone, whose flags can be filtered."""
    return {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS}


@cache
def _profile() -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    for group in groups():
        rule = _allow(list(group.names))
        includes: dict[str, Any] = {}
        if group.min_kernel:
            includes["minKernel"] = group.min_kernel
        if group.arches:
            includes["arches"] = list(group.arches)
        if group.caps:
            includes["caps"] = list(group.caps)
        if includes:
            rule["includes"] = includes
        rules.append(rule)
        if not group.caps and not group.arches and not group.min_kernel:
            # The filtered calls follow the unconditional list, as in Docker's own file.
            rules.extend(socket_rules_default())
            rules.extend(personality_rules())
    without_admin = {"caps": ["CAP_SYS_ADMIN"]}
    clone = clone_rule("x86_64")
    clone["excludes"] = {**without_admin, "arches": ["s390", "s390x"]}
    clone_s390 = clone_rule("s390x")
    clone_s390["includes"] = {"arches": ["s390", "s390x"]}
    clone_s390["excludes"] = dict(without_admin)
    clone3 = clone3_enosys_rule()
    clone3["excludes"] = dict(without_admin)
    rules.extend([clone, clone_s390, clone3])
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "archMap": [
            {"architecture": main, "subArchitectures": list(sub) if sub is not None else None}
            for main, sub in ARCH_MAP
        ],
        "syscalls": rules,
    }


def docker_default_profile() -> dict[str, Any]:
    """Docker's default profile as a Docker-format mapping (a fresh copy each call)."""
    return copy.deepcopy(_profile())


def default_allowed(arch_name: str, caps: frozenset[str] = frozenset()) -> frozenset[str]:
    """The syscalls Docker's default lets a container on ``arch_name`` call, with or without
    argument filters, given the capabilities in its bounding set (none added by default).

    Only names that exist on ``arch_name`` count, so the figure compares with a generated profile.
    """
    spec = arch(arch_name)
    goarch = GOARCH.get(spec.name, spec.name)
    allowed: set[str] = {"socket", "personality"}
    if "CAP_SYS_ADMIN" not in caps:
        allowed.add("clone")
    for group in groups():
        if group.arches and goarch not in group.arches:
            continue
        if group.caps and not set(group.caps) <= caps:
            continue
        allowed.update(group.names)
    try:
        return frozenset(allowed & syscall_table(spec.name).names())
    except SeawallError:  # no table for this architecture: count names as written
        return frozenset(allowed)


def _allow(names: list[str], args: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"names": names, "action": "SCMP_ACT_ALLOW"}
    if args:
        rule["args"] = args
    return rule


def _arg(index: int, value: int, op: str, value_two: int = 0) -> dict[str, Any]:
    arg: dict[str, Any] = {"index": index, "value": value, "op": op}
    if op == "SCMP_CMP_MASKED_EQ":
        arg["valueTwo"] = value_two
    return arg
