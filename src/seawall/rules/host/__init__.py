"""Docker daemon and host rules (HOST###), on CIS Docker Benchmark sections 1-3.

HOST001-HOST020 judge daemon settings (section 2, and 5.1 swarm), HOST021 compose drift of
running containers (``seawall audit --drift``), HOST101-HOST118 host
configuration (section 1.1), HOST201-HOST224 file ownership and permissions (section 3,
HOST2NN ↔ CIS 3.NN). All run on a :class:`seawall.runtime.snapshot.DockerEnvironment`.
"""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.host.daemon_rules import DAEMON_RULES
from seawall.rules.host.drift_rule import ComposeDrift
from seawall.rules.host.file_rules import FILE_RULES
from seawall.rules.host.host_rules import HOST_CONFIG_RULES

HOST_RULES: tuple[Rule[Any], ...] = (
    *DAEMON_RULES,
    ComposeDrift(),
    *HOST_CONFIG_RULES,
    *FILE_RULES,
)
