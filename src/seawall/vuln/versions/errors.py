"""The error a version comparator raises for a string it cannot order."""

from __future__ import annotations


class InvalidVersion(ValueError):
    """A version string is not valid in its ecosystem and cannot be compared reliably."""
