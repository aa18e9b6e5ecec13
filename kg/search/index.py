"""The search indexes of one data directory, as recorded in ``manifest.search`` (a
:class:`kg.search_record.SearchRecord`), loaded in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from kg.catalog import PassageRecord
from kg.datadir import DataDir, Manifest
from kg.errors import StoreError
from kg.namespaces import preferred_type
from kg.search.dense import DenseIndex
from kg.search.embedding_cache import EmbeddingCache
from kg.search.keyword import KeywordBuilder, KeywordIndex
from kg.search.segments import open_segment
from kg.search.shards import EntityInfo, Shard, read_shard
from kg.search.vectors import VectorIndex, faiss, stored_rows
from kg.search_record import SEARCH_FORMAT, SINGLE_FILE_FORMAT, EmbedderInfo, SearchRecord

__all__ = ["SEARCH_FORMAT", "EmbedderInfo", "SearchIndex"]


@dataclass
class SearchIndex:
    """What queries use: the passage table, BM25 and dense indexes and entity lookups. The shards are
    not kept (their hashes matter only to writers, their term counts live on in ``keyword``)."""

    embedder: EmbedderInfo | None
    passages: list[PassageRecord]
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
        cls, shards: Iterable[Shard], embedder: EmbedderInfo | None, dense: DenseIndex | None
    ) -> SearchIndex:
        assembler = _Assembler()
        for shard in shards:
            assembler.add(shard)
        return assembler.finish(embedder, dense)

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
        # one shard at a time, without its hashes: only what queries use stays in memory
        assembler = _Assembler()
        for rid in state.order:
            assembler.add(read_shard(datadir.path(state.shards[rid]), hashes=False, known=assembler.entities))
        return cls._checked(assembler.finish(embedder, dense))

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


class _Assembler:
    """A ``SearchIndex`` built from shards given one at a time; of each shard only its passages and term
    ids are kept (its entities are merged into one table, its vocabulary into the keyword index's)."""

    def __init__(self) -> None:
        self.passages: list[PassageRecord] = []
        self.keyword = KeywordBuilder()
        self.entities: dict[str, EntityInfo] = {}
        self.report_rows: dict[str, np.ndarray] = {}
        self.by_entity: dict[str, list[int]] = {}

    def add(self, shard: Shard) -> None:
        entities, by_entity = self.entities, self.by_entity
        self.keyword.add(shard.terms)
        for slug, info in shard.entities.items():
            known = entities.get(slug)
            if known is not info:  # read_shard shares the object of an entity read the same before
                entities[slug] = _merged_entity(known, info)
        row = len(self.passages)
        self.report_rows[shard.rid] = np.arange(row, row + len(shard), dtype=np.int64)
        for passage in shard.passages:
            for slug in passage.entities:
                by_entity.setdefault(slug, []).append(row)
            row += 1
        self.passages += shard.passages

    def finish(self, embedder: EmbedderInfo | None, dense: DenseIndex | None) -> SearchIndex:
        entity_rows = {
            slug: np.unique(np.asarray(rows, dtype=np.int64)) for slug, rows in self.by_entity.items()
        }
        keyword = self.keyword.finish()
        return SearchIndex(
            embedder, self.passages, keyword, dense, self.entities, self.report_rows, entity_rows
        )


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
