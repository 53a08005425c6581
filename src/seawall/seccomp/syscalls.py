"""System call tables and architecture names: kernel, Docker/libseccomp and audit spellings."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from seawall.errors import SeawallError


@dataclass(frozen=True)
class Arch:
    """One architecture under its several names.

    ``name`` is the kernel's (``uname -m``), ``scmp`` the libseccomp/Docker constant, ``audit`` the
    ``AUDIT_ARCH_*`` value printed as ``arch=`` in audit records, ``sub`` the compat ABIs a Docker
    ``archMap`` lists beside it.
    """

    name: str
    scmp: str
    audit: int
    sub: tuple[str, ...] = ()
    table: str | None = None  # data file with its syscall numbers, when seawall ships one


ARCHES: tuple[Arch, ...] = (
    Arch("x86_64", "SCMP_ARCH_X86_64", 0xC000003E, ("SCMP_ARCH_X86", "SCMP_ARCH_X32"), "x86_64"),
    Arch("aarch64", "SCMP_ARCH_AARCH64", 0xC00000B7, ("SCMP_ARCH_ARM",), "aarch64"),
    Arch("x86", "SCMP_ARCH_X86", 0x40000003, (), "x86"),
    Arch("arm", "SCMP_ARCH_ARM", 0x40000028),
    Arch("s390x", "SCMP_ARCH_S390X", 0x80000016, ("SCMP_ARCH_S390",)),
    Arch("riscv64", "SCMP_ARCH_RISCV64", 0xC00000F3),
    Arch("ppc64le", "SCMP_ARCH_PPC64LE", 0xC0000015),
)

# Other spellings users and tools write: Docker/Go GOARCH names and uname variants.
_ALIASES = {
    "amd64": "x86_64",
    "x86-64": "x86_64",
    "arm64": "aarch64",
    "i386": "x86",
    "i686": "x86",
    "386": "x86",
    "armv7l": "arm",
    "armhf": "arm",
}

KNOWN_SCMP_ARCHES = frozenset(
    {a.scmp for a in ARCHES}
    | {s for a in ARCHES for s in a.sub}
    | {
        "SCMP_ARCH_X32",
        "SCMP_ARCH_MIPS",
        "SCMP_ARCH_MIPS64",
        "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32",
        "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",
        "SCMP_ARCH_S390",
        "SCMP_ARCH_PARISC",
        "SCMP_ARCH_PARISC64",
        "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K",
        "SCMP_ARCH_SH",
        "SCMP_ARCH_SHEB",
    }
)


def arch(name: str) -> Arch:
    """Look an architecture up by kernel, GOARCH or libseccomp name."""
    key = name.strip()
    for candidate in ARCHES:
        if key in (candidate.name, candidate.scmp):
            return candidate
    alias = _ALIASES.get(key.lower())
    if alias is not None:
        return arch(alias)
    known = ", ".join(a.name for a in ARCHES)
    raise SeawallError(f"unknown architecture {name!r} (known: {known})")


def arch_from_audit(code: int) -> Arch:
    """The architecture an audit record's ``arch=`` hex value names."""
    for candidate in ARCHES:
        if candidate.audit == code:
            return candidate
    raise SeawallError(f"unknown audit architecture 0x{code:x}")


def host_arch() -> Arch:
    """The architecture of the machine seawall runs on."""
    return arch(platform.machine())


@dataclass(frozen=True)
class SyscallTable:
    """Number ↔ name for one architecture."""

    arch: str
    by_number: Mapping[int, str]
    by_name: Mapping[str, int]

    def name(self, number: int) -> str | None:
        """The syscall called ``number``, or None when the table does not know it."""
        return self.by_number.get(number)

    def number(self, name: str) -> int | None:
        """The number of syscall ``name``, or None."""
        return self.by_name.get(name)

    def names(self) -> frozenset[str]:
        """Every syscall name of this architecture."""
        return frozenset(self.by_name)


@cache
def syscall_table(arch_name: str) -> SyscallTable:
    """The syscall table seawall ships for ``arch_name`` (x86_64, aarch64, x86)."""
    spec = arch(arch_name)
    if spec.table is None:
        raise SeawallError(f"no syscall table for architecture {spec.name}")
    data = resources.files("seawall") / "data" / "seccomp" / f"syscalls-{spec.table}.txt"
    by_number: dict[int, str] = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        number, name = line.split()
        by_number[int(number)] = name
    by_name = {name: number for number, name in by_number.items()}
    return SyscallTable(spec.name, by_number, by_name)
