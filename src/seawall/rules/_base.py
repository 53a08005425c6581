"""The rule model: metadata, references, the Rule base class and the Context rules report through.

Metadata records are immutable named tuples: every run imports this module and defines them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from seawall.model.finding import Finding, Location, Severity
from seawall.model.fix import Fix
from seawall.model.source import SourceFile, Span


class TargetKind(Enum):
    """What a rule looks at."""

    DOCKERFILE = "dockerfile"
    COMPOSE = "compose"
    WORKLOAD = "workload"  # a container however declared: compose service, k8s container, inspect
    KUBERNETES = "kubernetes"
    IMAGE = "image"
    DAEMON = "daemon"
    HOST = "host"
    SECCOMP_PROFILE = "seccomp-profile"  # a seccomp profile file or inline profile
    VULNERABILITIES = "vulnerabilities"  # the CVE policy result of an image's packages


class FixAvailability(Enum):
    """Whether a rule offers fixes."""

    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


class Standard(NamedTuple):
    """A standard or catalogue that rules cite."""

    name: str
    url: str

    def control(self, ident: str, title: str = "") -> Reference:
        """A reference to one control of this standard."""
        return Reference(self.name, ident, title)


class Reference(NamedTuple):
    """A citation: standard name, control id and optional title."""

    standard: str
    ident: str
    title: str = ""

    def __str__(self) -> str:
        return f"{self.standard} {self.ident}" + (f" ({self.title})" if self.title else "")


CIS_DOCKER = Standard("CIS Docker Benchmark v1.6.0", "https://www.cisecurity.org/benchmark/docker")
NIST_800_190 = Standard(
    "NIST SP 800-190", "https://csrc.nist.gov/publications/detail/sp/800-190/final"
)
CWE = Standard("CWE", "https://cwe.mitre.org/")
K8S_PSS = Standard(
    "Kubernetes Pod Security Standards",
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
)
KNOWN_STANDARDS = frozenset({CIS_DOCKER.name, NIST_800_190.name, CWE.name, K8S_PSS.name})


class Option(NamedTuple):
    """A per-rule option settable in configuration, with its default and type."""

    name: str
    default: Any
    help: str


class RuleMeta(NamedTuple):
    """Everything about a rule except its logic. ``id`` is stable forever; ``name`` is kebab-case."""

    id: str
    name: str
    title: str
    severity: Severity
    targets: frozenset[TargetKind]
    remediation: str
    references: tuple[Reference, ...] = ()
    aliases: tuple[str, ...] = ()
    fix: FixAvailability = FixAvailability.NONE
    options: tuple[Option, ...] = ()
    default_enabled: bool = True
    since: str = "0.1.0"
    tags: tuple[str, ...] = ()


ModelT = TypeVar("ModelT")


class Rule(Generic[ModelT]):
    """A check over one kind of model. Subclasses set ``meta`` and implement ``check``.

    The class docstring is the rule's documentation, in sections ``## What it does``,
    ``## Why is this bad?``, ``## Example`` (with ``Use instead:``) and ``## Fix safety``.
    """

    meta: ClassVar[RuleMeta]

    def check(self, model: ModelT, ctx: Context) -> Iterator[Finding]:
        """Yield findings for ``model``. Input the rule does not understand yields nothing."""
        raise NotImplementedError


def _digest(text: str) -> str:
    return _sha256()(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@functools.cache
def _sha256() -> Callable[[bytes], Any]:
    """SHA-256, from CPython's built-in module when there is one.

    ``import hashlib`` starts OpenSSL (~5 ms, on every run that reports a finding); anchors are
    fingerprints, not security, and SHA-256 is the same function either way.
    """
    try:
        from _sha256 import sha256  # CPython 3.11 (3.12 moved it: hashlib is the fallback)
    except ImportError:
        from hashlib import sha256
    return sha256


class Context:
    """What a rule sees besides its model: the target, its source, options; makes findings."""

    __slots__ = ("extra", "options", "severity_overrides", "source", "target")

    def __init__(
        self,
        target: str,
        source: SourceFile | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        severity_overrides: Mapping[str, Severity] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.target = target
        self.source = source
        self.options: Mapping[str, Mapping[str, Any]] = {} if options is None else options
        self.severity_overrides: Mapping[str, Severity] = (
            {} if severity_overrides is None else severity_overrides
        )
        self.extra: dict[str, Any] = {} if extra is None else extra

    def option(self, rule: Rule[Any], name: str) -> Any:
        """The configured value of a rule option, or its default."""
        configured = self.options.get(rule.meta.id, {})
        if name in configured:
            return configured[name]
        for opt in rule.meta.options:
            if opt.name == name:
                return opt.default
        raise KeyError(f"{rule.meta.id} has no option {name!r}")

    def finding(
        self,
        rule: Rule[Any],
        message: str,
        *,
        span: Span | None = None,
        pointer: str | None = None,
        path: str | None = None,
        fix: Fix | None = None,
        anchor: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """Build a finding located in this target (or in ``path``), with the effective severity.

        ``anchor`` identifies the finding structurally for baselines; by default it is derived
        from the spanned text (hashed, so secrets never reach a baseline file).
        """
        meta = rule.meta
        where = path or (self.source.path if self.source else self.target)
        if anchor is None:
            if span is not None and self.source is not None and where == self.source.path:
                # Whitespace runs become one space, ends stripped: what ``re.sub(r"\s+", " ")``
                # and ``strip()`` give (same whitespace set), five times faster.
                anchor = " ".join(self.source.slice(span).split())
            elif pointer is not None:
                anchor = pointer
            else:
                anchor = message
        effective = self.severity_overrides.get(
            meta.id, meta.severity if severity is None else severity
        )
        return Finding(
            rule_id=meta.id,
            rule_name=meta.name,
            message=message,
            location=Location(where, span, pointer),
            severity=effective,
            target=self.target,
            anchor=_digest(anchor),
            fix=fix,
        )
