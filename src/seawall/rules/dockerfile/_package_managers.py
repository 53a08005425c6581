"""What the hygiene rules know about package managers: names, subcommands, valued options."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from seawall.parsers.shell import SimpleCommand, Word
from seawall.rules.dockerfile._util import ShellCommand

APT = frozenset({"apt-get", "apt"})
RPM = frozenset({"yum", "dnf", "tdnf", "microdnf"})
APK = frozenset({"apk"})
ZYPPER = frozenset({"zypper"})
PIP = frozenset({"pip", "pip2", "pip3"})
PYTHONS = frozenset({"python", "python2", "python3"})
SYSTEM_MANAGERS = APT | RPM | APK | ZYPPER
# Every name ``pip_words`` may accept starts with one of these (pip3.12, python3 -m pip).
PIP_PREFIXES = ("pip", "python")

APT_VALUE_OPTIONS = frozenset(
    {"-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release", "-a"}
)
RPM_VALUE_OPTIONS = frozenset(
    {
        "-c",
        "--config",
        "-d",
        "--debuglevel",
        "-e",
        "--errorlevel",
        "-x",
        "--exclude",
        "--installroot",
        "--releasever",
        "--enablerepo",
        "--disablerepo",
        "--repo",
        "--repoid",
        "--setopt",
    }
)
APK_VALUE_OPTIONS = frozenset(
    {
        "-X",
        "--repository",
        "-p",
        "--root",
        "-t",
        "--virtual",
        "--arch",
        "--cache-dir",
        "--keys-dir",
        "--repositories-file",
    }
)
ZYPPER_VALUE_OPTIONS = frozenset(
    {"-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C", "--cache-dir", "-r", "--repo"}
)
PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--cache-dir",
        "--log",
        "--proxy",
        "--timeout",
        "--retries",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--no-binary",
        "--only-binary",
        "-C",
        "--config-settings",
        "--global-option",
        "--install-option",
        "--report",
        "--root-user-action",
        "--python",
    }
)

APT_INSTALLS = frozenset({"install", "reinstall", "build-dep"})
APT_CONFIRMS = frozenset(
    {
        "install",
        "reinstall",
        "build-dep",
        "remove",
        "purge",
        "upgrade",
        "dist-upgrade",
        "full-upgrade",
        "autoremove",
        "autopurge",
    }
)
RPM_INSTALLS = frozenset(
    {
        "install",
        "groupinstall",
        "localinstall",
        "reinstall",
        "update",
        "upgrade",
        "downgrade",
        "distro-sync",
        "swap",
        "group",
        "module",
        "builddep",
    }
)
RPM_CONFIRMS = RPM_INSTALLS | frozenset({"remove", "erase", "autoremove", "groupremove"})
ZYPPER_INSTALLS = frozenset(
    {
        "install",
        "in",
        "update",
        "up",
        "patch",
        "dist-upgrade",
        "dup",
        "source-install",
        "si",
        "install-new-recommends",
        "inr",
    }
)
ZYPPER_CONFIRMS = ZYPPER_INSTALLS | frozenset({"remove", "rm"})


class ParsedArgs(NamedTuple):
    """A command's arguments split into options and positional words."""

    options: tuple[Word, ...]
    positionals: tuple[Word, ...]


def split_args(cmd: SimpleCommand, takes_value: Iterable[str] = ()) -> ParsedArgs:
    """Split arguments into options and positionals (``takes_value`` options eat the next word)."""
    return _split_words(cmd.words, frozenset(takes_value))


def _split_words(words: tuple[Word, ...], value_opts: frozenset[str]) -> ParsedArgs:
    """``split_args`` of a command's words (the program name first)."""
    options: list[Word] = []
    positionals: list[Word] = []
    only_positionals = False
    skip = False  # the word is the value of the option before it
    for word in words[1:]:
        if skip:
            skip = False
            continue
        text = word.text
        if only_positionals or not text.startswith("-") or text == "-":
            positionals.append(word)
        elif text == "--":
            only_positionals = True
        else:
            options.append(word)
            skip = text in value_opts
    return tuple.__new__(ParsedArgs, (tuple(options), tuple(positionals)))


def subcommand(cmd: SimpleCommand, takes_value: Iterable[str] = ()) -> Word | None:
    """The first positional argument (``install`` in ``apt-get -o X=1 -y install curl``)."""
    args = split_args(cmd, takes_value)
    return args.positionals[0] if args.positionals else None


class ManagerCall(NamedTuple):
    """A package-manager invocation: the manager, its subcommand word and its operands."""

    cmd: ShellCommand
    manager: str  # apt-get, apt, yum, dnf, tdnf, microdnf, apk, zypper, pip
    sub: Word
    operands: tuple[Word, ...]  # positionals after the subcommand
    options: tuple[Word, ...]

    @property
    def action(self) -> str:
        """The subcommand text, e.g. ``install``."""
        return self.sub.text


def _value_options(manager: str) -> frozenset[str]:
    if manager in APT:
        return APT_VALUE_OPTIONS
    if manager in RPM:
        return RPM_VALUE_OPTIONS
    if manager in APK:
        return APK_VALUE_OPTIONS
    if manager in ZYPPER:
        return ZYPPER_VALUE_OPTIONS
    return PIP_VALUE_OPTIONS


def pip_words(cmd: ShellCommand) -> tuple[Word, ...] | None:
    """The words of a pip invocation starting at ``pip`` (also ``python -m pip``), else None."""
    words = cmd.program.words
    name = cmd.name
    if name in PIP or (name.startswith("pip") and name[3:].replace(".", "").isdigit()):
        return words
    base = name.rstrip("0123456789.")
    if base in PYTHONS:
        for i, word in enumerate(words[1:-1], start=1):
            if word.text == "-m" and words[i + 1].text == "pip":
                return words[i + 1 :]
            if not word.text.startswith("-"):
                return None
    return None


def manager_call(cmd: ShellCommand) -> ManagerCall | None:
    """Classify a command as a package-manager call with its subcommand."""
    words = cmd.program.words
    if not words:
        return None
    name = cmd.name
    if name in SYSTEM_MANAGERS:
        manager = name
    elif not name.startswith(PIP_PREFIXES):
        return None  # most commands: neither a package manager nor pip (``pip_words`` agrees)
    else:
        pip = pip_words(cmd)
        if pip is None:
            return None
        manager = "pip"
        words = pip
    args = _split_words(words, _value_options(manager))
    if not args.positionals:
        return None
    sub = args.positionals[0]
    return ManagerCall(cmd, manager, sub, args.positionals[1:], args.options)


def option_value(call: ManagerCall, *names: str) -> str | None:
    """The value of an option given as ``--name=value`` or ``--name value``."""
    words = call.cmd.program.words
    for i, word in enumerate(words):
        for name in names:
            if word.text == name and i + 1 < len(words):
                return words[i + 1].text
            if word.text.startswith(name + "="):
                return word.text[len(name) + 1 :]
    return None
