"""The image model IMG rules run on: config document, layers, merged filesystem, inventory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seawall.image.filesystem import FileSystem
from seawall.image.inventory import Inventory


@dataclass(frozen=True)
class Layer:
    """One layer as read. ``history_index`` points at its ``/history/N`` entry when known."""

    index: int
    diff_id: str
    digest: str | None
    media_type: str
    compressed_size: int | None
    size: int  # decompressed bytes
    entries: int
    history_index: int | None
    created_by: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One ``/history/N`` record of the image config."""

    index: int
    created_by: str
    empty_layer: bool
    layer: int | None  # the layer it produced, if any


@dataclass(frozen=True)
class Image:
    """A built image, read and merged. ``config`` is the OCI/Docker image config document."""

    reference: str
    source: str
    config: Mapping[str, Any]
    layers: tuple[Layer, ...]
    history: tuple[HistoryEntry, ...]
    fs: FileSystem
    inventory: Inventory
    tags: tuple[str, ...] = ()
    config_digest: str | None = None
    manifest_digest: str | None = None

    @property
    def runtime(self) -> Mapping[str, Any]:
        """The ``config`` object inside the image config (User, Env, Healthcheck, ...)."""
        value = self.config.get("config")
        return value if isinstance(value, Mapping) else {}

    @property
    def labels(self) -> Mapping[str, str]:
        """Image labels."""
        value = self.runtime.get("Labels")
        return value if isinstance(value, Mapping) else {}

    def layer_of_history(self, history_index: int) -> int | None:
        """The layer produced by history entry ``history_index``."""
        for entry in self.history:
            if entry.index == history_index:
                return entry.layer
        return None


def map_history(config: Mapping[str, Any], layer_count: int) -> tuple[HistoryEntry, ...]:
    """Pair history records with the layers they produced (records marked empty_layer make none)."""
    raw = config.get("history")
    records: Sequence[Any] = raw if isinstance(raw, list) else []
    result: list[HistoryEntry] = []
    layer = 0
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            continue
        empty = bool(record.get("empty_layer"))
        produced = None
        if not empty and layer < layer_count:
            produced = layer
            layer += 1
        created_by = record.get("created_by")
        result.append(
            HistoryEntry(i, created_by if isinstance(created_by, str) else "", empty, produced)
        )
    return tuple(result)
