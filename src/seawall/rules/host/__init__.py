"""Docker daemon and host rules (HOST###), on CIS Docker Benchmark sections 1-3.

HOST001-HOST020 judge daemon settings (section 2, and 5.1 swarm), HOST021 compose drift of
running containers (``seawall audit --drift``), HOST022-HOST025 swarm configuration
(section 7), HOST026-HOST027 exec sessions (5.23, 5.24), HOST028 content trust (4.5),
HOST101-HOST118 host configuration (section 1.1), HOST201-HOST224 file ownership and
permissions (section 3, HOST2NN ↔ CIS 3.NN). All run on a
:class:`seawall.runtime.snapshot.DockerEnvironment`.
"""

from __future__ import annotations

from typing import Any

from seawall.rules._base import Rule
from seawall.rules.host.client_rules import CLIENT_RULES
from seawall.rules.host.daemon_rules import DAEMON_RULES
from seawall.rules.host.drift_rule import ComposeDrift
from seawall.rules.host.file_rules import FILE_RULES
from seawall.rules.host.host_rules import HOST_CONFIG_RULES
from seawall.rules.host.swarm_rules import SWARM_RULES

HOST_RULES: tuple[Rule[Any], ...] = (
    *DAEMON_RULES,
    ComposeDrift(),
    *SWARM_RULES,
    *CLIENT_RULES,
    *HOST_CONFIG_RULES,
    *FILE_RULES,
)
