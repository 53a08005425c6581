"""Give SC findings in a profile file a line: resolve their JSON pointer to a span in the text.

JSON is read with the positioned YAML parser (JSON is YAML's flow style), so no second parser
is needed. A file it cannot read that way keeps pointer-only locations.
"""

from __future__ import annotations

from collections.abc import Iterable

from seawall.errors import SeawallError
from seawall.model.finding import Finding, Location
from seawall.model.source import SourceFile, Span
from seawall.parsers.yamldoc import YMap, YNode, YSeq, parse_yaml


def pointer_span(root: YNode | None, pointer: str) -> Span | None:
    """The span of the node ``pointer`` (RFC 6901) names under ``root``, or None."""
    node = root
    for raw in pointer.split("/")[1:] if pointer else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, YMap):
            node = node.get(token)
        elif isinstance(node, YSeq) and token.isdigit() and int(token) < len(node.items):
            node = node.items[int(token)]
        else:
            return None
        if node is None:
            return None
    return node.origin.span if node is not None else None


def with_spans(findings: Iterable[Finding], source: SourceFile) -> list[Finding]:
    """``findings`` in ``source`` with a span added where their pointer resolves."""
    findings = list(findings)
    try:
        root = parse_yaml(source)
    except (SeawallError, RecursionError):
        return findings
    located: list[Finding] = []
    for finding in findings:
        where = finding.location
        span = None
        if where.path == source.path and where.span is None and where.pointer is not None:
            span = pointer_span(root, where.pointer)
        if span is not None:
            finding = finding._replace(location=Location(where.path, span, where.pointer))
        located.append(finding)
    return located
