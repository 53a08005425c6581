"""The DF001 fix: run the shipped stage as an unprivileged user suited to its base image family.

The family decides how the user is created: Debian/Ubuntu and RPM distributions use shadow's
``groupadd``/``useradd``, Alpine and busybox use busybox ``addgroup``/``adduser``, distroless,
Chainguard and ``scratch`` images have no shell and get their conventional ``nonroot`` id
(65532). Only the WORKDIR is handed to the new user (non-recursively): the application may create
files there, but its copied code stays root-owned and read-only to it.
"""

from __future__ import annotations

from seawall.lazy_re import glob_set, lazy_pattern
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Instruction, Stage
from seawall.rules.dockerfile._security_util import commands_named
from seawall.rules.dockerfile._util import (
    ShellCommand,
    image_ref,
    is_root_user,
    shell_commands,
    stage_is_posix,
)

NONROOT_ID = "65532"
# Instructions whose effect depends on the user in force: the final USER must come after them.
_BUILD_TIME = frozenset({"RUN", "COPY", "ADD", "WORKDIR", "USER", "SHELL", "VOLUME", "ONBUILD"})
_SHELLLESS_GLOBS = glob_set(("gcr.io/distroless/*", "cgr.dev/chainguard/*", "scratch"))
_DEBIAN_IMAGES = frozenset(
    {
        "debian",
        "ubuntu",
        "buildpack-deps",
        "python",
        "node",
        "ruby",
        "golang",
        "rust",
        "openjdk",
        "eclipse-temurin",
        "php",
        "perl",
        "gcc",
        "maven",
        "gradle",
        "elixir",
        "erlang",
        "haproxy",
        "nginx",
        "httpd",
    }
)
_ALPINE_IMAGES = frozenset({"alpine", "busybox"})
_RPM_IMAGES = frozenset({"fedora", "centos", "rockylinux", "almalinux"})
_NOT_SHELL_TAGS = ("windowsservercore", "nanoserver", "minimal", "micro", "distroless")
# Tags that name the Debian or Ubuntu release an image is built on.
_DEBIAN_TAGS = lazy_pattern(
    r"(?:^|[-_.])(?:debian|ubuntu|buster|bullseye|bookworm|trixie|focal|jammy|noble)(?:$|[-_.\d])"
)


# Non-root users that images create themselves: (glob on the base reference, user name).
BUILTIN_USERS = (
    ("node:*", "node"),
    ("docker.io/library/node:*", "node"),
    ("mcr.microsoft.com/*devcontainers/javascript-node*", "node"),
    ("mcr.microsoft.com/*devcontainers/typescript-node*", "node"),
    ("mcr.microsoft.com/*devcontainers/universal*", "codespace"),
    ("mcr.microsoft.com/*devcontainers/*", "vscode"),
)


_BUILTIN_USER_GLOBS = glob_set([pattern for pattern, _ in BUILTIN_USERS])


def builtin_user(base: str | None) -> str | None:
    """The non-root user a well-known base image already has, if any."""
    if base is None:
        return None
    found = _BUILTIN_USER_GLOBS.match(base)
    if found is not None and found.lastindex is not None:
        return BUILTIN_USERS[found.lastindex - 1][1]
    return None


def image_family(base: str | None) -> str:
    """The user-tooling family of a base image reference; ``unknown`` when not recognised."""
    if base is None or "$" in base:
        return "unknown"
    if _SHELLLESS_GLOBS.match(base.lower()):
        return "shellless"
    ref = image_ref(base)
    repository = ref.repository.lower()
    name = repository.removeprefix("library/").rsplit("/", 1)[-1]
    tag = (ref.tag or "latest").lower()
    if any(marker in tag for marker in _NOT_SHELL_TAGS):
        return "unknown"
    if name in _ALPINE_IMAGES or "alpine" in tag:
        return "alpine"
    if name in _RPM_IMAGES:
        return "rpm"
    if name in _DEBIAN_IMAGES or _DEBIAN_TAGS.search(tag):
        return "debian"
    return "unknown"


def _family_from_commands(df: Dockerfile, stages: list[Stage]) -> str:
    """The family suggested by the package manager the stage lineage runs, if any."""
    found = "unknown"
    for stage in stages:
        for instr in stage.instructions:
            for cmd in shell_commands(df, stage, instr):
                if cmd.name in ("apt-get", "apt", "dpkg"):
                    found = "debian"
                elif cmd.name == "apk":
                    found = "alpine"
                elif cmd.name in ("dnf", "yum"):
                    found = "rpm"
    return found


def _existing_user(df: Dockerfile, stages: list[Stage]) -> str | None:
    """A non-root user the lineage already switched to (before switching back to root)."""
    chosen: str | None = None
    for stage in stages:
        for instr in stage.of("USER"):
            if is_root_user(instr.args) is False:
                chosen = instr.args.strip()
    return chosen


