"""Syscall tables and architecture names."""

from __future__ import annotations

import pytest

from seawall.errors import SeawallError
from seawall.seccomp.syscalls import arch, arch_from_audit, syscall_table


@pytest.mark.parametrize(
    ("arch_name", "name", "number"),
    [
        ("x86_64", "read", 0),
        ("x86_64", "mount", 165),
        ("x86_64", "unshare", 272),
        ("x86_64", "clone3", 435),
        ("x86_64", "faccessat2", 439),
        ("x86_64", "mseal", 462),
        ("aarch64", "mount", 40),
        ("aarch64", "clone3", 435),
        ("x86", "chmod", 15),
    ],
)
def test_known_numbers(arch_name: str, name: str, number: int) -> None:
    table = syscall_table(arch_name)
    assert table.number(name) == number
    assert table.name(number) == name


def test_aarch64_has_no_legacy_calls() -> None:
    names = syscall_table("arm64").names()
    assert "open" not in names and "chmod" not in names
    assert {"openat", "fchmodat", "newfstatat"} <= names


@pytest.mark.parametrize(
    ("alias", "kernel"),
    [("amd64", "x86_64"), ("SCMP_ARCH_X86_64", "x86_64"), ("arm64", "aarch64"), ("i386", "x86")],
)
def test_arch_aliases(alias: str, kernel: str) -> None:
    assert arch(alias).name == kernel


def test_audit_codes() -> None:
    assert arch_from_audit(0xC000003E).name == "x86_64"
    assert arch_from_audit(0xC00000B7).name == "aarch64"
    assert arch_from_audit(0x40000003).name == "x86"


def test_unknown_arch_is_a_one_line_error() -> None:
    with pytest.raises(SeawallError, match="unknown architecture 'vax'"):
        arch("vax")
    with pytest.raises(SeawallError, match="no syscall table"):
        syscall_table("riscv64")
