"""Package inventory of a merged image filesystem: OS, dpkg, apk, Python, npm and Go binaries."""

from seawall.image.inventory.collect import Inventory, OSInfo, collect_inventory

__all__ = ["Inventory", "OSInfo", "collect_inventory"]
