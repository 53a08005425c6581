"""Daemon settings (CIS Docker Benchmark section 2, plus 5.1): HOST001-HOST020."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.rules._base import (
    CIS_DOCKER,
    CWE,
    NIST_800_190,
    Context,
    Reference,
    Rule,
    RuleMeta,
    TargetKind,
)
from seawall.rules.host._support import config_visible, info_pointer, setting_finding
from seawall.runtime.snapshot import DockerEnvironment

DAEMON = frozenset({TargetKind.DAEMON})
EXAMPLE_NOTE = "The example is a daemon.json; the same setting may be a dockerd flag."


def _meta(
    ident: str,
    name: str,
    title: str,
    severity: Severity,
    control: str,
    remediation: str,
    *extra: Reference,
) -> RuleMeta:
    refs = [CIS_DOCKER.control(control)] if control else []
    refs.extend(extra)
    return RuleMeta(
        id=ident,
        name=name,
        title=title,
        severity=severity,
        targets=DAEMON,
        remediation=remediation,
        references=tuple(refs),
        aliases=(f"CIS-{control}",) if control else (),
    )


class IccEnabled(Rule[DockerEnvironment]):
    """## What it does
    Flags a default bridge network on which containers may talk to each other freely.

    ## Why is this bad?
    With inter-container communication on, every container on `docker0` reaches every port of
    every other one: one compromised container can attack all its neighbours.

    ## Example
    ```json
    {"icc": true}
    ```
    Use instead:
    ```json
    {"icc": false}
    ```

    ## Fix safety
    No automatic fix: containers that rely on talking over the default bridge need a
    user-defined network first.
    """

    meta = _meta(
        "HOST001",
        "daemon-icc-enabled",
        "Restrict traffic between containers on the default bridge",
        Severity.MEDIUM,
        "2.2",
        'Set "icc": false in daemon.json and put containers that '
        "must talk on user-defined networks.",
        NIST_800_190.control("4.3.3", "Poorly separated inter-container network traffic"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        bridge = env.daemon.default_bridge
        if bridge is None:
            return  # no default bridge (--bridge=none): nothing to restrict
        option = (bridge.get("Options") or {}).get("com.docker.network.bridge.enable_icc", "true")
        if str(option).lower() == "false":
            return
        yield setting_finding(
            ctx,
            self,
            env,
            env.daemon.config.get("icc"),
            "inter-container communication is enabled on the default bridge",
            fallback_pointer="/network/bridge/Options",
        )


class LogLevel(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon log level other than `info`.

    ## Why is this bad?
    `debug` logs are noisy and may record sensitive request data; `warn`/`error`/`fatal` drop
    the events an investigation needs.

    ## Example
    ```json
    {"log-level": "debug"}
    ```
    Use instead:
    ```json
    {"log-level": "info"}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST002",
        "daemon-log-level",
        "Set the daemon log level to info",
        Severity.LOW,
        "2.3",
        "Remove log-level/debug from daemon.json and dockerd flags, or set info.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        setting = env.daemon.config.get("log-level")
        if setting is not None and str(setting.value).lower() != "info":
            yield setting_finding(ctx, self, env, setting, f"log level is {setting.value!r}")
        elif env.daemon.info.get("Debug"):
            yield setting_finding(
                ctx,
                self,
                env,
                env.daemon.config.get("debug"),
                "the daemon runs in debug mode",
                fallback_pointer=info_pointer("Debug"),
            )


class IptablesDisabled(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon started with `iptables: false`.

    ## Why is this bad?
    Docker then no longer manages the firewall rules that isolate networks and publish ports, so
    network isolation depends on hand-written rules that drift.

    ## Example
    ```json
    {"iptables": false}
    ```
    Use instead:
    ```json
    {}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST003",
        "daemon-iptables-disabled",
        "Let Docker manage iptables",
        Severity.LOW,
        "2.4",
        'Remove "iptables": false (and --iptables=false).',
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if not config_visible(ctx, self, env):
            return
        setting = env.daemon.config.get("iptables")
        if setting is not None and setting.value is False:
            yield setting_finding(ctx, self, env, setting, "Docker may not manage iptables")


def _loopback(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).is_loopback
    except ValueError:
        host = cidr.split(":", 1)[0]
        return host in ("localhost",) or host.startswith("127.")


class InsecureRegistries(Rule[DockerEnvironment]):
    """## What it does
    Flags registries the daemon talks to without TLS verification (loopback excepted).

    ## Why is this bad?
    Images pulled over plain HTTP or unverified TLS can be swapped in transit.

    ## Example
    ```json
    {"insecure-registries": ["registry.internal:5000"]}
    ```
    Use instead:
    ```json
    {}
    ```

    ## Fix safety
    No automatic fix: give the registry a trusted certificate first.
    """

    meta = _meta(
        "HOST004",
        "daemon-insecure-registry",
        "Do not use insecure registries",
        Severity.HIGH,
        "2.5",
        "Remove insecure-registries; serve registries over TLS with "
        "a trusted certificate (certs.d).",
        CWE.control("CWE-319"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        registry = env.daemon.info.get("RegistryConfig") or {}
        insecure = [c for c in registry.get("InsecureRegistryCIDRs") or [] if not _loopback(c)]
        for name, index in sorted((registry.get("IndexConfigs") or {}).items()):
            if not index.get("Secure", True) and not _loopback(name):
                insecure.append(name)
        for entry in dict.fromkeys(insecure):
            yield setting_finding(
                ctx,
                self,
                env,
                env.daemon.config.get("insecure-registries"),
                f"insecure registry {entry}",
                fallback_pointer=info_pointer("RegistryConfig"),
            )


class AufsDriver(Rule[DockerEnvironment]):
    """## What it does
    Flags the deprecated `aufs` storage driver.

    ## Why is this bad?
    aufs is unmaintained and has known kernel crashes and security issues.

    ## Example
    ```json
    {"storage-driver": "aufs"}
    ```
    Use instead:
    ```json
    {"storage-driver": "overlay2"}
    ```

    ## Fix safety
    No automatic fix: changing the driver hides existing images and containers.
    """

    meta = _meta(
        "HOST005",
        "daemon-aufs-driver",
        "Do not use the aufs storage driver",
        Severity.MEDIUM,
        "2.6",
        "Use overlay2.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if str(env.daemon.info.get("Driver", "")).lower() == "aufs":
            yield setting_finding(
                ctx,
                self,
                env,
                env.daemon.config.get("storage-driver"),
                "storage driver is aufs",
                fallback_pointer=info_pointer("Driver"),
            )


class TcpWithoutTls(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon listening on TCP without mutual TLS (`tlsverify`).

    ## Why is this bad?
    Anyone who reaches the port controls the daemon, which is root on the host.

    ## Example
    ```json
    {"hosts": ["tcp://0.0.0.0:2375"]}
    ```
    Use instead:
    ```json
    {"hosts": ["tcp://0.0.0.0:2376"], "tlsverify": true, "tlscacert": "/etc/docker/ca.pem",
     "tlscert": "/etc/docker/server.pem", "tlskey": "/etc/docker/server-key.pem"}
    ```

    ## Fix safety
    No automatic fix: clients need certificates first.
    """

    meta = _meta(
        "HOST006",
        "daemon-tcp-without-tls",
        "Require TLS client authentication on TCP sockets",
        Severity.CRITICAL,
        "2.7",
        "Use tlsverify with tlscacert/tlscert/tlskey, or listen "
        "on the unix socket only (SSH for remote access).",
        CWE.control("CWE-306"),
        NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        endpoint = env.daemon.endpoint.host
        if endpoint.startswith(("tcp://", "http://")) and not endpoint.startswith("https"):
            config = env.daemon.config
            if not (config.visible and config.value("tlsverify")):
                # We reached it over TCP; if that needed no client certificate, anyone can.
                from seawall.runtime.client import _tls_config

                if _tls_config(endpoint, None) is None:
                    yield ctx.finding(
                        self, f"daemon answered on {endpoint} without TLS", pointer="/endpoint"
                    )
                    return
        if not config_visible(ctx, self, env):
            return
        config = env.daemon.config
        hosts = config.get("hosts")
        tcp = [h for h in (hosts.value if hosts else []) if str(h).startswith("tcp://")]
        if not tcp:
            return
        if not config.value("tlsverify"):
            severity = Severity.HIGH if config.value("tls") else Severity.CRITICAL
            detail = "TLS without client verification" if config.value("tls") else "no TLS"
            yield setting_finding(
                ctx,
                self,
                env,
                hosts,
                f"daemon listens on {', '.join(tcp)} with {detail}",
                severity=severity,
            )


class DefaultUlimits(Rule[DockerEnvironment]):
    """## What it does
    Reports a daemon without `default-ulimits` (a manual CIS control: confirm the defaults).

    ## Why is this bad?
    Without defaults every container inherits the daemon's limits (often very high `nofile` and
    `nproc`), so one container can exhaust them for all.

    ## Example
    ```json
    {}
    ```
    Use instead:
    ```json
    {"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST007",
        "daemon-default-ulimits",
        "Configure default ulimits",
        Severity.INFO,
        "2.8",
        "Set default-ulimits in daemon.json.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if config_visible(ctx, self, env) and not env.daemon.config.value("default-ulimits"):
            yield setting_finding(
                ctx,
                self,
                env,
                None,
                "no default ulimits configured",
                fallback_pointer="/daemon/default-ulimits",
            )


class NoUsernsRemap(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon without user-namespace remapping (and not rootless).

    ## Why is this bad?
    Root in a container is then root on the host: any escape gives full host privileges.

    ## Example
    ```json
    {}
    ```
    Use instead:
    ```json
    {"userns-remap": "default"}
    ```

    ## Fix safety
    No automatic fix: remapping changes file ownership seen by existing volumes.
    """

    meta = _meta(
        "HOST008",
        "daemon-no-userns-remap",
        "Enable user namespace support",
        Severity.MEDIUM,
        "2.9",
        'Set "userns-remap": "default" (or run rootless).',
        NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
        CWE.control("CWE-250"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        daemon = env.daemon
        if daemon.security_option("userns") or daemon.security_option("rootless"):
            return
        yield setting_finding(
            ctx,
            self,
            env,
            daemon.config.get("userns-remap"),
            "containers' root is the host's root (no userns-remap)",
            fallback_pointer=info_pointer("SecurityOptions"),
        )


class CgroupParent(Rule[DockerEnvironment]):
    """## What it does
    Reports a non-default daemon-wide `cgroup-parent`, for confirmation.

    ## Why is this bad?
    Containers placed under an unexpected cgroup escape the resource limits meant for them.

    ## Example
    ```json
    {"cgroup-parent": "/custom"}
    ```
    Use instead:
    ```json
    {}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST009",
        "daemon-cgroup-parent",
        "Confirm the default cgroup usage",
        Severity.INFO,
        "2.10",
        "Leave cgroup-parent unset unless it is intended.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        setting = env.daemon.config.get("cgroup-parent")
        if setting is not None and setting.value:
            yield setting_finding(ctx, self, env, setting, f"cgroup parent is {setting.value!r}")


class BaseDeviceSize(Rule[DockerEnvironment]):
    """## What it does
    Flags a changed `dm.basesize` storage option.

    ## Why is this bad?
    A larger base device lets each container use more disk, raising denial-of-service risk.

    ## Example
    ```json
    {"storage-opts": ["dm.basesize=50G"]}
    ```
    Use instead:
    ```json
    {}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST010",
        "daemon-base-device-size",
        "Do not change the base device size",
        Severity.LOW,
        "2.11",
        "Remove dm.basesize unless needed.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        setting = env.daemon.config.get("storage-opts")
        if setting is not None and any("dm.basesize" in str(o) for o in setting.value or []):
            yield setting_finding(ctx, self, env, setting, "dm.basesize is changed")


class NoAuthorizationPlugin(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon without an authorization plugin.

    ## Why is this bad?
    Anyone who can reach the socket can do anything; an authorization plugin limits API calls.

    ## Example
    ```json
    {}
    ```
    Use instead:
    ```json
    {"authorization-plugins": ["authz-broker"]}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST011",
        "daemon-no-authorization-plugin",
        "Enable authorization for Docker commands",
        Severity.LOW,
        "2.12",
        "Install and configure an authorization plugin.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        plugins = (env.daemon.info.get("Plugins") or {}).get("Authorization") or []
        if not plugins:
            yield setting_finding(
                ctx,
                self,
                env,
                None,
                "no authorization plugin",
                fallback_pointer=info_pointer("Plugins", "Authorization"),
            )


class LocalLogging(Rule[DockerEnvironment]):
    """## What it does
    Flags a default log driver that keeps logs only on the host.

    ## Why is this bad?
    Local logs are lost with the host and can be altered by an attacker who got in.

    ## Example
    ```json
    {"log-driver": "json-file"}
    ```
    Use instead:
    ```json
    {"log-driver": "syslog", "log-opts": {"syslog-address": "tcp://logs.internal:514"}}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST012",
        "daemon-local-logging",
        "Configure centralized and remote logging",
        Severity.LOW,
        "2.13",
        "Use a remote log driver (syslog, journald with forwarding, fluentd, gelf, awslogs …).",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        driver = str(env.daemon.info.get("LoggingDriver") or "")
        if driver in ("", "json-file", "local", "none"):
            yield setting_finding(
                ctx,
                self,
                env,
                env.daemon.config.get("log-driver"),
                f"log driver {driver or 'unset'!r} keeps logs on the host",
                fallback_pointer=info_pointer("LoggingDriver"),
            )


class NoNewPrivilegesDefault(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon that does not set no-new-privileges for every container.

    ## Why is this bad?
    Processes in containers can then gain privileges through setuid binaries.

    ## Example
    ```json
    {}
    ```
    Use instead:
    ```json
    {"no-new-privileges": true}
    ```

    ## Fix safety
    No automatic fix: a few images need setuid helpers.
    """

    meta = _meta(
        "HOST013",
        "daemon-no-new-privileges",
        "Restrict containers from acquiring new privileges",
        Severity.MEDIUM,
        "2.14",
        'Set "no-new-privileges": true.',
        CWE.control("CWE-269"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if not config_visible(ctx, self, env):
            return
        setting = env.daemon.config.get("no-new-privileges")
        if setting is None or setting.value is not True:
            yield setting_finding(
                ctx,
                self,
                env,
                setting,
                "no-new-privileges is not the daemon default",
                fallback_pointer="/daemon/no-new-privileges",
            )


class NoLiveRestore(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon without live restore.

    ## Why is this bad?
    Without it, restarting or upgrading the daemon stops every container (availability).

    ## Example
    ```json
    {}
    ```
    Use instead:
    ```json
    {"live-restore": true}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST014",
        "daemon-no-live-restore",
        "Enable live restore",
        Severity.LOW,
        "2.15",
        'Set "live-restore": true (not with swarm mode).',
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if not env.daemon.info.get("LiveRestoreEnabled"):
            yield setting_finding(
                ctx,
                self,
                env,
                env.daemon.config.get("live-restore"),
                "live restore is disabled",
                fallback_pointer=info_pointer("LiveRestoreEnabled"),
            )


class UserlandProxy(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon that publishes ports through the userland proxy.

    ## Why is this bad?
    `docker-proxy` processes add attack surface; kernel NAT (hairpin) does the same job.

    ## Example
    ```json
    {}
    ```
    Use instead:
    ```json
    {"userland-proxy": false}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST015",
        "daemon-userland-proxy",
        "Disable the userland proxy",
        Severity.LOW,
        "2.16",
        'Set "userland-proxy": false.',
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if not config_visible(ctx, self, env):
            return
        setting = env.daemon.config.get("userland-proxy")
        if setting is None or setting.value is not False:
            yield setting_finding(
                ctx,
                self,
                env,
                setting,
                "the userland proxy is enabled",
                fallback_pointer="/daemon/userland-proxy",
            )


class SeccompDefaultDisabled(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon whose default seccomp profile is `unconfined`, or without seccomp support.

    ## Why is this bad?
    Every container then reaches all ~450 system calls, including the ones behind most kernel
    escapes (`unshare`, `keyctl`, `bpf`, `io_uring`).

    ## Example
    ```json
    {"seccomp-profile": "unconfined"}
    ```
    Use instead:
    ```json
    {}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST016",
        "daemon-seccomp-disabled",
        "Keep a daemon-wide seccomp profile",
        Severity.HIGH,
        "2.17",
        "Remove seccomp-profile: unconfined; use the default or a custom profile.",
        NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        option = env.daemon.security_option("seccomp")
        setting = env.daemon.config.get("seccomp-profile")
        if option is None:
            yield setting_finding(
                ctx,
                self,
                env,
                setting,
                "the daemon has no seccomp support",
                fallback_pointer=info_pointer("SecurityOptions"),
            )
        elif option.get("profile") == "unconfined":
            yield setting_finding(
                ctx,
                self,
                env,
                setting,
                "the daemon-wide seccomp profile is unconfined",
                fallback_pointer=info_pointer("SecurityOptions"),
            )


class Experimental(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon with experimental features enabled.

    ## Why is this bad?
    Experimental features are not stable and get less security scrutiny.

    ## Example
    ```json
    {"experimental": true}
    ```
    Use instead:
    ```json
    {}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST017",
        "daemon-experimental",
        "Do not enable experimental features in production",
        Severity.LOW,
        "2.18",
        'Remove "experimental": true.',
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        components = env.daemon.version.get("Components") or []
        server: dict[str, Any] = next((c for c in components if c.get("Name") == "Engine"), {})
        experimental = (
            env.daemon.info.get("ExperimentalBuild")
            or str((server.get("Details") or {}).get("Experimental", "")).lower() == "true"
        )
        if experimental:
            yield setting_finding(
                ctx,
                self,
                env,
                env.daemon.config.get("experimental"),
                "experimental features are enabled",
                fallback_pointer=info_pointer("ExperimentalBuild"),
            )


class RootfulDaemon(Rule[DockerEnvironment]):
    """## What it does
    Reports a daemon running as root rather than rootless (a manual CIS control).

    ## Why is this bad?
    A daemon compromise, or a container escape, is a host root compromise.

    ## Example
    ```json
    {}
    ```
    Use instead: `dockerd-rootless-setuptool.sh install` for the user that runs containers.

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST018",
        "daemon-rootful",
        "Run the Docker daemon as a non-root user, if possible",
        Severity.INFO,
        "2.1",
        "Consider rootless mode.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        if env.daemon.security_option("rootless") is None:
            yield setting_finding(
                ctx,
                self,
                env,
                None,
                "the daemon runs as root",
                fallback_pointer=info_pointer("SecurityOptions"),
            )


class ConfigFileInvalid(Rule[DockerEnvironment]):
    """## What it does
    Flags a daemon.json that cannot be read or is not a JSON object.

    ## Why is this bad?
    dockerd refuses to start with an invalid file: the next restart (an upgrade, a reboot)
    leaves the host without containers. Its settings also cannot be audited.

    ## Example
    ```json
    {"icc": false,}
    ```
    Use instead:
    ```json
    {"icc": false}
    ```

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST019",
        "daemon-config-invalid",
        "daemon.json must be valid JSON",
        Severity.HIGH,
        # No CIS control is about the file's syntax; an unloadable daemon configuration is a
        # host-hardening defect (manual 1.2.1) that hides every section 2 setting.
        "1.2.1",
        "Fix the JSON syntax (dockerd --validate checks it).",
        NIST_800_190.control("4.4.3", "Insecure container runtime configurations"),
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        config = env.daemon.config
        if config.config_error and "permission denied" not in config.config_error:
            yield ctx.finding(self, config.config_error, path=config.config_path, pointer="")


class SwarmEnabled(Rule[DockerEnvironment]):
    """## What it does
    Reports a daemon in swarm mode.

    ## Why is this bad?
    Swarm opens management ports (2377) and creates a control plane; if unused it is needless
    attack surface.

    ## Example
    `docker swarm init` on a host that runs standalone containers.

    Use instead: `docker swarm leave --force` when swarm is not needed.

    ## Fix safety
    No automatic fix.
    """

    meta = _meta(
        "HOST020",
        "daemon-swarm-enabled",
        "Do not enable swarm mode if not needed",
        Severity.LOW,
        "5.1",
        "Leave the swarm if it is not used.",
    )

    def check(self, env: DockerEnvironment, ctx: Context) -> Iterator[Finding]:
        state = (env.daemon.info.get("Swarm") or {}).get("LocalNodeState", "inactive")
        if state not in ("inactive", "", None):
            yield ctx.finding(
                self, f"swarm mode is {state}", pointer=info_pointer("Swarm", "LocalNodeState")
            )


DAEMON_RULES: tuple[Rule[DockerEnvironment], ...] = (
    IccEnabled(),
    LogLevel(),
    IptablesDisabled(),
    InsecureRegistries(),
    AufsDriver(),
    TcpWithoutTls(),
    DefaultUlimits(),
    NoUsernsRemap(),
    CgroupParent(),
    BaseDeviceSize(),
    NoAuthorizationPlugin(),
    LocalLogging(),
    NoNewPrivilegesDefault(),
    NoLiveRestore(),
    UserlandProxy(),
    SeccompDefaultDisabled(),
    Experimental(),
    RootfulDaemon(),
    ConfigFileInvalid(),
    SwarmEnabled(),
)
