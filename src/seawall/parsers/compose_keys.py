"""Attribute names the Compose Specification defines (unknown names are errors, as in Compose)."""

from __future__ import annotations

TOP_LEVEL = frozenset(
    {
        "version",
        "name",
        "services",
        "networks",
        "volumes",
        "secrets",
        "configs",
        "include",
        "models",
    }
)

SERVICE = frozenset(
    {
        "annotations",
        "attach",
        "blkio_config",
        "build",
        "cap_add",
        "cap_drop",
        "cgroup",
        "cgroup_parent",
        "command",
        "configs",
        "container_name",
        "cpu_count",
        "cpu_percent",
        "cpu_period",
        "cpu_quota",
        "cpu_rt_period",
        "cpu_rt_runtime",
        "cpu_shares",
        "cpus",
        "cpuset",
        "credential_spec",
        "depends_on",
        "deploy",
        "develop",
        "device_cgroup_rules",
        "devices",
        "dns",
        "dns_opt",
        "dns_search",
        "domainname",
        "driver_opts",
        "entrypoint",
        "env_file",
        "environment",
        "expose",
        "extends",
        "external_links",
        "extra_hosts",
        "gpus",
        "group_add",
        "healthcheck",
        "hostname",
        "image",
        "init",
        "ipc",
        "isolation",
        "label_file",
        "labels",
        "links",
        "logging",
        "mac_address",
        "mem_limit",
        "mem_reservation",
        "mem_swappiness",
        "memswap_limit",
        "models",
        "network_mode",
        "networks",
        "oom_kill_disable",
        "oom_score_adj",
        "pid",
        "pids_limit",
        "platform",
        "ports",
        "post_start",
        "pre_stop",
        "privileged",
        "profiles",
        "provider",
        "pull_policy",
        "read_only",
        "restart",
        "runtime",
        "scale",
        "secrets",
        "security_opt",
        "shm_size",
        "stdin_open",
        "stop_grace_period",
        "stop_signal",
        "storage_opt",
        "sysctls",
        "tmpfs",
        "tty",
        "ulimits",
        "use_api_socket",
        "user",
        "userns_mode",
        "uts",
        "volumes",
        "volumes_from",
        "working_dir",
        # Compose file format 2.x attributes still accepted by docker-compose.
        "volume_driver",
    }
)


def is_extension(key: str) -> bool:
    """``x-`` keys are extension fields, free for users."""
    return key.startswith("x-")


# Nested mappings whose keys are checked too: a typo there (`memroy`, `readonly`) would silently
# drop the very setting a rule looks for. Paths are keys below a service.
NESTED: dict[tuple[str, ...], frozenset[str]] = {
    ("healthcheck",): frozenset(
        {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
    ),
    ("deploy",): frozenset(
        {
            "mode",
            "endpoint_mode",
            "replicas",
            "labels",
            "rollback_config",
            "update_config",
            "resources",
            "restart_policy",
            "placement",
        }
    ),
    ("deploy", "resources"): frozenset({"limits", "reservations"}),
    ("deploy", "resources", "limits"): frozenset({"cpus", "memory", "pids"}),
    ("deploy", "resources", "reservations"): frozenset(
        {"cpus", "memory", "generic_resources", "devices"}
    ),
    ("deploy", "restart_policy"): frozenset({"condition", "delay", "max_attempts", "window"}),
    ("logging",): frozenset({"driver", "options"}),
}
# Long syntax of a ``ports`` / ``volumes`` entry, and the per-type options of a volume entry.
PORT = frozenset({"name", "mode", "host_ip", "target", "published", "protocol", "app_protocol"})
VOLUME = frozenset(
    {"type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image"}
)
VOLUME_OPTIONS: dict[str, frozenset[str]] = {
    "bind": frozenset({"propagation", "create_host_path", "recursive", "selinux"}),
    "volume": frozenset({"labels", "nocopy", "subpath"}),
    "tmpfs": frozenset({"size", "mode"}),
    "image": frozenset({"subpath"}),
}
# Top-level resource definitions (a misspelt `internal: true` would leave a network reachable).
RESOURCES: dict[str, frozenset[str]] = {
    "networks": frozenset(
        {
            "name",
            "driver",
            "driver_opts",
            "ipam",
            "external",
            "internal",
            "enable_ipv4",
            "enable_ipv6",
            "attachable",
            "labels",
        }
    ),
    "volumes": frozenset({"name", "driver", "driver_opts", "external", "labels"}),
    "secrets": frozenset(
        {
            "name",
            "environment",
            "file",
            "external",
            "labels",
            "driver",
            "driver_opts",
            "template_driver",
            "content",
        }
    ),
    "configs": frozenset(
        {"name", "content", "environment", "file", "external", "labels", "template_driver"}
    ),
}
