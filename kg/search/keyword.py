"""The keyword leg: Okapi BM25 over ``WordSegmenter.search_terms`` tokens, numpy only.

Each report keeps its own term counts (``TermCounts``, in its shard); ``KeywordIndex.build`` merges
them into one term-major matrix of precomputed BM25 weights, so a query costs one column per term.

>>> counts = TermCounts.from_token_lists([["容器", "云"], ["容器", "安全", "安全"], ["金融"]])
>>> index = KeywordIndex.build([counts])
>>> [int(i) for i in np.argsort(-index.scores(["安全", "容器"]))[:2]]
[1, 0]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BM25_B", "BM25_K1", "KeywordIndex", "TermCounts"]

BM25_K1 = 1.2
BM25_B = 0.75


@dataclass
class TermCounts:
    """Term frequencies of a run of passages: a passage-major sparse matrix over a local vocabulary."""

    vocabulary: list[str]
    indptr: np.ndarray  # int64, len(passages) + 1
    indices: np.ndarray  # int32 into vocabulary
    counts: np.ndarray  # int32

    @classmethod
    def from_token_lists(cls, token_lists: Sequence[Sequence[str]]) -> TermCounts:
        vocabulary: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for tokens in token_lists:
            for term, count in Counter(tokens).items():
                indices.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
            indptr.append(len(indices))
        return cls(
            list(vocabulary),
            np.asarray(indptr, dtype=np.int64),
            np.asarray(indices, dtype=np.int32),
            np.asarray(counts, dtype=np.int32),
        )

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def lengths(self) -> np.ndarray:
        return np.add.reduceat(self.counts, self.indptr[:-1]) if len(self.counts) else np.zeros(len(self))


class KeywordIndex:
    """BM25 weights of every (term, passage) pair, stored term-major (CSC-like)."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        rows: np.ndarray,
        weights: np.ndarray,
        idf: np.ndarray,
        size: int,
    ) -> None:
        self.vocabulary = vocabulary
        self._indptr = indptr
        self._rows = rows
        self._weights = weights
        self._idf = idf
        self.size = size
        self._unseen_idf = float(np.log1p((size + 0.5) / 0.5))

    @classmethod
    def build(cls, parts: Sequence[TermCounts], k1: float = BM25_K1, b: float = BM25_B) -> KeywordIndex:
        """Merge the term counts of consecutive runs of passages (row order = order of ``parts``)."""
        vocabulary: dict[str, int] = {}
        rows_parts, cols_parts, tf_parts, lengths_parts = [], [], [], []
        offset = 0
        for part in parts:
            local_to_global = np.fromiter(
                (vocabulary.setdefault(t, len(vocabulary)) for t in part.vocabulary),
                dtype=np.int64,
                count=len(part.vocabulary),
            )
            per_row = np.diff(part.indptr)
            rows_parts.append(np.repeat(np.arange(len(part), dtype=np.int64) + offset, per_row))
            cols_parts.append(
                local_to_global[part.indices] if len(part.indices) else part.indices.astype(np.int64)
            )
            tf_parts.append(part.counts.astype(np.float32))
            lengths_parts.append(part.lengths().astype(np.float32))
            offset += len(part)
        size = offset
        if size == 0:
            empty = np.zeros(0, dtype=np.int64)
            none = empty.astype(np.float32)
            return cls({}, np.zeros(1, dtype=np.int64), empty.astype(np.int32), none, none, 0)
        rows = np.concatenate(rows_parts)
        cols = np.concatenate(cols_parts)
        tf = np.concatenate(tf_parts)
        lengths = np.concatenate(lengths_parts)
        avg_length = float(lengths.mean()) or 1.0
        df = np.bincount(cols, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log1p((size - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1.0 - b + b * lengths[rows] / avg_length)
        weights = idf[cols] * tf * (k1 + 1.0) / (tf + norm)
        order = np.argsort(cols, kind="stable")
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(df.astype(np.int64), out=indptr[1:])
        return cls(
            vocabulary, indptr, rows[order].astype(np.int32), weights[order].astype(np.float32), idf, size
        )

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for a query's terms (each distinct term counted once)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in dict.fromkeys(terms):
            col = self.vocabulary.get(term)
            if col is None:
                continue
            lo, hi = self._indptr[col], self._indptr[col + 1]
            scores[self._rows[lo:hi]] += self._weights[lo:hi]  # rows are unique within a column
        return scores

    def ideal_score(self, terms: Sequence[str]) -> float:
        """The score of a passage of average length holding each query term once: the yardstick
        for how much of a query a passage matches (terms no passage has count with the highest idf)."""
        total = 0.0
        for term in dict.fromkeys(terms):
            col = self.vocabulary.get(term)
            total += self._unseen_idf if col is None else float(self._idf[col])
        return total

    def document_frequency(self, term: str) -> int:
        col = self.vocabulary.get(term)
        return 0 if col is None else int(self._indptr[col + 1] - self._indptr[col])
