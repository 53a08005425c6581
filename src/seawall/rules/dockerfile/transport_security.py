"""Rules about switching off TLS certificate checks and package signature checks during a build."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile
from seawall.parsers.shell import Word
from seawall.rules._base import (
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._security_util import (
    assigning_commands,
    commands_named,
    commands_where,
    iter_assignments,
    letter_removal,
    mapped_span,
    option_values,
    run_scripts,
    word_after,
    word_removal,
)
from seawall.rules.dockerfile._util import ShellCommand, shipped_stage_indices

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
_FALSE = frozenset({"false", "0", "no", "off"})
_PIP_VERSIONED = lazy_pattern(r"pip\d(?:\.\d+)?")
_PIP = frozenset({"pip", "pip3", "pip2", "pipenv", "uv"})
_NPM = frozenset({"npm", "yarn", "pnpm"})


def _pip_like(cmd: ShellCommand) -> bool:
    prog = cmd.program
    if prog.name in _PIP or _PIP_VERSIONED.fullmatch(prog.name):
        return True
    texts = [w.text for w in prog.words[:3]]
    return prog.name.startswith("python") and texts[1:3] == ["-m", "pip"]


def _tls_bypass(cmd: ShellCommand) -> tuple[Word | None, str] | None:
    """The word that disables certificate checks in a command, and what it is."""
    prog = cmd.program
    words = prog.words
    name = prog.name
    if name == "curl":
        for w in words[1:]:
            t = w.text
            if t == "--insecure" or (
                t.startswith("-") and not t.startswith("--") and "k" in t[1:] and t[1:].isalpha()
            ):
                return w, "curl -k/--insecure"
    elif name == "wget":
        for w in words[1:]:
            if w.text == "--no-check-certificate":
                return w, "wget --no-check-certificate"
    elif _pip_like(cmd):
        for w, _ in option_values(prog, "--trusted-host"):
            return w, "pip --trusted-host"
        texts = [w.text for w in words]
        if "config" in texts and any(t.endswith("trusted-host") for t in texts):
            return words[0], "pip config trusted-host"
    elif name in _NPM:
        texts = [w.text.lower() for w in words]
        for i, w in enumerate(words):
            t = texts[i]
            if t.startswith("--strict-ssl=") and t.split("=", 1)[1] in _FALSE:
                return w, f"{name} --strict-ssl=false"
            if (
                t in ("strict-ssl", "strictssl", "enablestrictssl")
                and i + 1 < len(texts)
                and texts[i + 1] in _FALSE
            ):
                return w, f"{name} config strict-ssl false"
            if t.startswith(("strict-ssl=", "enablestrictssl=")) and t.split("=", 1)[1] in _FALSE:
                return w, f"{name} config strict-ssl false"
    elif name == "git":
        texts = [w.text.lower() for w in words]
        for i, w in enumerate(words):
            t = texts[i]
            if t.endswith(".sslverify=false") or t.endswith(".sslverify=0"):
                return w, "git http.sslVerify=false"
            if t.endswith("sslverify") and i + 1 < len(texts) and texts[i + 1] in _FALSE:
                return w, "git config http.sslVerify false"
    elif name in ("yum", "dnf", "microdnf", "tdnf", "yum-config-manager", "dnf-config-manager"):
        for w, value in option_values(prog, "--setopt"):
            key, _, val = value.partition("=")
            if key.lower().endswith("sslverify") and val.lower() in _FALSE:
                return w, f"{name} sslverify=0"
    return None


def _tls_option_removal(df: Dockerfile, cmd: ShellCommand, word: Word) -> list[Edit] | None:
    """Edits removing a curl/wget/pip option that disables certificate checks."""
    name = cmd.program.name
    text = word.text
    if name == "curl" and text not in ("-k", "--insecure"):
        return letter_removal(df, cmd, word, "k")
    if name in ("curl", "wget") or text.startswith("--trusted-host="):
        return word_removal(df, cmd, [word])
    if text == "--trusted-host":
        value = word_after(cmd.program, word)
        return word_removal(df, cmd, [word, value]) if value is not None else None
    return None


# Configuration written by echo/sed/tee into files: yum/dnf repos, apt, pip, npm, git.
_TLS_TEXT = lazy_pattern(
    r"\bsslverify\s*=\s*(?:0|false|no)\b|Verify-(?:Peer|Host)\s*(?:=\s*|\s+)\\?\"?false|"
    r"\bstrict-ssl\s*=\s*false\b|\btrusted-host\s*=",
    re.I,
)


_TLS_TEXT_HINTS = ("sslverify", "verify-peer", "verify-host", "strict-ssl", "trusted-host")
_TLS_PROGRAMS = frozenset(
    {
        "curl",
        "wget",
        "git",
        "yum",
        "dnf",
        "microdnf",
        "tdnf",
        "yum-config-manager",
        "dnf-config-manager",
    }
    | _PIP
    | _NPM
)


def _may_bypass_tls(name: str) -> bool:
    return name in _TLS_PROGRAMS or name.startswith(("pip", "python"))


class TlsVerificationDisabled(Rule[Dockerfile]):
    """## What it does
    Reports `RUN` commands that switch off TLS certificate verification: `curl -k`/`--insecure`,
    `wget --no-check-certificate`, `pip install --trusted-host`, `npm`/`yarn config set strict-ssl
    false`, `git -c http.sslVerify=false`, `dnf --setopt=sslverify=0`, and `sslverify=0`,
    `Acquire::https::Verify-Peer "false"` or `strict-ssl=false` written into configuration files.
    Every stage is checked.

    ## Why is this bad?
    Without certificate checks anyone on the network path (a proxy, a compromised Wi-Fi, a
    poisoned DNS) can serve their own packages or scripts, which then run in the build and ship in
    the image.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --trusted-host pypi.example.com -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    RUN update-ca-certificates \\
        && pip install --cert /etc/ssl/certs/ca-certificates.crt -r requirements.txt
    ```

    ## Fix safety
    For `curl -k`/`--insecure`, `wget --no-check-certificate` and `pip --trusted-host` an unsafe
    fix removes the option: the download fails if the server's certificate is not trusted (the
    usual cause is a private CA, which must then be installed).
    """

    meta = RuleMeta(
        id="DF019",
        name="tls-verification-disabled",
        title="A build command disables TLS certificate verification",
        fix=FixAvailability.SOMETIMES,
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Keep verification on; install the private CA certificate if one is needed.",
        references=(
            NIST_800_190.control("4.2.1"),
            CWE.control("CWE-295", "Improper Certificate Validation"),
        ),
        aliases=(
            "CKV2_DOCKER_2",
            "CKV2_DOCKER_3",
            "CKV2_DOCKER_4",
            "CKV2_DOCKER_13",
            "CKV2_DOCKER_15",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        reported: list[Span] = []
        for _, cmd in commands_where(df, _may_bypass_tls):
            found = _tls_bypass(cmd)
            if found is None:
                continue
            word, what = found
            span = cmd.word_span(word) if word is not None else cmd.span()
            reported.append(cmd.span())
            edits = _tls_option_removal(df, cmd, word) if word is not None else None
            fix = (
                Fix.unsafe("Remove the option that disables certificate checks", *edits)
                if edits
                else None
            )
            yield ctx.finding(
                self, f"{what} disables TLS certificate verification", span=span, fix=fix
            )
        for _, _, script, mapper in run_scripts(df):
            lower = script.lower()
            if not any(hint in lower for hint in _TLS_TEXT_HINTS):
                continue
            for m in _TLS_TEXT.finditer(script):
                span = mapped_span(mapper, m.start(), m.end())
                if _overlaps(span, reported):
                    continue
                yield ctx.finding(
                    self,
                    f"configuration {m.group(0).strip()!r} disables TLS certificate verification",
                    span=span,
                )


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end for other in spans)


# Variable name -> predicate on its value: True when it disables verification.
def _is_false(value: str) -> bool:
    return value.strip().strip("\"'").lower() in _FALSE


def _is_set(value: str) -> bool:
    v = value.strip().strip("\"'").lower()
    return bool(v) and v not in _FALSE


def _is_zero(value: str) -> bool:
    return value.strip().strip("\"'") == "0"


def _is_empty_string(value: str) -> bool:
    return value.strip() in ('""', "''")


TLS_VARIABLES = {
    "PYTHONHTTPSVERIFY": _is_zero,
    "NODE_TLS_REJECT_UNAUTHORIZED": _is_zero,
    "NPM_CONFIG_STRICT_SSL": _is_false,
    "YARN_STRICT_SSL": _is_false,
    "YARN_ENABLE_STRICT_SSL": _is_false,
    "GIT_SSL_NO_VERIFY": _is_set,
    "PIP_TRUSTED_HOST": _is_set,
    "CURL_CA_BUNDLE": _is_empty_string,
    "REQUESTS_CA_BUNDLE": _is_empty_string,
}


class TlsVerificationDisabledByVariable(Rule[Dockerfile]):
    """## What it does
    Reports environment variables that switch off TLS verification for a whole runtime:
    `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `NPM_CONFIG_STRICT_SSL=false`,
    `GIT_SSL_NO_VERIFY=1`, `PIP_TRUSTED_HOST=…`, `CURL_CA_BUNDLE=""` — set by `ENV` or `ARG`, or in
    `RUN` (`export …`, `VAR=0 npm ci`). An `ENV` in the stage that ships is reported at a higher
    severity: the running application inherits it and trusts any certificate.

    ## Why is this bad?
    Every HTTPS connection made under such a variable accepts any certificate: at build time a
    network attacker can substitute packages; at run time (ENV) the application's own API calls,
    database and payment connections can be intercepted.

    ## Example
    ```dockerfile
    FROM node:22-slim
    ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    ```

    Use instead:
    ```dockerfile
    FROM node:22-slim
    ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/corp-ca.pem
    ```

    ## Fix safety
    No automatic fix: the usual cause is a private CA, which must be installed instead.
    """

    meta = RuleMeta(
        id="DF020",
        name="tls-verification-disabled-by-variable",
        title="An environment variable disables TLS certificate verification",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Remove it; trust a private CA (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE).",
        references=(
            NIST_800_190.control("4.4.3"),
            CWE.control("CWE-295", "Improper Certificate Validation"),
        ),
        aliases=(
            "CKV2_DOCKER_5",
            "CKV2_DOCKER_6",
            "CKV2_DOCKER_12",
            "CKV2_DOCKER_14",
            "CKV2_DOCKER_16",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        shipped = shipped_stage_indices(df)
        for stage, kv in iter_assignments(df, ("ENV", "ARG")):
            test = TLS_VARIABLES.get(kv.key.upper())
            if test is None or kv.value is None or not test(kv.value):
                continue
            runtime = (
                kv.instruction.keyword == "ENV" and stage is not None and stage.index in shipped
            )
            yield ctx.finding(
                self,
                f"{kv.instruction.keyword} {kv.key} disables TLS verification"
                + (" for the running container" if runtime else " during the build"),
                span=kv.span,
                severity=Severity.HIGH if runtime else None,
            )
        for _, cmd in assigning_commands(df):
            words = [*cmd.command.assignments]
            if cmd.program.name == "export":
                words.extend(cmd.program.words[1:])
            words.extend(
                w for w in cmd.command.words if "=" in w.text and w.text.split("=", 1)[0].isupper()
            )
            done: set[int] = set()
            for w in words:
                if w.start in done:
                    continue
                done.add(w.start)
                key, sep, value = w.text.partition("=")
                test = TLS_VARIABLES.get(key.upper())
                if sep and test is not None and test(value if value else '""'):
                    yield ctx.finding(
                        self, f"RUN sets {key} and disables TLS verification", span=cmd.word_span(w)
                    )


_SIGNATURE_FLAGS: dict[str, frozenset[str]] = {
    "apk": frozenset({"--allow-untrusted"}),
    "apt-get": frozenset(
        {
            "--allow-unauthenticated",
            "--force-yes",
            "--allow-insecure-repositories",
            "--no-check-gpg",
        }
    ),
    "apt": frozenset({"--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"}),
    "aptitude": frozenset({"--allow-untrusted"}),
    "yum": frozenset({"--nogpgcheck"}),
    "dnf": frozenset({"--nogpgcheck", "--no-gpgchecks"}),
    "microdnf": frozenset({"--nogpgcheck"}),
    "tdnf": frozenset({"--nogpgcheck"}),
    "zypper": frozenset({"--no-gpg-checks", "--no-gpg-check"}),
    "rpm": frozenset({"--nodigest", "--nosignature", "--nofiledigest", "--noverify"}),
    "pacman": frozenset({"--skippgpcheck"}),
}
_SIGNATURE_TEXT = lazy_pattern(
    r"\[\s*(?:[a-z-]+=\S+\s+)*trusted=yes\b[^\]]*\](?!\s*(?:file|copy):)|\bgpgcheck\s*=\s*(?:0|false|no)\b|"
    r"AllowUnauthenticated\s*(?:=\s*|\s+)\\?\"?(?:true|1)|AllowInsecureRepositories\s*(?:=\s*|\s+)\\?\"?(?:true|1)",
    re.I,
)


_SIGNATURE_PROGRAMS = tuple(_SIGNATURE_FLAGS)
_RPM_MANAGERS = frozenset({"yum", "dnf", "microdnf", "tdnf"})
_GPGCHECK_OFF = lazy_pattern(r"--setopt=(?:[\w.-]*\.)?gpgcheck=(?:0|false|no)", re.I)
_APT_UNAUTHENTICATED = lazy_pattern(r"AllowUnauthenticated=(?:true|1)", re.I)
_PACKAGE_FILE = lazy_pattern(r"\.(?:apk|deb|rpm)$")
_SIGNATURE_HINTS = ("trusted=yes", "gpgcheck", "allowunauthenticated", "allowinsecurerepositories")


def _local_packages_only(cmd: ShellCommand) -> bool:
    """Whether every operand is a local package file (``/tmp/pkgs/x.apk``, ``./x.rpm``)."""
    operands = [w.text for w in cmd.program.words[1:] if not w.text.startswith("-")]
    files = [o for o in operands if _PACKAGE_FILE.search(o) or o.startswith(("/", "./"))]
    return (
        bool(files)
        and not any("://" in o for o in operands)
        and all(o in files or o in _VERBS for o in operands)
    )


_VERBS = frozenset({"add", "install", "in", "localinstall", "-i", "-U", "reinstall", "upgrade"})


class PackageSignatureCheckDisabled(Rule[Dockerfile]):
    """## What it does
    Reports package installs that skip signature verification: `apk --allow-untrusted`, `apt-get
    --allow-unauthenticated`/`--force-yes`/`--allow-insecure-repositories`, `yum`/`dnf`/`tdnf`/
    `microdnf --nogpgcheck`, `zypper --no-gpg-checks`, `rpm --nosignature`/`--nodigest`, and
    repository configuration that does the same (`[trusted=yes]` in an apt source, `gpgcheck=0`,
    `APT::Get::AllowUnauthenticated "true"`). Every stage is checked. Installing local package
    files built or copied earlier in the build (`apk add --allow-untrusted /tmp/pkgs/*.apk`) and
    `[trusted=yes]` on a local `file:` repository are not reported: nothing is downloaded.

    ## Why is this bad?
    Package signatures are what makes a mirror, a proxy or plain HTTP safe: without them any
    modified package is installed, as root, into the image.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache --allow-untrusted \\
        --repository https://packages.example.com/alpine tool
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    COPY vendor.rsa.pub /etc/apk/keys/
    RUN apk add --no-cache --repository https://packages.example.com/alpine tool
    ```

    ## Fix safety
    An unsafe fix removes a package-manager option that skips the checks (`--allow-untrusted`,
    `--nogpgcheck`, `--force-yes`…): the install then fails until the repository's signing key is
    imported. Repository configuration is not changed automatically.
    """

    meta = RuleMeta(
        id="DF021",
        name="package-signature-check-disabled",
        title="A package manager installs without verifying signatures",
        severity=Severity.HIGH,
        targets=DOCKERFILE,
        remediation="Import the repository's signing key and keep signature checks on.",
        references=(
            NIST_800_190.control("4.1.3"),
            CWE.control("CWE-347", "Improper Verification of Cryptographic Signature"),
        ),
        fix=FixAvailability.SOMETIMES,
        aliases=(
            "CKV2_DOCKER_7",
            "CKV2_DOCKER_8",
            "CKV2_DOCKER_9",
            "CKV2_DOCKER_10",
            "CKV2_DOCKER_11",
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        checked: list[ShellCommand] = []  # their spans are needed only if a script text matches
        for _, cmd in commands_named(df, *_SIGNATURE_PROGRAMS):
            name = cmd.name
            flags = _SIGNATURE_FLAGS[name]
            checked.append(cmd)
            hits: list[tuple[Word, str, bool]] = []  # word, message, removable on its own
            for w in cmd.program.words[1:]:
                if "=" not in w.text and not w.text.startswith("-"):
                    continue  # a package or verb: every flag starts with "-", the -o options hold "="
                text = w.text.split("=", 1)[0] if w.text.startswith("--") else w.text
                if text in flags:
                    message = f"{name} {text} installs packages without signature checks"
                    hits.append((w, message, True))
                elif name in _RPM_MANAGERS and _GPGCHECK_OFF.fullmatch(w.text):
                    hits.append((w, f"{name} {w.text} disables signature checks", True))
                elif name in ("apt-get", "apt") and _APT_UNAUTHENTICATED.search(w.text):
                    hits.append((w, f"{name} -o {w.text} disables signature checks", False))
            if not hits or _local_packages_only(cmd):
                continue  # local packages built or copied into this build: nothing downloaded
            for w, message, removable in hits:
                edits = word_removal(df, cmd, [w]) if removable else None
                fix = (
                    Fix.unsafe("Remove the option that skips signature checks", *edits)
                    if edits
                    else None
                )
                yield ctx.finding(self, message, span=cmd.word_span(w), fix=fix)
        reported: list[Span] | None = None
        for _, _, script, mapper in run_scripts(df):
            lower = script.lower()
            if not any(hint in lower for hint in _SIGNATURE_HINTS):
                continue
            if reported is None:
                reported = [cmd.span() for cmd in checked]
            for m in _SIGNATURE_TEXT.finditer(script):
                span = mapped_span(mapper, m.start(), m.end())
                if _overlaps(span, reported):
                    continue  # an option of a package-manager command, reported above
                yield ctx.finding(
                    self,
                    f"configuration {m.group(0).strip()!r} disables package signature checks",
                    span=span,
                )
