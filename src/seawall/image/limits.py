"""Bounds that keep hostile or huge images from exhausting memory, disk or time."""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Caps applied while reading an image. Exceeding a total cap is a SourceError."""

    max_total_bytes: int = 32 * GiB  # decompressed bytes over all layers (decompression bombs)
    max_entries: int = 2_000_000  # tar entries over all layers
    max_layers: int = 1_000
    max_json_bytes: int = 16 * MiB  # manifests, configs, indexes
    max_db_bytes: int = 64 * MiB  # one package database / metadata file
    max_secret_file_bytes: int = 1 * MiB  # secret-candidate files are read only up to this size
    max_license_bytes: int = 256 * KiB  # /usr/share/doc/*/copyright
    max_buildinfo_bytes: int = 4 * MiB  # Go build info strings after the magic
    max_go_binary_bytes: int = 1 * GiB  # executables larger than this are not scanned for Go info
    max_symlink_hops: int = 40
