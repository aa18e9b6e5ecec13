"""The dense leg over a whole index: its segments searched together, results merged by score.

Segment ``j`` holds the passage rows ``offsets[j]:offsets[j + 1]`` of the ``SearchIndex`` (shards in
manifest order), so a global row is a segment and a local row. Each segment returns its own ``k`` best,
and the ``k`` best of those are the ``k`` best overall: exact segments make this exactly the answer of
one exact index over all rows.

>>> rng = np.random.default_rng(0)
>>> rows = rng.normal(size=(60, 8)).astype(np.float32)
>>> rows /= np.linalg.norm(rows, axis=1, keepdims=True)
>>> split = DenseIndex([VectorIndex.build(rows[:25]), VectorIndex.build(rows[25:])])
>>> whole = DenseIndex([VectorIndex.build(rows)])
>>> [int(r) for r in split.search(rows[40], 3)[0]] == [int(r) for r in whole.search(rows[40], 3)[0]]
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kg.search.vectors import VectorIndex, top_k

__all__ = ["DenseIndex"]


class DenseIndex:
    """The segments of a dense index, in row order."""

    def __init__(self, segments: Sequence[VectorIndex]) -> None:
        self.segments = list(segments)
        self.offsets = np.zeros(len(self.segments) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in self.segments], out=self.offsets[1:])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    @property
    def kinds(self) -> list[str]:
        return [s.kind for s in self.segments]

    @property
    def vectors(self) -> np.ndarray:
        """Every passage vector in row order, as one array in memory (a copy: for offline analysis)."""
        if not self.segments:
            return np.zeros((0, 0), dtype=np.float32)
        return np.concatenate([np.asarray(s.vectors, dtype=np.float32) for s in self.segments])

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores of the ``k`` nearest passages over all segments, best first (ties by row);
        ``allowed`` (sorted row numbers) restricts the search to those rows."""
        found_rows: list[np.ndarray] = []
        found_scores: list[np.ndarray] = []
        for j, segment in enumerate(self.segments):
            lo, hi = int(self.offsets[j]), int(self.offsets[j + 1])
            local: np.ndarray | None = None
            if allowed is not None:
                local = allowed[np.searchsorted(allowed, lo) : np.searchsorted(allowed, hi)] - lo
                if not len(local):
                    continue
            rows, scores = segment.search(query, k, local)
            found_rows.append(rows + lo)
            found_scores.append(scores)
        if not found_rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        rows, scores = np.concatenate(found_rows), np.concatenate(found_scores)
        order = np.lexsort((rows, -scores))[:k]
        return rows[order], scores[order]

    def exact_scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Dense score of the given passages (see ``VectorIndex.exact_scores``), in the order given."""
        out = np.empty(len(rows), dtype=np.float32)
        owner = np.searchsorted(self.offsets, rows, side="right") - 1
        for j in np.unique(owner):
            mine = np.flatnonzero(owner == j)
            out[mine] = self.segments[j].exact_scores(query, rows[mine] - self.offsets[j])
        return out

    def rerank(self, query: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best of ``rows`` by ``exact_scores``, best first."""
        scores = self.exact_scores(query, rows)
        top = top_k(scores, k)
        return rows[top], scores[top]
