"""CIS section 4 on the images running containers use: the IMG rules and the vulnerability gate.

Each image is exported from the daemon once, however many containers run it. With the gate,
every image's packages are matched against the offline database (``seawall.vuln.scan``); the
first-seen ledger is then updated once from all images together, so one image's scan does not
prune the entries of another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from seawall.model.finding import Report, TargetError

if TYPE_CHECKING:
    from seawall.config import Config
    from seawall.model.package import Package
    from seawall.runtime.snapshot import AuditSnapshot
    from seawall.vuln.match import VulnMatch
    from seawall.vuln.scan import VulnScan
    from seawall.vuln.settings import VulnSettings


@dataclass(frozen=True)
class VulnRequest:
    """``--vulns`` and its settings; ``today`` is the policy's day (None: the real date)."""

    settings: VulnSettings
    today: date | None = None


@dataclass
class ImagesAudit:
    """Findings on images in use, and which vulnerability findings fail the gate."""

    report: Report = field(default_factory=Report)
    blocking: set[tuple[str, str]] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def images_in_use(snapshot: AuditSnapshot) -> list[tuple[str, str]]:
    """``(image id, name)`` of every image a running container uses, each once, in name order."""
    found: dict[str, str] = {}
    for record in snapshot.containers:
        image_id = str(record.inspect.get("Image", ""))
        if record.running and image_id and image_id not in found:
            found[image_id] = str(record.inspect.get("Config", {}).get("Image") or image_id)
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


def audit_images_in_use(
    snapshot: AuditSnapshot,
    config: Config,
    client: Any,
    *,
    image_rules: bool = True,
    vulns: VulnRequest | None = None,
) -> ImagesAudit:
    """IMG rules (``image_rules``) and/or the vulnerability gate (``vulns``) on images in use.

    An image that cannot be exported is a note for the IMG rules, but an error when the gate
    was asked for: a vulnerability gate must not pass on what it could not see.
    """
    from seawall.errors import SeawallError
    from seawall.image.audit import audit_image
    from seawall.image.load import load_image

    result = ImagesAudit()
    matches: list[VulnMatch] = []
    complete = True
    in_use = images_in_use(snapshot)
    for image_id, name in in_use:
        target = f"image/{name}"
        try:
            image = load_image(f"docker:{image_id}", daemon=client)
        except SeawallError as exc:
            if vulns is not None:
                result.report.errors.append(TargetError(target, str(exc), "daemon"))
                complete = False
            else:
                result.notes.append(f"image {name} not audited: {exc}")
            continue
        if image_rules:
            result.report.extend(audit_image(image, config, target=target))
        if vulns is not None:
            scan = _scan(image.inventory.packages, target, config, vulns)
            result.report.findings.extend(scan.findings)
            if not image_rules:
                result.report.targets.append(target)
            result.blocking.update(scan.blocking)
            matches.extend(scan.matches)
    if vulns is not None and complete and in_use:  # a partial or empty scan records nothing
        _record_first_seen(vulns, matches)
    return result


def _scan(packages: Sequence[Package], target: str, config: Config, vulns: VulnRequest) -> VulnScan:
    from seawall.vuln.scan import scan_with_settings

    # The ledger is written once for all images (``_record_first_seen``), not per image.
    settings = replace(vulns.settings, update_ledger=False)
    return scan_with_settings(packages, target, settings, config=config, today=vulns.today)


def _record_first_seen(vulns: VulnRequest, matches: list[VulnMatch]) -> None:
    from seawall.vuln.db import utcnow
    from seawall.vuln.ledger import load_ledger, save_ledger

    path = vulns.settings.ledger
    if path is None or not vulns.settings.update_ledger:
        return
    day = vulns.today or utcnow().date()
    save_ledger(path, load_ledger(path).updated(matches, day))
