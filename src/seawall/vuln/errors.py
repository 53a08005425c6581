"""Errors of the vulnerability database; all are SeawallErrors (one line, exit code 2)."""

from __future__ import annotations

from seawall.errors import SeawallError


class DatabaseError(SeawallError):
    """The vulnerability database is missing, corrupt, locked or of an unknown schema."""


class CorruptDatabaseError(DatabaseError):
    """The database file is not a readable seawall database (damaged, foreign, other schema)."""


class StaleDatabaseError(DatabaseError):
    """The vulnerability database is older than the configured maximum age."""


class ImportFailed(SeawallError):
    """An import or download could not finish; the previous database is left untouched."""
