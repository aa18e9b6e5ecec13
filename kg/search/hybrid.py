"""Ranking: each leg on its own (``bm25``, ``dense``) and their fusion with a graph boost (``hybrid``).

Hybrid takes the top ``depth`` passages of each leg, scores every candidate on both legs exactly, and
fuses the scores; passages that mention entities the query names get ``graph_boost`` times the share
of those entities they mention. The method and weights in ``DEFAULT_FUSION`` were chosen with
``bench/retrieval.py`` (docs/search.md has the table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from kg.search.index import SearchIndex

__all__ = ["DEFAULT_FUSION", "MODES", "Candidates", "FusionConfig", "Ranking", "fuse", "rank"]

Mode = Literal["hybrid", "bm25", "dense"]
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class FusionConfig:
    method: Literal["weighted", "rrf"] = "weighted"
    bm25_weight: float = 0.4  # share of the keyword leg; the dense leg gets the rest
    keyword_norm: Literal["max", "ideal"] = "ideal"  # BM25 / best BM25, or / the query's ideal score
    dense_norm: Literal["max", "minmax", "raw"] = "minmax"  # cosine / best, min-max over candidates, or as is
    rrf_k: float = 60.0
    graph_boost: float = 0.1
    depth: int = 100  # candidates taken from each leg


DEFAULT_FUSION = FusionConfig()


@dataclass
class Candidates:
    """Passages (rows) with both legs' scores, their rank in each leg's top list (0: not in it), and
    the share of the query's entities each one mentions."""

    rows: np.ndarray
    bm25: np.ndarray
    dense: np.ndarray
    bm25_rank: np.ndarray
    dense_rank: np.ndarray
    graph: np.ndarray
    ideal: float = 1.0  # the BM25 score of a passage holding every query term once


@dataclass
class Ranking:
    rows: np.ndarray  # best first, at least offset + k of them when there are that many
    scores: np.ndarray
    total: int
    candidates: Candidates | None = None  # for explain


def _scale(values: np.ndarray, how: str) -> np.ndarray:
    if not len(values):
        return values
    high = float(values.max())
    if how == "minmax":
        low = float(values.min())
        return (values - low) / (high - low) if high > low else np.ones_like(values)
    return values / high if high > 0 else np.zeros_like(values)


def fuse(c: Candidates, config: FusionConfig = DEFAULT_FUSION) -> np.ndarray:
    """Fused score of each candidate (higher is better)."""
    w = config.bm25_weight
    if config.method == "rrf":
        bm25 = np.where(c.bm25_rank > 0, 1.0 / (config.rrf_k + c.bm25_rank), 0.0)
        dense = np.where(c.dense_rank > 0, 1.0 / (config.rrf_k + c.dense_rank), 0.0)
        base = (w * bm25 + (1 - w) * dense) * (config.rrf_k + 1)  # 1.0 for rank 1 in both legs
    else:
        if config.keyword_norm == "ideal":
            keyword = np.minimum(c.bm25 / c.ideal, 1.0) if c.ideal > 0 else np.zeros_like(c.bm25)
        else:
            keyword = _scale(c.bm25, "max")
        dense = c.dense if config.dense_norm == "raw" else _scale(c.dense, config.dense_norm)
        base = w * keyword + (1 - w) * dense
    return (base + config.graph_boost * c.graph).astype(np.float32)


def _top(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (row, score) pairs, best first; ties go to the earlier row."""
    if k < len(scores):
        part = np.argpartition(-scores, k)[:k]
        rows, scores = rows[part], scores[part]
    order = np.lexsort((rows, -scores))
    return rows[order], scores[order]


def _positions(top_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """1-based position of each of ``rows`` in ``top_rows``, 0 when absent."""
    where = {int(r): i + 1 for i, r in enumerate(top_rows)}
    return np.array([where.get(int(r), 0) for r in rows], dtype=np.int64)


def rank(
    index: SearchIndex,
    mode: Mode,
    terms: list[str],
    vector: np.ndarray | None,
    slugs: list[str],
    allowed: np.ndarray | None,
    want: int,
    config: FusionConfig = DEFAULT_FUSION,
) -> Ranking:
    """Rank the passages in scope (``allowed`` rows, None: all) for a query; ``want`` = offset + k."""
    scope = len(index) if allowed is None else len(allowed)
    if scope == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Ranking(empty, empty.astype(np.float32), 0)
    keyword = index.keyword.scores(terms)
    if allowed is not None:
        masked = np.zeros_like(keyword)
        masked[allowed] = keyword[allowed]
        keyword = masked
    matched = np.flatnonzero(keyword > 0)
    if mode == "bm25":
        rows, scores = _top(keyword[matched], matched, want)
        return Ranking(rows, scores, len(matched))
    if index.dense is None or vector is None:
        raise ValueError("dense ranking needs a dense index and a query vector")
    depth = max(config.depth, want)
    dense_rows, _ = index.dense.search(vector, depth, allowed)
    dense_rows, dense_scores = index.dense.rerank(vector, dense_rows, len(dense_rows))
    if mode == "dense":
        return Ranking(dense_rows[:want], dense_scores[:want], scope)
    bm25_rows, _ = _top(keyword[matched], matched, depth)
    rows = np.union1d(bm25_rows, dense_rows).astype(np.int64)
    wanted = set(slugs)
    graph = np.zeros(len(rows), dtype=np.float32)
    for slug in wanted:  # the share of the query's entities a passage mentions
        graph += np.isin(rows, index.entity_rows.get(slug, rows[:0]))
    if wanted:
        graph /= len(wanted)
    candidates = Candidates(
        rows=rows,
        bm25=keyword[rows],
        dense=index.dense.exact_scores(vector, rows),
        bm25_rank=_positions(bm25_rows, rows),
        dense_rank=_positions(dense_rows, rows),
        graph=graph,
        ideal=index.keyword.ideal_score(terms),
    )
    fused = fuse(candidates, config)
    order = np.lexsort((rows, -fused))
    return Ranking(rows[order], fused[order], scope, candidates)
