"""The dense leg within one segment: unit-length passage vectors searched by inner product.

A segment is searched exactly (numpy over its vectors) or, when it is large, through an HNSW graph
(faiss ``IndexHNSWFlat``); M, efConstruction and efSearch come from ``bench/search_scale.py`` (see
docs/search.md). Both kinds are opened from their files by memory mapping (``kg.search.segments``), so
a reader's start-up reads nothing and its pages are shared with every other process on the machine.
Row ``i`` of a segment is its ``i``-th passage; ``kg.search.dense.DenseIndex`` puts segments together.

>>> rng = np.random.default_rng(0)
>>> rows = rng.normal(size=(50, 8)).astype(np.float32)
>>> rows /= np.linalg.norm(rows, axis=1, keepdims=True)
>>> index = VectorIndex.build(rows)
>>> index.kind, [int(i) for i in index.search(rows[7], 1)[0]]
('flat', [7])
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from kg.errors import StoreError
from kg.search.embedders import core_count

try:
    import faiss as _faiss
except ImportError as _exc:  # pragma: no cover - faiss-cpu is a hard dependency
    raise StoreError("faiss-cpu is not installed; run: pip install faiss-cpu") from _exc

faiss: Any = _faiss  # SWIG bindings: their partial stubs lack the HNSW and selector classes

# One query at a time gains nothing from OpenMP, and 2 OpenMP threads next to the embedder's BLAS
# threads made exact search 6-8x slower on 2 cores (bench/search_scale.py); only building uses them.
faiss.omp_set_num_threads(1)

__all__ = [
    "HNSW_EF_CONSTRUCTION",
    "HNSW_EF_SEARCH",
    "HNSW_M",
    "VectorIndex",
    "build_hnsw",
    "stored_rows",
    "top_k",
]

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256
# A passage's exact dense score mixes its own cosine and its best sentence's, in these shares.
PASSAGE_SHARE = 0.5
BEST_SENTENCE_SHARE = 0.5
_EXACT_SUBSET = 8192  # a filter this selective is searched exactly with numpy even in an HNSW segment


class VectorIndex:
    """One segment: passage vectors (float32, exact search) or an HNSW graph holding them, plus
    (optionally) the float16 vectors of each passage's sentences.

    Search finds candidates by passage vector; a candidate's score is the mean of its passage
    similarity and its best sentence similarity (measured better than either alone: docs/search.md).
    """

    def __init__(
        self,
        vectors: np.ndarray,
        graph: Any = None,
        sentences: np.ndarray | None = None,
        sentence_indptr: np.ndarray | None = None,
    ) -> None:
        self.vectors = vectors  # (rows, dim) float32; a view of the graph's storage for HNSW
        self.graph = graph  # faiss IndexHNSWFlat, or None: exact search over ``vectors``
        self.sentences: np.ndarray | None = None  # float16 rows
        self.sentence_indptr: np.ndarray | None = None  # passage i owns rows indptr[i]:indptr[i+1]
        if graph is not None:
            faiss.downcast_index(graph).hnsw.efSearch = HNSW_EF_SEARCH
        if sentences is not None and sentence_indptr is not None:
            self.with_sentences(sentences, sentence_indptr)

    @property
    def kind(self) -> str:
        return "flat" if self.graph is None else "hnsw"

    @classmethod
    def build(cls, vectors: np.ndarray, *, hnsw: bool = False) -> VectorIndex:
        """A segment over ``vectors`` in memory: exact search, or an HNSW graph when ``hnsw``."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not hnsw:
            return cls(vectors)
        graph = build_hnsw(vectors)
        return cls(stored_rows(graph), graph)

    def with_sentences(self, sentences: np.ndarray, indptr: np.ndarray) -> VectorIndex:
        if len(indptr) != len(self.vectors) + 1 or int(indptr[-1]) != len(sentences):
            raise StoreError("sentence vectors and passages disagree; re-ingest or reembed")
        if np.any(np.diff(indptr) < 1):
            raise StoreError("a passage without sentence vectors; re-ingest or reembed")
        self.sentences, self.sentence_indptr = sentences, indptr
        return self

    def __len__(self) -> int:
        return len(self.vectors)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores of the ``k`` nearest passages, best first; ``allowed`` (sorted row numbers)
        restricts the search to those rows."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if self.graph is None or (allowed is not None and len(allowed) <= _EXACT_SUBSET):
            rows = np.arange(len(self), dtype=np.int64) if allowed is None else allowed
            scores = (self.vectors if allowed is None else self.vectors[allowed]) @ query[0]
            top = top_k(scores, k)
            return rows[top], scores[top]
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed.astype(np.int64))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
        elif k > HNSW_EF_SEARCH:
            params = faiss.SearchParametersHNSW(efSearch=k)
        scores, rows = self.graph.search(query, k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def exact_scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Dense score of the given passages: passage similarity, averaged with the best sentence
        similarity when sentence vectors are loaded."""
        query = np.asarray(query, dtype=np.float32).ravel()
        passage = self.vectors[rows] @ query
        if self.sentences is None or self.sentence_indptr is None or not len(rows):
            return passage
        starts, ends = self.sentence_indptr[rows], self.sentence_indptr[rows + 1]
        lengths = ends - starts
        firsts = np.zeros(len(rows), dtype=np.int64)
        np.cumsum(lengths[:-1], out=firsts[1:])
        picked = np.repeat(starts - firsts, lengths) + np.arange(int(lengths.sum()))
        best = np.maximum.reduceat(self.sentences[picked].astype(np.float32) @ query, firsts)
        return (PASSAGE_SHARE * passage + BEST_SENTENCE_SHARE * best).astype(np.float32)


def build_hnsw(vectors: np.ndarray) -> Any:
    """An ``IndexHNSWFlat`` (inner product) over ``vectors``, built on every core."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    graph = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    if len(vectors):
        with _build_threads():
            graph.add(vectors)
    return graph


def stored_rows(index: Any) -> np.ndarray:
    """A numpy view (no copy) of the vectors a flat or HNSW-flat faiss index holds."""
    flat = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index
    n, d = int(flat.ntotal), int(flat.d)
    if n == 0:
        return np.zeros((0, d), dtype=np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)


@contextlib.contextmanager
def _build_threads() -> Iterator[None]:
    """Every core while building an index, then back to one thread for queries."""
    faiss.omp_set_num_threads(core_count())
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, highest first (ties in position order)."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
