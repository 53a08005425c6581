"""Opt-in version pinning of installed packages (the noisiest rules of every peer)."""

from __future__ import annotations

from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.parsers.dockerfile import Dockerfile
from seawall.parsers.shell import Word
from seawall.rules._base import (
    CWE,
    NIST_800_190,
    Context,
    Option,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._hygiene_util import ShellCommand, runs_of
from seawall.rules.dockerfile._package_managers import (
    APT,
    APT_INSTALLS,
    RPM,
    ZYPPER,
    ManagerCall,
    split_args,
)

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_RPM_VERSIONED = lazy_pattern(r"-\d[^/]*$")
_PIP_PINNED = ("==", "===", "~=", "@")


def _is_local(text: str) -> bool:
    """A file, URL, variable or glob rather than a package name."""
    return (
        "$" in text
        or "/" in text
        or text.startswith((".", "~"))
        or text.endswith((".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".zip", ".tgz", ".gem"))
        or "://" in text
    )


_APT_PINNABLE = APT_INSTALLS - {"build-dep"}
_APK_PIN = lazy_pattern(r"[=~<>]")


def _os_unpinned(call: ManagerCall) -> list[Word]:
    packages: tuple[Word, ...] = ()
    if call.manager in APT and call.action in _APT_PINNABLE:
        packages = call.operands
        return [w for w in packages if not _is_local(w.text) and "=" not in w.text]
    if call.manager == "apk" and call.action == "add":
        return [w for w in call.operands if not _is_local(w.text) and not _APK_PIN.search(w.text)]
    if call.manager in RPM and call.action in ("install", "reinstall"):
        return [
            w
            for w in call.operands
            if not _is_local(w.text)
            and not w.text.startswith("@")
            and not _RPM_VERSIONED.search(w.text)
            and not any(op in w.text for op in "=<>")
        ]
    if call.manager in ZYPPER and call.action in ("install", "in"):
        return [
            w
            for w in call.operands
            if not _is_local(w.text) and not any(op in w.text for op in "=<>")
        ]
    return []


def _names(words: list[Word], shown: int = 4) -> str:
    """Package names for a message: the first few, then how many more."""
    names = ", ".join(w.text for w in words[:shown])
    return names + (f" and {len(words) - shown} more" if len(words) > shown else "")


class OsPackageUnpinned(Rule[Dockerfile]):
    """## What it does
    Reports package-manager commands that install operating-system packages without a version
    (one finding per command, naming the packages): `apt-get install curl`
    (pin with `curl=8.5.0-2`), `apk add curl` (`curl=8.9.1-r0`), `dnf install curl`
    (`curl-8.6.0`), `zypper install curl` (`curl=8.6.0`). Off by default (opt-in).

    ## Why is this bad?
    Without a version, a rebuild installs whatever the mirror has that day: builds are not
    reproducible and a change can arrive unreviewed. The rule is opt-in because it is the noisiest
    rule of every peer linter: exact distribution versions disappear from the mirrors quickly, so
    pinned Dockerfiles break, and many teams prefer a pinned base image digest instead.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl=8.9.1-r2
    ```

    ## Fix safety
    No automatic fix: the right version is not known from the Dockerfile.
    """

    meta = RuleMeta(
        id="DF060",
        name="os-package-unpinned",
        title="OS package installed without a pinned version",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Pin the package version, or pin the base image by digest instead.",
        references=(
            NIST_800_190.control("4.1.1"),
            CWE.control("CWE-1357", "Reliance on Insufficiently Trustworthy Component"),
        ),
        aliases=(
            "DL3008",
            "apt_get_install_pin_version_not_defined",
            "DL3018",
            "unpinned_package_version_in_apk_add",
            "DL3033",
            "yum_install_without_version",
            "DL3041",
            "missing_version_specification_in_dnf_install",
            "DL3037",
            "zypper_install_without_version",
        ),
        default_enabled=False,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for run in runs_of(df).runs:
            for call in run.calls:
                unpinned = _os_unpinned(call)
                if unpinned:
                    yield ctx.finding(
                        self,
                        f"`{call.manager} {call.action}` without versions: {_names(unpinned)}",
                        span=call.cmd.span(),
                    )


def _pip_unpinned(call: ManagerCall) -> list[Word]:
    if call.action != "install":
        return []
    options = [o.text for o in call.options]
    if any(
        o in ("-c", "--constraint", "--require-hashes") or o.startswith("--constraint=")
        for o in options
    ):
        return []
    return [
        w
        for w in call.operands
        if not _is_local(w.text)
        and not any(p in w.text for p in _PIP_PINNED)
        and not w.text.endswith((".txt", ".in"))
    ]


def _npm_unpinned(cmd: ShellCommand) -> list[Word]:
    args = split_args(cmd.program, ("--prefix", "-w", "--workspace", "--registry", "--cache"))
    if not args.positionals or args.positionals[0].text not in ("install", "i", "add"):
        return []
    out = []
    for word in args.positionals[1:]:
        text = word.text
        if _is_local(text) and not text.startswith("@"):
            continue
        if "@" in text[1:] and not text.endswith(("@latest", "@next")):
            continue
        if text.startswith(("git+", "github:", "http")):
            continue
        out.append(word)
    return out


def _gem_unpinned(cmd: ShellCommand) -> list[Word]:
    args = split_args(
        cmd.program, ("-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s")
    )
    if not args.positionals or args.positionals[0].text != "install":
        return []
    if any(o.text in ("-v", "--version") or o.text.startswith("--version=") for o in args.options):
        return []
    return [w for w in args.positionals[1:] if ":" not in w.text and not _is_local(w.text)]


def _go_unpinned(cmd: ShellCommand) -> list[Word]:
    args = split_args(cmd.program, ("-C", "-o", "-p", "-tags", "-ldflags", "-gcflags", "-mod"))
    if not args.positionals or args.positionals[0].text != "install":
        return []
    out = []
    for word in args.positionals[1:]:
        text = word.text
        if text.startswith((".", "/")) or "$" in text:
            continue
        if "@" not in text or text.endswith(("@latest", "@master", "@main")):
            out.append(word)
    return out


_FINDERS = {"npm": _npm_unpinned, "gem": _gem_unpinned, "go": _go_unpinned}


class LanguagePackageUnpinned(Rule[Dockerfile]):
    """## What it does
    Reports language packages installed by name without a version: `pip install flask`
    (pin `flask==3.0.3`), `npm install -g typescript` (`typescript@5.6.2`), `gem install rails`
    (`rails:7.2.1` or `-v`), `go install example.com/tool@latest` (`@v1.2.3`). Requirement files,
    lock files, constraint files and local paths are not reported. Off by default (opt-in); the
    `managers` option chooses among pip, npm, gem and go.

    ## Why is this bad?
    An unpinned package is resolved at build time: two builds of the same Dockerfile can ship
    different code, and a compromised or broken release reaches the image without review. Opt-in
    because every peer's pinning rules are the most disputed ones; pin through lock files where the
    ecosystem has them.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir gunicorn
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir gunicorn==23.0.0
    ```

    ## Fix safety
    No automatic fix: the right version is not known from the Dockerfile.
    """

    meta = RuleMeta(
        id="DF061",
        name="language-package-unpinned",
        title="Language package installed without a pinned version",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Pin versions (`pkg==1.2`, `pkg@1.2`, `pkg:1.2`, `@v1.2`) or use a lock file.",
        references=(
            NIST_800_190.control("4.1.1"),
            CWE.control("CWE-1357", "Reliance on Insufficiently Trustworthy Component"),
        ),
        aliases=(
            "DL3013",
            "unpinned_package_version_in_pip_install",
            "DL3016",
            "npm_install_without_pinned_version",
            "DL3028",
            "gem_install_without_version",
            "DL3062",
        ),
        default_enabled=False,
        options=(Option("managers", ["pip", "npm", "gem", "go"], "Package managers to check."),),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        managers = set(ctx.option(self, "managers"))
        runs = runs_of(df)
        # npm, gem and go are found by walking the commands: only if one of them runs at all.
        language_managers = not runs.names.isdisjoint(_FINDERS)
        for run in runs.runs:
            found: list[tuple[ShellCommand, str, list[Word]]] = []
            if "pip" in managers:
                for call in run.calls:
                    if call.manager == "pip":
                        found.append((call.cmd, "pip", _pip_unpinned(call)))
            if language_managers:
                for cmd in run.commands:
                    finder = _FINDERS.get(cmd.name) if cmd.program.words else None
                    if finder is not None and cmd.name in managers:
                        found.append((cmd, cmd.name, finder(cmd)))
            for cmd, label, words in found:
                for word in words:
                    yield ctx.finding(
                        self,
                        f"`{label} install` of {word.text!r} without a pinned version",
                        span=cmd.word_span(word),
                    )
