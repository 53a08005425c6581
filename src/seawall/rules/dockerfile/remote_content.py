"""Rules about content fetched from the network during a build, and ADD versus COPY."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.lazy_re import lazy_pattern
from seawall.model.finding import Finding, Severity
from seawall.model.fix import Edit, Fix
from seawall.model.source import Span
from seawall.parsers.dockerfile import Dockerfile, Instruction
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    FixAvailability,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.dockerfile._security_util import (
    commands_named,
    copy_sources,
    mapped_span,
    pipeline_after,
    run_scripts,
)

DOCKERFILE = frozenset({TargetKind.DOCKERFILE})
DOWNLOADERS = frozenset({"curl", "wget", "fetch", "http", "aria2c"})
INTERPRETERS = frozenset(
    {
        "sh",
        "bash",
        "ash",
        "dash",
        "zsh",
        "ksh",
        "busybox",
        "python",
        "python2",
        "python3",
        "perl",
        "ruby",
        "node",
        "php",
        "pwsh",
        "powershell",
        "source",
        ".",
    }
)
# "sh -c "$(curl …)"", "bash <(curl …)", "eval "$(wget …)"", "source <(curl …)".
_SUBSTITUTION = lazy_pattern(r"(?:\$\(|<\()\s*(?:sudo\s+)?(?:curl|wget)\b")
_RUNS_SUBSTITUTION = lazy_pattern(
    r"(?:\b(?:ba|z|da|k)?sh\b[^|;&\n]*|\beval\s+|\bsource\s+|(?:^|[;&|\s])\.\s+)[\"']?$"
)


class PipeToShell(Rule[Dockerfile]):
    """## What it does
    Reports a script downloaded and executed in one step: `curl … | sh`, `wget -O- … | sudo bash`,
    `curl … | python3 -`, `sh -c "$(curl …)"`, `bash <(curl …)`, `eval "$(wget …)"`. Every stage is
    checked. Downloads piped into `tar`, `gpg` or `sha256sum` are fine.

    ## Why is this bad?
    The build runs whatever the server (or anyone between you and it) returns at that moment, with
    root rights inside the build, with no checksum or signature check and no record of what ran.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSL https://get.example.com/install.sh | sh
    ```

    Use instead:
    ```dockerfile
    FROM debian:bookworm-slim
    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\
        https://get.example.com/install.sh /tmp/install.sh
    RUN sh /tmp/install.sh
    ```

    ## Fix safety
    No automatic fix: the checksum of the script must be known.
    """

    meta = RuleMeta(
        id="DF010",
        name="pipe-to-shell",
        title="A downloaded script is piped into a shell or interpreter",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Download to a file, verify a checksum or signature, then run it.",
        references=(
            NIST_800_190.control("4.1.3"),
            CWE.control("CWE-494", "Download of Code Without Integrity Check"),
        ),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for _, cmd in commands_named(df, *DOWNLOADERS):
            if cmd.command.separator != "|":
                continue
            for reader in pipeline_after(df, cmd):
                if reader.name in INTERPRETERS:
                    span = cmd.span()
                    yield ctx.finding(
                        self,
                        f"{cmd.name} output piped into {reader.name}: remote code runs unverified",
                        span=Span(span.start, max(span.end, reader.span().end)),
                    )
                    break
        for _, _, script, mapper in run_scripts(df):
            if "curl" not in script and "wget" not in script:
                continue
            if "$(" not in script and "<(" not in script:
                continue  # every substitution the pattern looks for starts with one of them
            for m in _SUBSTITUTION.finditer(script):
                line_start = script.rfind("\n", 0, m.start()) + 1
                if not _RUNS_SUBSTITUTION.search(
                    script[max(line_start, m.start() - 120) : m.start()]
                ):
                    continue
                yield ctx.finding(
                    self,
                    "a downloaded script is executed through command or process substitution",
                    span=mapped_span(mapper, m.start(), m.end()),
                )


_URL = lazy_pattern(r"^(?:https?|ftp)://", re.I)
_GIT = lazy_pattern(r"^(?:git@|ssh://|git://)|\.git(?:#|$)", re.I)
_COMMIT = lazy_pattern(r"#[0-9a-f]{40}(?::|$)", re.I)


def is_remote(source: str) -> bool:
    """Whether an ADD source is fetched from the network (URL or git repository)."""
    return bool(_URL.match(source) or _GIT.search(source))


class AddRemoteWithoutChecksum(Rule[Dockerfile]):
    """## What it does
    Reports `ADD` of a URL without `--checksum=sha256:…`, and `ADD` of a git repository neither
    pinned to a full commit (`repo.git#<40-hex commit>`) nor given a `--checksum`. Every stage is
    checked.

    ## Why is this bad?
    Without a checksum the build accepts whatever the server returns today: a compromised or
    changed download silently enters the image. BuildKit verifies `--checksum` and fails the build
    on a mismatch.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    ADD https://example.com/tool-1.2.3.tar.gz /tmp/tool.tar.gz
    ```

    Use instead:
    ```dockerfile
    FROM alpine:3.20
    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\
        https://example.com/tool-1.2.3.tar.gz /tmp/tool.tar.gz
    ```

    ## Fix safety
    No automatic fix: the checksum must come from a trusted source.
    """

    meta = RuleMeta(
        id="DF011",
        name="add-remote-without-checksum",
        title="ADD fetches a URL or repository without a checksum",
        severity=Severity.MEDIUM,
        targets=DOCKERFILE,
        remediation="Add `--checksum=sha256:<digest>` (or pin a git source to a full commit).",
        references=(
            CIS_DOCKER.control("4.9", "Ensure that COPY is used instead of ADD in Dockerfiles"),
            NIST_800_190.control("4.1.3"),
            CWE.control("CWE-494", "Download of Code Without Integrity Check"),
        ),
        aliases=("curl_or_wget_instead_of_add",),
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in _adds(df):
            if instr.flag("checksum") is not None:
                continue
            for source, span in copy_sources(instr):
                if _URL.match(source) and not _GIT.search(source):
                    yield ctx.finding(self, "ADD downloads a URL without --checksum", span=span)
                elif _GIT.search(source) and not _COMMIT.search(source):
                    yield ctx.finding(
                        self,
                        "ADD clones a git repository not pinned to a commit or checksum",
                        span=span,
                    )


def _adds(df: Dockerfile) -> Iterator[Instruction]:
    for instr in df.instructions:
        target = instr.inner if instr.keyword == "ONBUILD" and instr.inner is not None else instr
        if target.keyword == "ADD":
            yield target


ARCHIVE_SUFFIXES = (
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".tar.z",
)
_COPY_COMPATIBLE_FLAGS = frozenset({"chown", "chmod", "link", "exclude", "parents"})


class AddInsteadOfCopy(Rule[Dockerfile]):
    """## What it does
    Reports `ADD` used for local files and folders, which `COPY` does the same way. `ADD` of a URL,
    a git repository, a tar archive (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`…), a source given by a
    variable, or with flags `COPY` lacks (`--checksum`, `--keep-git-dir`, `--unpack`) is not
    reported. Every stage is checked.

    ## Why is this bad?
    `ADD` has hidden behaviour: it extracts archives and downloads URLs. Using it for plain files
    invites surprises (a file that happens to be a tar archive is unpacked) and hides the cases
    where that behaviour is really wanted. CIS Docker 4.9.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ADD app.py /app/app.py
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/app.py
    ```

    ## Fix safety
    Replacing the keyword is safe: the sources are not URLs and not named as archives, so `ADD`
    and `COPY` copy them identically (a tar archive without an archive extension would be extracted
    by `ADD`; name such files `*.tar`).
    """

    meta = RuleMeta(
        id="DF012",
        name="add-instead-of-copy",
        title="ADD is used for local files; use COPY",
        severity=Severity.LOW,
        targets=DOCKERFILE,
        remediation="Replace ADD with COPY unless you need URL fetching or archive extraction.",
        references=(
            CIS_DOCKER.control("4.9", "Ensure that COPY is used instead of ADD in Dockerfiles"),
            NIST_800_190.control("4.1.2"),
        ),
        aliases=(
            "DL3020",
            "DS-0005",
            "AVD-DS-0005",
            "DS005",
            "CKV_DOCKER_4",
            "add_instead_of_copy",
        ),
        fix=FixAvailability.ALWAYS,
    )

    def check(self, df: Dockerfile, ctx: Context) -> Iterator[Finding]:
        for instr in _adds(df):
            if instr.heredocs or any(f.name not in _COPY_COMPATIBLE_FLAGS for f in instr.flags):
                continue
            sources = copy_sources(instr)
            if not sources:
                continue
            if any(
                is_remote(s) or "$" in s or s.lower().endswith(ARCHIVE_SUFFIXES) for s, _ in sources
            ):
                continue
            written = df.source.slice(instr.keyword_span)
            replacement = "COPY" if written.isupper() else "copy" if written.islower() else "Copy"
            yield ctx.finding(
                self,
                "ADD used for local files: use COPY",
                span=instr.keyword_span,
                fix=Fix.safe("Replace ADD with COPY", Edit(instr.keyword_span, replacement)),
            )
