"""seawall: make containers production-hard and prove it."""

__version__ = "0.1.0"
