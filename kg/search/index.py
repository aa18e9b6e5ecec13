"""The search indexes of one data directory, as recorded in ``manifest.search`` (a
:class:`kg.search_record.SearchRecord`), loaded in memory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.catalog import PassageRecord
from kg.datadir import DataDir, Manifest
from kg.errors import StoreError
from kg.search.dense import DenseIndex
from kg.search.embedding_cache import EmbeddingCache
from kg.search.keyword import KeywordIndex
from kg.search.segments import open_segment
from kg.search.shards import EntityInfo, Shard, read_shard
from kg.search.table import EntityRows, PassageTable, Table, merged_entity
from kg.search.vectors import VectorIndex, faiss, stored_rows
from kg.search_record import SEARCH_FORMAT, SINGLE_FILE_FORMAT, EmbedderInfo, SearchRecord

__all__ = ["SEARCH_FORMAT", "EmbedderInfo", "SearchIndex"]


@dataclass
class SearchIndex:
    """What queries use: the passage table, BM25 and dense indexes and entity lookups, over the search
    tables of the dense segments (``kg.search.table``), memory-mapped; a data directory whose segments
    have no tables yet (written before them) is read from its shards until its next ingest."""

    embedder: EmbedderInfo | None
    passages: Sequence[PassageRecord]
    keyword: KeywordIndex
    dense: DenseIndex | None
    entities: dict[str, EntityInfo]
    report_rows: dict[str, np.ndarray] = field(default_factory=dict)  # rid -> its rows
    entity_rows: Mapping[str, np.ndarray] = field(default_factory=dict)  # slug -> rows mentioning it

    @classmethod
    def empty(cls) -> SearchIndex:
        return cls.from_tables([], None, None)

    @classmethod
    def from_shards(
        cls, shards: Iterable[Shard], embedder: EmbedderInfo | None, dense: DenseIndex | None
    ) -> SearchIndex:
        return cls.from_tables([Table.from_shards(shards)], embedder, dense)

    @classmethod
    def from_tables(
        cls, tables: Sequence[Table], embedder: EmbedderInfo | None, dense: DenseIndex | None
    ) -> SearchIndex:
        entities: dict[str, EntityInfo] = {}
        report_rows: dict[str, np.ndarray] = {}
        base = 0
        for table in tables:
            for info in table.entities:
                entities[info.slug] = merged_entity(entities.get(info.slug), info)
            bounds = (table.report_indptr + base).tolist()
            for rid, lo, hi in zip(table.rids, bounds[:-1], bounds[1:], strict=True):
                report_rows[rid] = np.arange(lo, hi, dtype=np.int64)
            base += len(table)
        keyword = KeywordIndex([table.postings for table in tables])
        return cls(embedder, PassageTable(tables), keyword, dense, entities, report_rows, EntityRows(tables))

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
        if state.format == SINGLE_FILE_FORMAT:
            shards = [read_shard(datadir.path(state.shards[rid])) for rid in state.order]
            dense = _single_file_dense(datadir, state, shards, embedder.dim)
            return cls._checked(cls.from_shards(shards, embedder, dense))
        segments = state.dense.segments if state.dense else ()
        dense = DenseIndex([open_segment(datadir, record) for record in segments])
        if segments and all(record.table for record in segments):
            tables = [Table.open(datadir.path(record.table)) for record in segments if record.table]
            if [rid for table in tables for rid in table.rids] != list(state.order):
                raise StoreError("the search tables and the manifest's reports disagree; re-ingest")
            return cls._checked(cls.from_tables(tables, embedder, dense))
        # written before search tables: one shard at a time, without its hashes
        lean = (read_shard(datadir.path(state.shards[rid]), hashes=False) for rid in state.order)
        return cls._checked(cls.from_shards(lean, embedder, dense))

    @staticmethod
    def _checked(index: SearchIndex) -> SearchIndex:
        if index.dense is None or len(index.dense) != len(index.passages):
            raise StoreError("the dense index and the passage table disagree; re-ingest or reembed")
        return index

    def __len__(self) -> int:
        return len(self.passages)

    def rows_for_type(self, type_name: str) -> np.ndarray:
        """Rows of passages that mention an entity of the given type."""
        slugs = [s for s, e in self.entities.items() if e.type == type_name]
        if not slugs:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate([self.entity_rows.get(s, np.zeros(0, np.int64)) for s in slugs]))


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
