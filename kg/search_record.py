"""The manifest's record of the search indexes (``manifest.search``): written by ``kg.search.updater``,
read by ``kg.search.index``, stored as JSON in ``manifest.json``::

    {"format": 1,
     "embedder": {"name": "use3", "dim": 512},
     "order": [rid, ...],                      # passage rows: the shards in this order
     "shards": {rid: "index/shards/….npz"},
     "sizes": {rid: passages},                 # rows of each shard, so an append reads no old shard
     "vectors": ["index/vectors/seg.….npz"],   # embedding cache segments
     "dense": {"file": "index/dense.….faiss", "kind": "flat" | "hnsw", "count": N},
     "files": [every file above]}               # what the data directory's GC keeps

A data directory with no index holds ``{}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SEARCH_FORMAT", "DenseRecord", "EmbedderInfo", "SearchRecord"]

SEARCH_FORMAT = 1


@dataclass(frozen=True)
class EmbedderInfo:
    """The embedder an index was built with."""

    name: str
    dim: int


@dataclass(frozen=True)
class DenseRecord:
    """The file of the dense (vector) index over the passages."""

    file: str
    kind: str  # "flat" (exact) or "hnsw"
    count: int  # rows


@dataclass(frozen=True)
class SearchRecord:
    """What the search indexes of a data directory are made of; the empty record: no index.

    >>> record = SearchRecord.from_json({"format": 1, "embedder": {"name": "use3", "dim": 512},
    ...     "order": ["r1"], "shards": {"r1": "index/shards/r1.npz"}, "sizes": {"r1": 3},
    ...     "vectors": [], "dense": {"file": "index/d.faiss", "kind": "flat", "count": 3},
    ...     "files": ["index/d.faiss", "index/shards/r1.npz"]})
    >>> record.embedder, record.dense.count
    (EmbedderInfo(name='use3', dim=512), 3)
    >>> SearchRecord.from_json(record.to_json()) == record, SearchRecord().to_json()
    (True, {})
    """

    format: int | None = None  # SEARCH_FORMAT when written by this version
    embedder: EmbedderInfo | None = None
    order: tuple[str, ...] = ()  # rids, in the order of the passage rows
    shards: Mapping[str, str] = field(default_factory=dict)  # rid -> shard file
    sizes: Mapping[str, int] = field(default_factory=dict)  # rid -> passages in its shard
    vectors: tuple[str, ...] = ()  # embedding cache segments
    dense: DenseRecord | None = None
    files: tuple[str, ...] = ()  # every file above

    def to_json(self) -> dict[str, Any]:
        if self == SearchRecord():
            return {}
        return {
            "format": self.format,
            "embedder": {"name": self.embedder.name, "dim": self.embedder.dim} if self.embedder else {},
            "order": list(self.order),
            "shards": dict(self.shards),
            "sizes": dict(self.sizes),
            "vectors": list(self.vectors),
            "dense": (
                {"file": self.dense.file, "kind": self.dense.kind, "count": self.dense.count}
                if self.dense
                else {}
            ),
            "files": list(self.files),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SearchRecord:
        """The record as stored; raises ValueError, TypeError or KeyError on a malformed one."""
        embedder, dense = data.get("embedder"), data.get("dense")
        format_ = data.get("format")
        return cls(
            format=int(format_) if format_ is not None else None,
            embedder=EmbedderInfo(name=str(embedder["name"]), dim=int(embedder["dim"])) if embedder else None,
            order=tuple(str(rid) for rid in data.get("order", [])),
            shards={str(rid): str(file) for rid, file in data.get("shards", {}).items()},
            sizes={str(rid): int(size) for rid, size in data.get("sizes", {}).items()},
            vectors=tuple(str(file) for file in data.get("vectors", [])),
            dense=(
                DenseRecord(file=str(dense["file"]), kind=str(dense["kind"]), count=int(dense["count"]))
                if dense
                else None
            ),
            files=tuple(str(file) for file in data.get("files", [])),
        )
