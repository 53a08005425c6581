"""The error hierarchy. Every error a user can cause is a SeawallError with a one-line message."""

from __future__ import annotations


class SeawallError(Exception):
    """Base of every error seawall reports to a user (exit code 2, no traceback)."""


class ConfigError(SeawallError):
    """Invalid configuration: unknown keys, bad values, unknown rule ids."""


class SourceError(SeawallError):
    """A target could not be read: missing, unreadable, binary, too large, not UTF-8."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message


class ParseError(SeawallError):
    """A target was read but does not parse. `line`/`column` are 1-based when known."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.reason = message
        self.line = line
        self.column = column


class FixError(SeawallError):
    """A fix could not be applied safely; nothing was written."""


class DaemonError(SeawallError):
    """The Docker daemon (or a registry) could not be reached or answered an error."""
