"""Helpers shared by the daemon and host rules: locating settings and "not evaluated" notes."""

from __future__ import annotations

from typing import Any

from seawall.model.finding import Finding, Severity
from seawall.rules._base import Context, Rule
from seawall.runtime.daemon import Setting
from seawall.runtime.pointer import pointer
from seawall.runtime.snapshot import DockerEnvironment

NOT_EVALUATED = "not_evaluated"
NOT_APPLICABLE = "not_applicable"


def not_evaluated(ctx: Context, rule: Rule[Any], reason: str) -> None:
    """Record that a rule could not judge this target (e.g. needs root), instead of guessing."""
    ctx.extra.setdefault(NOT_EVALUATED, {})[rule.meta.id] = reason


def not_applicable(ctx: Context, rule: Rule[Any], reason: str) -> None:
    """Record that what a rule checks does not exist here (e.g. no TLS files configured)."""
    ctx.extra.setdefault(NOT_APPLICABLE, {})[rule.meta.id] = reason


def setting_finding(
    ctx: Context,
    rule: Rule[Any],
    env: DockerEnvironment,
    setting: Setting | None,
    message: str,
    *,
    severity: Severity | None = None,
    fallback_pointer: str = "",
) -> Finding:
    """A finding located where the setting was written (daemon.json key or dockerd argv)."""
    if setting is not None and setting.origin == "daemon.json":
        config = env.daemon.config
        return ctx.finding(
            rule, message, path=config.config_path, pointer=setting.location, severity=severity
        )
    if setting is not None:
        return ctx.finding(
            rule,
            message,
            pointer=pointer("daemon", "argv") + setting.location.removeprefix("/argv"),
            severity=severity,
        )
    return ctx.finding(rule, message, pointer=fallback_pointer or "/daemon", severity=severity)


def info_pointer(*tokens: str) -> str:
    """A pointer into the daemon's ``docker info`` document."""
    return pointer("info", *tokens)


def config_visible(ctx: Context, rule: Rule[Any], env: DockerEnvironment) -> bool:
    """True when the daemon's argv or daemon.json could be read; otherwise note why not."""
    config = env.daemon.config
    if config.visible:
        return True
    if not env.host.local:
        not_evaluated(ctx, rule, "the daemon is not on this host; its settings are not visible")
    elif config.pid is None:
        reason = "the dockerd process behind the socket was not found"
        if not env.host.is_root:
            reason += " (run as root to read other users' /proc entries)"
        not_evaluated(ctx, rule, reason)
    else:
        not_evaluated(ctx, rule, config.argv_error or config.config_error or "settings unreadable")
    return False
