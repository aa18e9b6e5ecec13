"""The manifest's record of the search indexes (``manifest.search``): written by ``kg.search.updater``,
read by ``kg.search.index``, stored as JSON in ``manifest.json``::

    {"format": 2,
     "embedder": {"name": "use3", "dim": 512},
     "order": [rid, ...],                      # passage rows: the shards in this order
     "shards": {rid: "index/shards/….npz"},
     "sizes": {rid: passages},                 # rows of each shard, so an append reads no old shard
     "vectors": ["index/vectors/seg.….npz"],   # embedding cache segments
     "dense": {"count": N, "segments": [{"rows", "kind", "vectors" | "graph", "sentences",
                                         "sentence_indptr", "table"}, ...]},  # kg.search.segments
     "files": [every file above]}               # what the data directory's GC keeps

Search format 1, written before dense segments, held one dense file instead:
``"dense": {"file": "index/dense.….faiss", "kind": "flat" | "hnsw", "count": N}``. It is still read, and
the next ingest writes segments. A segment's ``table`` (``kg.search.table``: passages, entities and
keyword postings of its reports) is absent in data directories written before tables; they are read
from the shards, and the next ingest writes the missing tables. A data directory with no index
holds ``{}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "SEARCH_FORMAT",
    "SINGLE_FILE_FORMAT",
    "DenseRecord",
    "EmbedderInfo",
    "SearchRecord",
    "SegmentRecord",
]

SEARCH_FORMAT = 2
SINGLE_FILE_FORMAT = 1  # one dense index file, rewritten at every ingest; read, and replaced at the next


@dataclass(frozen=True)
class EmbedderInfo:
    """The embedder an index was built with."""

    name: str
    dim: int


@dataclass(frozen=True)
class SegmentRecord:
    """One dense index segment's files (``kg.search.segments``): a run of consecutive passage rows."""

    rows: int
    kind: str  # "flat" (exact, ``vectors``) or "hnsw" (``graph``)
    vectors: str | None
    graph: str | None
    sentences: str
    sentence_indptr: str
    table: str | None = None  # the search table of the same reports (kg.search.table); None: written before

    @property
    def files(self) -> list[str]:
        return [f for f in (self.vectors, self.graph, self.sentences, self.sentence_indptr, self.table) if f]

    def to_json(self) -> dict[str, Any]:
        """Every field under its own name (all are strings, numbers or None)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SegmentRecord:
        """The record as stored; raises ValueError, TypeError or KeyError on a malformed one."""
        vectors, graph, table = data.get("vectors"), data.get("graph"), data.get("table")
        return cls(
            rows=int(data["rows"]),
            kind=str(data["kind"]),
            vectors=str(vectors) if vectors is not None else None,
            graph=str(graph) if graph is not None else None,
            sentences=str(data["sentences"]),
            sentence_indptr=str(data["sentence_indptr"]),
            table=str(table) if table is not None else None,
        )


@dataclass(frozen=True)
class DenseRecord:
    """The dense (vector) index over the passages: its segments (format 2), or the one file of format 1."""

    count: int  # rows
    segments: tuple[SegmentRecord, ...] = ()
    file: str | None = None  # format 1 only
    kind: str | None = None  # format 1 only: "flat" or "hnsw"

    def to_json(self) -> dict[str, Any]:
        if self.file is not None:
            return {"file": self.file, "kind": self.kind, "count": self.count}
        return {"count": self.count, "segments": [segment.to_json() for segment in self.segments]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DenseRecord:
        """The record as stored; raises ValueError, TypeError or KeyError on a malformed one."""
        if "file" in data:
            return cls(count=int(data["count"]), file=str(data["file"]), kind=str(data["kind"]))
        return cls(
            count=int(data["count"]),
            segments=tuple(SegmentRecord.from_json(segment) for segment in data.get("segments", [])),
        )


@dataclass(frozen=True)
class SearchRecord:
    """What the search indexes of a data directory are made of; the empty record: no index.

    >>> record = SearchRecord.from_json({"format": 2, "embedder": {"name": "use3", "dim": 512},
    ...     "order": ["r1"], "shards": {"r1": "index/shards/r1.npz"}, "sizes": {"r1": 3},
    ...     "vectors": [], "dense": {"count": 3, "segments": [{"rows": 3, "kind": "flat",
    ...     "vectors": "index/dense/v.npy", "graph": None, "sentences": "index/dense/s.npy",
    ...     "sentence_indptr": "index/dense/i.npy"}]},
    ...     "files": ["index/dense/i.npy", "index/dense/s.npy", "index/dense/v.npy", "index/shards/r1.npz"]})
    >>> record.embedder, record.dense.count, record.dense.segments[0].files[0]
    (EmbedderInfo(name='use3', dim=512), 3, 'index/dense/v.npy')
    >>> SearchRecord.from_json(record.to_json()) == record, SearchRecord().to_json()
    (True, {})
    >>> SearchRecord.from_json({"format": 1, "dense": {"file": "index/d.faiss", "kind": "flat", "count": 3}}
    ...     ).dense.file
    'index/d.faiss'
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
            "dense": self.dense.to_json() if self.dense else {},
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
            dense=DenseRecord.from_json(dense) if dense else None,
            files=tuple(str(file) for file in data.get("files", [])),
        )
