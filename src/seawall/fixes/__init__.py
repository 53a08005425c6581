"""Fixes that need more than one rule's view: per target kind, in subpackages."""