def _created_user(df: Dockerfile, stages: list[Stage]) -> str | None:
    """The name of a user the lineage creates with useradd/adduser, if it is plain."""
    created: str | None = None
    for cmd in _user_creations(df, stages):
        if len(cmd.program.words) < 2:
            continue
        last = cmd.program.words[-1].text
        if last and not last.startswith("-") and "$" not in last:
            created = last
    return created


def _user_creations(df: Dockerfile, stages: list[Stage]) -> list[ShellCommand]:
    """The useradd/adduser commands of the RUN instructions of ``stages``, in their order.

    Looked up by name among the file's commands rather than by walking every command.
    """
    rank = {stage.index: position for position, stage in enumerate(stages)}
    runs = {id(instr) for stage in stages for instr in stage.instructions if instr.keyword == "RUN"}
    found = [
        (rank[stage.index], cmd)
        for stage, cmd in commands_named(df, "useradd", "adduser")
        if stage.index in rank and id(cmd.instruction) in runs  # ONBUILD triggers excluded
    ]
    found.sort(key=lambda item: item[0])  # lineage order; stable: file order within a stage
    return [cmd for _, cmd in found]


def _workdir(stages: list[Stage], before: int) -> str | None:
    """The absolute WORKDIR in force before source offset ``before``, if plain and not ``/``."""
    found: str | None = None
    for stage in stages:
        for instr in stage.of("WORKDIR"):
            if instr.span.start < before:
                found = instr.args.strip()
    if not found or "$" in found or not found.startswith("/") or found.rstrip("/") == "":
        return None
    return found.rstrip("/") or None


def _insertion_point(stage: Stage) -> Instruction:
    """The last instruction of the stage whose effect depends on the user (or its FROM)."""
    last = stage.from_instruction
    for instr in stage.instructions:
        if instr.keyword in _BUILD_TIME:
            last = instr
    return last


def _create_user_run(family: str, name: str, uid: int, workdir: str | None) -> str:
    if family == "alpine":
        create = f"addgroup -S -g {uid} {name} && adduser -S -D -H -u {uid} -G {name} {name}"
    else:
        nologin = "/usr/sbin/nologin" if family == "debian" else "/sbin/nologin"
        create = (
            f"groupadd -r -g {uid} {name} && useradd -r -l -u {uid} -g {name} -M "
            f"-s {nologin} {name}"
        )
    if workdir is not None:
        create += f" && chown {name}:{name} {workdir}"
    return f"RUN {create}"


def nonroot_user_fix(df: Dockerfile, stage: Stage, base: str | None, name: str, uid: int) -> Fix:
    """The fix for a shipped stage that runs as root.

    UNSAFE when the way to create a user is known (or a non-root user already exists);
    DISPLAY_ONLY with the suggested text otherwise.
    """
    lineage = df.lineage(stage)
    newline = "\r\n" if "\r\n" in df.source.text else "\n"
    anchor = _insertion_point(stage)
    replace_root = anchor.keyword == "USER" and is_root_user(anchor.args) is True
    if replace_root:
        span_start, span_end, prefix = anchor.span.start, anchor.span.end, ""
    else:
        span_start = span_end = anchor.span.end
        prefix = newline
    existing = _existing_user(df, lineage) or _created_user(df, lineage)
    builtin = builtin_user(base) if existing is None else None
    family = image_family(base)
    if family == "unknown":
        family = _family_from_commands(df, lineage)
    if builtin is not None:
        workdir = _workdir(lineage, anchor.span.end) if stage_is_posix(df, stage) else None
        chown = f"RUN chown {builtin} {workdir}{newline}" if workdir else ""
        title = f"Run the shipped stage as the image's own user {builtin!r}"
        return Fix.unsafe(title, Edit(Span(span_start, span_end), f"{prefix}{chown}USER {builtin}"))
    if existing is not None:
        text = f"USER {existing}"
        title = f"Run the shipped stage as the existing user {existing!r}"
        return Fix.unsafe(title, Edit(Span(span_start, span_end), prefix + text))
    if family == "shellless":
        text = f"USER {NONROOT_ID}:{NONROOT_ID}"
        title = "Run the shipped stage as the image's `nonroot` user (65532)"
        return Fix.unsafe(title, Edit(Span(span_start, span_end), prefix + text))
    if family == "unknown" or not stage_is_posix(df, stage):
        text = f"RUN <create a system user {name} with uid {uid}>{newline}USER {uid}:{uid}"
        title = "Create an unprivileged user and end the shipped stage with `USER`"
        return Fix.display_only(title, Edit(Span(span_start, span_end), prefix + text))
    workdir = _workdir(lineage, anchor.span.end)
    text = _create_user_run(family, name, uid, workdir) + f"{newline}USER {uid}:{uid}"
    title = f"Create system user {name} (uid {uid}) and run the shipped stage as it"
    return Fix.unsafe(title, Edit(Span(span_start, span_end), prefix + text))
