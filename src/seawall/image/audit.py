"""Running the IMG rules over a loaded image, through the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seawall.model.finding import Report

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.image.model import Image


def audit_image(image: Image, config: Config, target: str | None = None) -> Report:
    """Findings of the selected IMAGE rules for ``image`` (not finalized: the caller may add more
    findings, e.g. vulnerabilities, then call ``engine.finalize``)."""
    from seawall.engine import make_context, run_rules, select_rules
    from seawall.rules._base import TargetKind

    name = target or image.reference
    rules = select_rules(config, TargetKind.IMAGE)
    ctx = make_context(config, name)
    findings, errors = run_rules(rules, image, ctx)
    # The rules that ran carry the metadata reporters need: no need to import every family.
    ran = {rule.meta.id: rule for rule in rules}
    return Report(findings=findings, errors=errors, targets=[name], rules=ran)
