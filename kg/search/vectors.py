"""The dense leg: a faiss inner-product index over unit-length passage vectors.

Exact search (``IndexFlatIP``) up to ``HNSW_THRESHOLD`` passages, HNSW above it: the threshold, M and
efSearch come from ``bench/search_scale.py`` (see docs/search.md). Row ``i`` of the index is passage
``i`` of the ``SearchIndex`` (shards in manifest order).

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

__all__ = ["HNSW_EF_CONSTRUCTION", "HNSW_EF_SEARCH", "HNSW_M", "HNSW_THRESHOLD", "VectorIndex"]

HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256
# A passage's exact dense score mixes its own cosine and its best sentence's, in these shares.
PASSAGE_SHARE = 0.5
BEST_SENTENCE_SHARE = 0.5
_EXACT_SUBSET = 8192  # a filter this selective is searched exactly with numpy


class VectorIndex:
    """Passage vectors in faiss, plus (optionally) the vectors of each passage's sentences.

    Search finds candidates by passage vector; a candidate's score is the mean of its passage
    similarity and its best sentence similarity (measured better than either alone: docs/search.md).
    """

    def __init__(self, index: Any, vectors: np.ndarray | None = None) -> None:
        self.index = index
        # exact scores of candidates from the other legs read the rows faiss stores (no second copy)
        self.vectors = _stored_rows(index) if vectors is None else vectors
        self.sentences: np.ndarray | None = None  # float16 rows
        self.sentence_indptr: np.ndarray | None = None  # passage i owns rows indptr[i]:indptr[i+1]
        self.kind = "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"
        if self.kind == "hnsw":
            faiss.downcast_index(index).hnsw.efSearch = HNSW_EF_SEARCH

    @classmethod
    def build(cls, vectors: np.ndarray, threshold: int | None = None) -> VectorIndex:
        """Exact search up to ``threshold`` rows (default ``HNSW_THRESHOLD``), HNSW above."""
        threshold = HNSW_THRESHOLD if threshold is None else threshold
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        index: Any
        if len(vectors) > threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            with _build_threads():
                index.add(vectors)
        return cls(index)

    def with_sentences(self, sentences: np.ndarray, indptr: np.ndarray) -> VectorIndex:
        if len(indptr) != len(self.vectors) + 1 or int(indptr[-1]) != len(sentences):
            raise StoreError("sentence vectors and passages disagree; re-ingest or reembed")
        if np.any(np.diff(indptr) < 1):
            raise StoreError("a passage without sentence vectors; re-ingest or reembed")
        self.sentences, self.sentence_indptr = sentences, indptr
        return self

    def to_bytes(self) -> bytes:
        return faiss.serialize_index(self.index).tobytes()

    def add(self, vectors: np.ndarray) -> None:
        with _build_threads():
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.vectors = _stored_rows(self.index)

    @classmethod
    def from_bytes(cls, data: bytes, count: int) -> VectorIndex:
        """The index serialised by ``to_bytes``; ``count`` is the number of passages it must hold."""
        try:
            index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except RuntimeError as exc:
            raise StoreError(f"the dense index does not load: {exc}") from exc
        if index.ntotal != count:
            raise StoreError("the dense index and the passage table disagree; re-ingest or reembed")
        return cls(index)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores of the ``k`` nearest passages, best first; ``allowed`` (sorted row numbers)
        restricts the search to those rows."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if allowed is not None and len(allowed) <= _EXACT_SUBSET:
            scores = self.vectors[allowed] @ query[0]
            top = _top_k(scores, k)
            return allowed[top], scores[top]
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed.astype(np.int64))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
            else:
                params = faiss.SearchParameters(sel=selector)
        elif self.kind == "hnsw" and k > HNSW_EF_SEARCH:
            params = faiss.SearchParametersHNSW(efSearch=k)
        scores, rows = self.index.search(query, k, params=params)
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

    def rerank(self, query: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best of ``rows`` by ``exact_scores``, best first."""
        scores = self.exact_scores(query, rows)
        top = _top_k(scores, k)
        return rows[top], scores[top]


def _stored_rows(index: Any) -> np.ndarray:
    """A numpy view of the vectors a flat or HNSW-flat index holds."""
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


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
