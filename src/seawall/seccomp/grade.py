"""Grade a Docker seccomp profile: permissive default, dangerous calls, architectures, syntax.

Pure functions over the decoded JSON; ``rules.py`` turns the issues into findings for the engine.
Docker decodes profiles with Go's ``encoding/json``, which matches keys case-insensitively, so the
grader does too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from seawall.errors import SeawallError
from seawall.model.finding import Severity
from seawall.seccomp.docker_default import groups
from seawall.seccomp.syscalls import KNOWN_SCMP_ARCHES, arch, host_arch, syscall_table

ACTIONS = frozenset(
    {
        "SCMP_ACT_KILL",
        "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW",
        "SCMP_ACT_LOG",
        "SCMP_ACT_NOTIFY",
    }
)
PERMISSIVE = frozenset({"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY"})
OPERATORS = frozenset(
    {
        "SCMP_CMP_NE",
        "SCMP_CMP_LT",
        "SCMP_CMP_LE",
        "SCMP_CMP_EQ",
        "SCMP_CMP_GE",
        "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    }
)
TOP_KEYS = (
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "archMap",
    "syscalls",
    "listenerPath",
    "listenerMetadata",
    "flags",
)
RULE_KEYS = ("names", "name", "action", "args", "comment", "includes", "excludes", "errnoRet")
ARG_KEYS = ("index", "value", "valueTwo", "op")
FILTER_KEYS = ("arches", "caps", "minKernel")
ARCHMAP_KEYS = ("architecture", "subArchitectures")

# Calls that let a process escape or attack the kernel, with why.
DANGEROUS: dict[str, tuple[Severity, str]] = {
    "mount": (Severity.HIGH, "mounts filesystems (container escape with CAP_SYS_ADMIN)"),
    "umount": (Severity.HIGH, "unmounts filesystems, uncovering masked paths"),
    "umount2": (Severity.HIGH, "unmounts filesystems, uncovering masked paths"),
    "unshare": (Severity.HIGH, "creates namespaces (user namespaces give root-like powers)"),
    "setns": (Severity.HIGH, "joins other namespaces"),
    "pivot_root": (Severity.HIGH, "changes the root filesystem"),
    "chroot": (Severity.MEDIUM, "changes the root directory"),
    "ptrace": (
        Severity.MEDIUM,
        "traces and rewrites other processes (Docker's default allows it "
        "only on kernels >= 4.8, where it can no longer bypass seccomp)",
    ),
    "process_vm_writev": (Severity.MEDIUM, "writes other processes' memory"),
    "process_vm_readv": (Severity.LOW, "reads other processes' memory"),
    "bpf": (Severity.HIGH, "loads eBPF programs into the kernel"),
    "perf_event_open": (Severity.HIGH, "perf events: a frequent kernel attack surface and leak"),
    "keyctl": (Severity.HIGH, "the kernel keyring is not namespaced"),
    "add_key": (Severity.HIGH, "the kernel keyring is not namespaced"),
    "request_key": (Severity.HIGH, "the kernel keyring is not namespaced"),
    "kexec_load": (Severity.CRITICAL, "loads a new kernel"),
    "kexec_file_load": (Severity.CRITICAL, "loads a new kernel"),
    "init_module": (Severity.CRITICAL, "loads kernel modules"),
    "finit_module": (Severity.CRITICAL, "loads kernel modules"),
    "delete_module": (Severity.CRITICAL, "unloads kernel modules"),
    "open_by_handle_at": (Severity.CRITICAL, "opens host files by handle (the 'shocker' escape)"),
    "userfaultfd": (Severity.HIGH, "stalls page faults: a building block for kernel exploits"),
    "io_uring_setup": (Severity.HIGH, "io_uring: large kernel attack surface, bypasses seccomp"),
    "io_uring_enter": (Severity.HIGH, "io_uring: large kernel attack surface, bypasses seccomp"),
    "io_uring_register": (Severity.HIGH, "io_uring: large kernel attack surface, bypasses seccomp"),
    "fsopen": (Severity.HIGH, "new mount API"),
    "fsmount": (Severity.HIGH, "new mount API"),
    "fsconfig": (Severity.HIGH, "new mount API"),
    "fspick": (Severity.HIGH, "new mount API"),
    "move_mount": (Severity.HIGH, "new mount API"),
    "open_tree": (Severity.HIGH, "new mount API"),
    "mount_setattr": (Severity.HIGH, "changes mount attributes"),
    "reboot": (Severity.HIGH, "reboots the host (or the pid namespace)"),
    "swapon": (Severity.HIGH, "host swap configuration"),
    "swapoff": (Severity.HIGH, "host swap configuration"),
    "acct": (Severity.MEDIUM, "host process accounting"),
    "syslog": (Severity.MEDIUM, "reads the kernel log (address leaks)"),
    "lookup_dcookie": (Severity.MEDIUM, "kernel profiling interface"),
    "quotactl": (Severity.MEDIUM, "filesystem quotas"),
    "iopl": (Severity.HIGH, "raw I/O port access"),
    "ioperm": (Severity.HIGH, "raw I/O port access"),
    "settimeofday": (Severity.MEDIUM, "the clock is not namespaced"),
    "clock_settime": (Severity.MEDIUM, "the clock is not namespaced"),
    "stime": (Severity.MEDIUM, "the clock is not namespaced"),
    "sethostname": (Severity.LOW, "UTS namespace changes"),
    "setdomainname": (Severity.LOW, "UTS namespace changes"),
    "vhangup": (Severity.LOW, "hangs up the terminal"),
    "kcmp": (Severity.MEDIUM, "compares kernel objects of other processes"),
    "pidfd_getfd": (Severity.MEDIUM, "steals file descriptors from other processes"),
    "uselib": (Severity.MEDIUM, "obsolete, has had exploitable bugs"),
    "vm86": (Severity.MEDIUM, "obsolete"),
    "vm86old": (Severity.MEDIUM, "obsolete"),
    "nfsservctl": (Severity.LOW, "obsolete"),
    "create_module": (Severity.CRITICAL, "loads kernel modules (obsolete)"),
    "get_kernel_syms": (Severity.MEDIUM, "kernel symbol addresses (obsolete)"),
    "query_module": (Severity.MEDIUM, "kernel module information (obsolete)"),
    "fanotify_init": (Severity.MEDIUM, "watches the host's filesystems"),
}

# Calls a profile should allow only with argument filters, and what the filter stops.
FILTER_WANTED: dict[str, tuple[Severity, str]] = {
    "clone": (Severity.MEDIUM, "without a flags filter clone(CLONE_NEWUSER|…) creates namespaces "
              "even though unshare is denied"),
    "socket": (Severity.LOW, "without a family filter AF_ALG and AF_VSOCK reach the kernel"),
    "personality": (Severity.LOW, "without a filter personality can turn off ASLR "
                    "(ADDR_NO_RANDOMIZE) and select other execution domains"),
}  # fmt: skip


@dataclass(frozen=True)
class ProfileIssue:
    """One problem with a profile: a stable code (``SC001``…), severity, message, JSON pointer."""

    code: str
    severity: Severity
    message: str
    pointer: str = ""
    syscall: str | None = None


def grade(
    profile: Any, source: str = "<profile>", *, target_arch: str | None = None
) -> list[ProfileIssue]:
    """Every issue in ``profile`` (a decoded Docker seccomp profile), in document order.

    ``target_arch`` is the architecture the profile will run on (default: this machine); it
    decides which ``archMap`` entry applies and which names are real syscalls.
    """
    del source  # kept in the signature for callers that report it; issues carry pointers
    spec = arch(target_arch) if target_arch else host_arch()
    issues: list[ProfileIssue] = []
    if not isinstance(profile, dict):
        return [ProfileIssue("SC005", Severity.HIGH, "a seccomp profile must be a JSON object", "")]
    top = _canonical(profile, TOP_KEYS, "", issues)
    issues += _default_action(top)
    issues += _architectures(top, spec.name)
    rules = top.get("syscalls")
    if rules is None:
        rules = []
    elif not isinstance(rules, list):
        issues.append(ProfileIssue("SC005", Severity.HIGH, "syscalls must be a list", "/syscalls"))
        rules = []
    default_action = top.get("defaultAction")
    allow_list = default_action not in PERMISSIVE
    named: set[str] = set()
    allowed_unfiltered: dict[str, str] = {}
    for index, raw in enumerate(rules):
        pointer = f"/syscalls/{index}"
        if not isinstance(raw, dict):
            issues.append(
                ProfileIssue("SC005", Severity.HIGH, "a syscalls entry must be an object", pointer)
            )
            continue
        rule = _canonical(raw, RULE_KEYS, pointer, issues)
        names = _names(rule, pointer, issues)
        named.update(n for n, _ in names)
        action = rule.get("action")
        if action not in ACTIONS:
            issues.append(_bad_action(action, pointer + "/action", required=True))
        _check_args(rule.get("args"), pointer, issues)
        _check_filters(rule, pointer, issues)
        if "errnoRet" in rule and not _is_int(rule["errnoRet"]):
            issues.append(
                ProfileIssue(
                    "SC005", Severity.HIGH, "errnoRet must be an integer", pointer + "/errnoRet"
                )
            )
        raw_includes = rule.get("includes")
        includes: dict[str, Any] = raw_includes if isinstance(raw_includes, dict) else {}
        gated = bool(_canonical_quiet(includes, FILTER_KEYS).get("caps"))
        if action != "SCMP_ACT_ALLOW" or gated:
            continue
        for name, name_pointer in names:
            if name in DANGEROUS and not rule.get("args"):
                severity, why = DANGEROUS[name]
                issues.append(
                    ProfileIssue("SC002", severity, f"{name} is allowed: {why}", name_pointer, name)
                )
            if not rule.get("args"):
                allowed_unfiltered.setdefault(name, name_pointer)
    if allow_list:
        for name, (severity, why) in FILTER_WANTED.items():
            if name in allowed_unfiltered:
                issues.append(
                    ProfileIssue(
                        "SC003",
                        severity,
                        f"{name} is allowed without argument filters: {why}",
                        allowed_unfiltered[name],
                        name,
                    )
                )
        issues += _unknown_names(rules, spec.name)
        if (
            default_action == "SCMP_ACT_ERRNO"
            and "clone3" not in named
            and ("clone" in named or "clone3" in _all_names())
        ):
            issues.append(
                ProfileIssue(
                    "SC007",
                    Severity.MEDIUM,
                    "clone3 is not named, so it gets the default errno (EPERM) and glibc does not "
                    "fall back to clone: thread creation can fail, depending on which other calls "
                    'the profile lists; add {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", '
                    '"errnoRet": 38}',
                    "/syscalls",
                    "clone3",
                )
            )
    return issues


def _default_action(top: Mapping[str, Any]) -> list[ProfileIssue]:
    if "defaultAction" not in top:
        return [ProfileIssue("SC005", Severity.HIGH, "defaultAction is missing", "")]
    action = top["defaultAction"]
    if action not in ACTIONS:
        return [_bad_action(action, "/defaultAction", required=True)]
    if action == "SCMP_ACT_ALLOW":
        return [ProfileIssue("SC001", Severity.HIGH,
                             "defaultAction SCMP_ACT_ALLOW: every call not listed is allowed, so "
                             "the profile is a deny-list and new kernel calls are open by default",
                             "/defaultAction")]  # fmt: skip
    if action in PERMISSIVE:
        return [ProfileIssue("SC001", Severity.HIGH,
                             f"defaultAction {action}: nothing is denied (a learning or tracing "
                             "profile left in place)", "/defaultAction")]  # fmt: skip
    issues: list[ProfileIssue] = []
    errno = top.get("defaultErrnoRet")
    if errno is not None and not _is_int(errno):
        issues.append(
            ProfileIssue(
                "SC005", Severity.HIGH, "defaultErrnoRet must be an integer", "/defaultErrnoRet"
            )
        )
    return issues


def _architectures(top: Mapping[str, Any], arch_name: str) -> Iterator[ProfileIssue]:
    arches, arch_map = top.get("architectures"), top.get("archMap")
    if arches and arch_map:
        yield ProfileIssue(
            "SC004",
            Severity.HIGH,
            "the profile has both architectures and archMap; Docker refuses it "
            "('use either architectures or archMap')",
            "/archMap",
        )
    if not arches and not arch_map:
        yield ProfileIssue(
            "SC004",
            Severity.LOW,
            "neither architectures nor archMap: the filter is built for the "
            "daemon's native ABI only, and this allow-list says nothing about "
            "calls made through compat ABIs (e.g. 32-bit x86 on x86_64)",
            "",
        )
    if arches is not None:
        if not isinstance(arches, list):
            yield ProfileIssue(
                "SC005", Severity.HIGH, "architectures must be a list", "/architectures"
            )
        else:
            for i, name in enumerate(arches):
                if name not in KNOWN_SCMP_ARCHES:
                    yield ProfileIssue(
                        "SC005",
                        Severity.HIGH,
                        f"unknown architecture {name!r}",
                        f"/architectures/{i}",
                    )
    if arch_map is not None:
        if not isinstance(arch_map, list):
            yield ProfileIssue("SC005", Severity.HIGH, "archMap must be a list", "/archMap")
            return
        mains: list[str] = []
        for i, entry in enumerate(arch_map):
            pointer = f"/archMap/{i}"
            if not isinstance(entry, dict):
                yield ProfileIssue(
                    "SC005", Severity.HIGH, "an archMap entry must be an object", pointer
                )
                continue
            bucket: list[ProfileIssue] = []
            item = _canonical(entry, ARCHMAP_KEYS, pointer, bucket)
            yield from bucket
            main = item.get("architecture")
            if main not in KNOWN_SCMP_ARCHES:
                yield ProfileIssue(
                    "SC005",
                    Severity.HIGH,
                    f"unknown architecture {main!r}",
                    pointer + "/architecture",
                )
            else:
                mains.append(main)
            for j, sub in enumerate(item.get("subArchitectures") or []):
                if sub not in KNOWN_SCMP_ARCHES:
                    yield ProfileIssue(
                        "SC005",
                        Severity.HIGH,
                        f"unknown architecture {sub!r}",
                        f"{pointer}/subArchitectures/{j}",
                    )
        wanted = arch(arch_name).scmp
        if mains and wanted not in mains:
            yield ProfileIssue(
                "SC004",
                Severity.MEDIUM,
                f"archMap has no entry for {wanted}: on a {arch_name} host Docker "
                "applies no architecture list from this profile",
                "/archMap",
            )


def _names(
    rule: Mapping[str, Any], pointer: str, issues: list[ProfileIssue]
) -> list[tuple[str, str]]:
    if "names" in rule:
        names = rule["names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            issues.append(
                ProfileIssue(
                    "SC005", Severity.HIGH, "names must be a list of strings", pointer + "/names"
                )
            )
            return []
        return [(n, f"{pointer}/names/{i}") for i, n in enumerate(names)]
    if "name" in rule and isinstance(rule["name"], str):  # the pre-1.12 single-name form
        return [(rule["name"], pointer + "/name")]
    issues.append(ProfileIssue("SC005", Severity.HIGH, "a syscalls entry needs names", pointer))
    return []


def _check_args(args: Any, pointer: str, issues: list[ProfileIssue]) -> None:
    if args is None:
        return
    if not isinstance(args, list):
        issues.append(
            ProfileIssue("SC005", Severity.HIGH, "args must be a list", pointer + "/args")
        )
        return
    for i, raw in enumerate(args):
        where = f"{pointer}/args/{i}"
        if not isinstance(raw, dict):
            issues.append(
                ProfileIssue("SC005", Severity.HIGH, "an args entry must be an object", where)
            )
            continue
        arg = _canonical(raw, ARG_KEYS, where, issues)
        index = arg.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= 5:
            issues.append(
                ProfileIssue("SC005", Severity.HIGH, "args index must be 0..5", where + "/index")
            )
        for key in ("value", "valueTwo"):
            if key in arg and (not _is_int(arg[key]) or arg[key] < 0):
                issues.append(
                    ProfileIssue(
                        "SC005",
                        Severity.HIGH,
                        f"{key} must be a non-negative integer",
                        f"{where}/{key}",
                    )
                )
        if arg.get("op") not in OPERATORS:
            issues.append(
                ProfileIssue(
                    "SC005", Severity.HIGH, f"unknown comparison {arg.get('op')!r}", where + "/op"
                )
            )


def _check_filters(rule: Mapping[str, Any], pointer: str, issues: list[ProfileIssue]) -> None:
    for key in ("includes", "excludes"):
        if key not in rule:
            continue
        value = rule[key]
        if not isinstance(value, dict):
            issues.append(
                ProfileIssue("SC005", Severity.HIGH, f"{key} must be an object", f"{pointer}/{key}")
            )
            continue
        _canonical(value, FILTER_KEYS, f"{pointer}/{key}", issues)


def _unknown_names(rules: list[Any], arch_name: str) -> Iterator[ProfileIssue]:
    known = _all_names()
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        names = _canonical_quiet(rule, RULE_KEYS).get("names")
        if not isinstance(names, list):
            continue
        for i, name in enumerate(names):
            if isinstance(name, str) and name not in known:
                yield ProfileIssue(
                    "SC006",
                    Severity.LOW,
                    f"{name!r} is not a system call seawall knows (for {arch_name} "
                    "or any other table): runc skips names it cannot resolve, so a "
                    "typo silently changes nothing",
                    f"/syscalls/{index}/names/{i}",
                    name,
                )


@cache
def _all_names() -> frozenset[str]:
    names: set[str] = set()
    for table in ("x86_64", "aarch64", "x86"):
        with contextlib.suppress(SeawallError):
            names |= syscall_table(table).names()
    for group in groups():
        names.update(group.names)
    names.update(DANGEROUS)
    return frozenset(names)


def _canonical(
    mapping: Mapping[str, Any], keys: tuple[str, ...], pointer: str, issues: list[ProfileIssue]
) -> dict[str, Any]:
    """Keys folded to their canonical spelling, as Go's case-insensitive decoder does."""
    lookup = {key.lower(): key for key in keys}
    result: dict[str, Any] = {}
    for key, value in mapping.items():
        canonical = lookup.get(str(key).lower())
        if canonical is None:
            issues.append(
                ProfileIssue(
                    "SC005",
                    Severity.MEDIUM,
                    f"unknown key {key!r} (Docker ignores it)",
                    f"{pointer}/{key}",
                )
            )
            continue
        result[canonical] = value
    return result


def _canonical_quiet(mapping: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return _canonical(mapping, keys, "", [])


def _bad_action(action: Any, pointer: str, *, required: bool) -> ProfileIssue:
    what = "missing" if action is None and required else f"unknown ({action!r})"
    return ProfileIssue("SC005", Severity.HIGH, f"action {what}", pointer)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
