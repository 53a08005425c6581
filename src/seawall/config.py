"""Configuration from ``.seawall.toml`` or ``[tool.seawall]`` in ``pyproject.toml``.

Unknown keys are errors: a typo must not silently disable a policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from seawall.errors import ConfigError
from seawall.model.finding import Severity

if TYPE_CHECKING:
    from seawall.vuln.settings import VulnSettings

_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "severity",
    "per-file-ignores",
    "rules",
    "baseline",
    "exclude",
    "vulns",
}


_EMPTY: Mapping[str, Any] = MappingProxyType({})  # one shared read-only default


class Config(NamedTuple):
    """The effective configuration of one run (file values overridden by command-line flags).

    An immutable named tuple (every run builds one before anything else).
    """

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.LOW
    severity_overrides: Mapping[str, Severity] = _EMPTY
    per_file_ignores: Mapping[str, tuple[str, ...]] = _EMPTY
    rule_options: Mapping[str, Mapping[str, Any]] = _EMPTY
    baseline: Path | None = None
    exclude: tuple[str, ...] = ()
    vulns: VulnSettings | None = None  # the [tool.seawall.vulns] table, when present
    path: Path | None = None

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with the given fields replaced (None values are ignored)."""
        return self._replace(**{k: v for k, v in changes.items() if v is not None})


def find_config(start: Path) -> Path | None:
    """The nearest ``.seawall.toml`` or ``pyproject.toml`` with a ``[tool.seawall]`` table."""

    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        own = candidate / ".seawall.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
                if "[tool.seawall" not in text:
                    continue
                import tomllib

                data = tomllib.loads(text)
            except (OSError, UnicodeDecodeError, ValueError):  # TOMLDecodeError is a ValueError
                continue
            if "seawall" in data.get("tool", {}):
                return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a configuration file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("seawall", {})
    return parse_config(data, path)


def _str_list(value: Any, key: str, path: Path | None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return tuple(value)


def parse_config(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validate a configuration mapping (already read from TOML)."""
    from seawall.rules import RULES_BY_ID

    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown configuration key(s): {', '.join(sorted(unknown))}")
    try:
        fail_on = Severity.parse(str(data.get("fail-on", "low")))
    except ValueError as exc:
        raise ConfigError(f"{path}: fail-on: {exc}") from None
    severities: dict[str, Severity] = {}
    for rule_id, sev in dict(data.get("severity", {})).items():
        if rule_id not in RULES_BY_ID:
            raise ConfigError(f"{path}: severity: unknown rule id {rule_id!r}")
        try:
            severities[rule_id] = Severity.parse(str(sev))
        except ValueError as exc:
            raise ConfigError(f"{path}: severity.{rule_id}: {exc}") from None
    per_file = {
        str(glob): _str_list(ids, f"per-file-ignores.{glob}", path)
        for glob, ids in dict(data.get("per-file-ignores", {})).items()
    }
    options: dict[str, dict[str, Any]] = {}
    for rule_id, opts in dict(data.get("rules", {})).items():
        rule = RULES_BY_ID.get(rule_id)
        if rule is None:
            raise ConfigError(f"{path}: rules: unknown rule id {rule_id!r}")
        if not isinstance(opts, dict):
            raise ConfigError(f"{path}: rules.{rule_id} must be a table")
        declared = {o.name: o for o in rule.meta.options}
        for name, value in opts.items():
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                raise ConfigError(
                    f"{path}: rules.{rule_id}: unknown option {name!r} (known: {known})"
                )
            default = declared[name].default
            if default is not None and not isinstance(value, type(default)):
                raise ConfigError(
                    f"{path}: rules.{rule_id}.{name} must be {type(default).__name__}"
                )
        options[rule_id] = dict(opts)
    baseline = data.get("baseline")
    base_dir = path.parent if path else Path.cwd()
    vulns = None
    if "vulns" in data:
        from seawall.vuln.settings import parse_vuln_table

        vulns = parse_vuln_table(data["vulns"], base_dir, f"{path}")
    return Config(
        select=_str_list(data.get("select", []), "select", path),
        extend_select=_str_list(data.get("extend-select", []), "extend-select", path),
        ignore=_str_list(data.get("ignore", []), "ignore", path),
        fail_on=fail_on,
        severity_overrides=severities,
        per_file_ignores=per_file,
        rule_options=options,
        baseline=(base_dir / str(baseline)) if baseline else None,
        exclude=_str_list(data.get("exclude", []), "exclude", path),
        vulns=vulns,
        path=path,
    )
