"""The search indexes of one data directory, as recorded in ``manifest.search`` (a
:class:`kg.search_record.SearchRecord`), loaded in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kg.catalog import PassageRecord
from kg.datadir import DataDir, Manifest
from kg.errors import StoreError
from kg.namespaces import preferred_type
from kg.search.dense import DenseIndex
from kg.search.embedding_cache import EmbeddingCache
from kg.search.keyword import KeywordIndex
from kg.search.segments import open_segment
from kg.search.shards import EntityInfo, Shard, read_shard
from kg.search.vectors import VectorIndex, faiss, stored_rows
from kg.search_record import SEARCH_FORMAT, SINGLE_FILE_FORMAT, EmbedderInfo, SearchRecord

__all__ = ["SEARCH_FORMAT", "EmbedderInfo", "SearchIndex"]


@dataclass
class SearchIndex:
    embedder: EmbedderInfo | None
    passages: list[PassageRecord]
    shards: list[Shard]
    keyword: KeywordIndex
    dense: DenseIndex | None
    entities: dict[str, EntityInfo]
    report_rows: dict[str, np.ndarray] = field(default_factory=dict)  # rid -> its rows
    entity_rows: dict[str, np.ndarray] = field(default_factory=dict)  # slug -> rows mentioning it

    @classmethod
    def empty(cls) -> SearchIndex:
        return cls.from_shards([], None, None)

    @classmethod
    def from_shards(
        cls, shards: list[Shard], embedder: EmbedderInfo | None, dense: DenseIndex | None
    ) -> SearchIndex:
        passages = [p for shard in shards for p in shard.passages]
        keyword = KeywordIndex.build([shard.terms for shard in shards])
        entities: dict[str, EntityInfo] = {}
        report_rows: dict[str, np.ndarray] = {}
        by_entity: dict[str, list[int]] = {}
        row = 0
        for shard in shards:
            for slug, info in shard.entities.items():
                entities[slug] = _merged_entity(entities.get(slug), info)
            report_rows[shard.rid] = np.arange(row, row + len(shard), dtype=np.int64)
            for passage in shard.passages:
                for slug in passage.entities:
                    by_entity.setdefault(slug, []).append(row)
                row += 1
        entity_rows = {slug: np.unique(np.asarray(rows, dtype=np.int64)) for slug, rows in by_entity.items()}
        return cls(embedder, passages, shards, keyword, dense, entities, report_rows, entity_rows)

    @classmethod
    def load(cls, datadir: DataDir, manifest: Manifest) -> SearchIndex:
        state = manifest.search
        if not state.order:
            return cls.empty()
        if state.format not in (SEARCH_FORMAT, SINGLE_FILE_FORMAT):
            raise StoreError(f"search index format {state.format!r} is not supported; re-ingest")
        embedder = state.embedder
        if embedder is None:
            raise StoreError("manifest.search names no embedder; re-ingest")
        shards = [read_shard(datadir.path(state.shards[rid])) for rid in state.order]
        if state.format == SINGLE_FILE_FORMAT:
            dense = _single_file_dense(datadir, state, shards, embedder.dim)
        else:
            segments = state.dense.segments if state.dense else ()
            dense = DenseIndex([open_segment(datadir, record) for record in segments])
        if len(dense) != sum(len(shard) for shard in shards):
            raise StoreError("the dense index and the passage table disagree; re-ingest or reembed")
        return cls.from_shards(shards, embedder, dense)

    def __len__(self) -> int:
        return len(self.passages)

    def rows_for_type(self, type_name: str) -> np.ndarray:
        """Rows of passages that mention an entity of the given type."""
        slugs = [s for s, e in self.entities.items() if e.type == type_name]
        if not slugs:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([self.entity_rows.get(s, np.zeros(0, np.int64)) for s in slugs]))


def _merged_entity(known: EntityInfo | None, seen: EntityInfo) -> EntityInfo:
    """One entity as two reports saw it: the type by TYPE_PRECEDENCE and the smaller label, so that the
    result does not depend on the order the reports were ingested in (docs/linking.md)."""
    if known is None or known == seen:
        return seen
    type_ = preferred_type((known.type, seen.type)) or known.type
    return EntityInfo(slug=seen.slug, label=min(known.label, seen.label), type=type_)


def _single_file_dense(datadir: DataDir, state: SearchRecord, shards: list[Shard], dim: int) -> DenseIndex:
    """The dense index of a data directory written before segments (search format 1): read into memory
    with the sentence vectors from the embedding cache, until the next ingest writes it as segments."""
    cache = EmbeddingCache.load(datadir, state.vectors, dim)
    per_passage = [hs for shard in shards for hs in shard.sentence_hashes]
    sentences = cache.lookup([h for hs in per_passage for h in hs]).astype(np.float16)
    indptr = np.zeros(len(per_passage) + 1, dtype=np.int64)
    np.cumsum([len(hs) for hs in per_passage], out=indptr[1:])
    try:
        if state.dense is None or state.dense.file is None:
            raise KeyError("dense")
        data = datadir.path(state.dense.file).read_bytes()
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    except (OSError, KeyError, RuntimeError) as exc:
        raise StoreError(f"cannot read the dense index: {exc}") from exc
    if isinstance(index, faiss.IndexHNSW):
        return DenseIndex([VectorIndex(stored_rows(index), index, sentences, indptr)])
    # a copy: the view of a flat index's rows is only valid while that index lives
    return DenseIndex([VectorIndex(np.array(stored_rows(index)), None, sentences, indptr)])
