"""The keyword leg: Okapi BM25 over ``WordSegmenter.search_terms`` tokens, numpy only.

Each report keeps its own term counts (``TermCounts``, in its shard); ``KeywordIndex.build`` merges
them into one term-major matrix of precomputed BM25 weights, so a query costs one column per term.

>>> counts = TermCounts.from_token_lists([["容器", "云"], ["容器", "安全", "安全"], ["金融"]])
>>> index = KeywordIndex.build([counts])
>>> [int(i) for i in np.argsort(-index.scores(["安全", "容器"]))[:2]]
[1, 0]
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BM25_B", "BM25_K1", "KeywordBuilder", "KeywordIndex", "TermCounts"]

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
        """Terms of each passage (0 for a passage without any, wherever it stands)."""
        running = np.concatenate(([0], np.cumsum(self.counts, dtype=np.int64)))
        return running[self.indptr[1:]] - running[self.indptr[:-1]]


class KeywordIndex:
    """BM25 weights of every (term, passage) pair, stored term-major (CSC-like), with the pair's term
    count (what ``kg.related`` builds its TF-IDF vectors from, so the shards need not be kept)."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        rows: np.ndarray,
        weights: np.ndarray,
        idf: np.ndarray,
        size: int,
        counts: np.ndarray,
    ) -> None:
        self.vocabulary = vocabulary
        self._indptr = indptr
        self._rows = rows
        self._weights = weights
        self._idf = idf
        self._counts = counts
        self.size = size
        self._unseen_idf = float(np.log1p((size + 0.5) / 0.5))

    @classmethod
    def build(cls, parts: Iterable[TermCounts], k1: float = BM25_K1, b: float = BM25_B) -> KeywordIndex:
        """Merge the term counts of consecutive runs of passages (row order = order of ``parts``)."""
        builder = KeywordBuilder()
        for part in parts:
            builder.add(part)
        return builder.finish(k1, b)

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(indptr, rows, counts)``: term ``t`` (its id in ``vocabulary``) occurs ``counts[i]`` times
        in passage ``rows[i]`` for ``i`` in ``indptr[t]:indptr[t + 1]``, rows ascending."""
        return self._indptr, self._rows, self._counts

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


class KeywordBuilder:
    """``KeywordIndex.build`` one part at a time: only the global vocabulary and each part's term ids and
    counts are kept, so a caller reading shards one by one can drop each shard's own vocabulary.

    A term's provisional id is the position of its first occurrence among all the parts' vocabularies
    (``dict.setdefault`` over a running counter, with no Python loop per term); ``finish`` renumbers
    them 0, 1, ... in that order, the order of first appearance."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._first: dict[str, int] = {}  # term -> provisional id
        self._local_to_first: list[np.ndarray] = []  # per part: provisional id of each local term
        self._indices: list[np.ndarray] = []  # per part, passage-major: local term of each entry
        self._counts: list[np.ndarray] = []
        self._per_row: list[np.ndarray] = []  # per part: entries of each passage
        self._lengths: list[np.ndarray] = []
        self._seen = 0  # vocabulary entries of the parts so far
        self.size = 0

    def add(self, part: TermCounts) -> None:
        ids = map(self._first.setdefault, part.vocabulary, itertools.count(self._seen))
        self._local_to_first.append(np.fromiter(ids, dtype=np.int64, count=len(part.vocabulary)))
        self._seen += len(part.vocabulary)
        self._indices.append(part.indices)
        self._counts.append(part.counts)
        self._per_row.append(np.diff(part.indptr))
        self._lengths.append(part.lengths().astype(np.float32))
        self.size += len(part)

    def finish(self, k1: float = BM25_K1, b: float = BM25_B) -> KeywordIndex:
        size = self.size
        if size == 0:
            empty = np.zeros(0, dtype=np.int64)
            none = empty.astype(np.float32)
            nothing = empty.astype(np.int32)
            return KeywordIndex({}, np.zeros(1, dtype=np.int64), nothing, none, none, 0, nothing)
        first = np.fromiter(self._first.values(), dtype=np.int64, count=len(self._first))  # ascending
        renumber = np.zeros(self._seen, dtype=np.int32)
        renumber[first] = np.arange(len(first), dtype=np.int32)
        vocabulary = dict(zip(self._first, range(len(first)), strict=True))
        # each entry's place among its term's entries (in row order): where it goes in the term-major
        # arrays, without sorting all of them at once
        df = np.zeros(len(vocabulary), dtype=np.int64)
        entries = sum(len(indices) for indices in self._indices)
        cols = np.empty(entries, dtype=np.int32)
        place = np.empty(entries, dtype=np.int64)
        at = 0
        for ids, indices in zip(self._local_to_first, self._indices, strict=True):
            terms = renumber[ids]  # the part's terms, by global id (distinct)
            cols[at : at + len(indices)] = terms[indices]
            place[at : at + len(indices)] = df[terms][indices] + _place_among_equals(indices, len(terms))
            df[terms] += np.bincount(indices, minlength=len(terms))
            at += len(indices)
        rows = np.repeat(np.arange(size, dtype=np.int32), np.concatenate(self._per_row))
        counts = np.concatenate(self._counts)
        lengths = np.concatenate(self._lengths)
        self._reset()  # the parts are no longer needed
        del first, renumber
        tf = counts.astype(np.float32)
        avg_length = float(lengths.mean()) or 1.0
        idf = np.log1p((size - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1.0 - b + b * lengths[rows] / avg_length)
        weights = (idf[cols] * tf * (k1 + 1.0) / (tf + norm)).astype(np.float32)
        del norm, tf
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        place += indptr[cols]
        del cols
        narrow = np.uint16 if counts.max(initial=0) <= np.iinfo(np.uint16).max else counts.dtype
        by_term_rows = np.empty_like(rows)
        by_term_rows[place] = rows
        by_term_weights = np.empty_like(weights)
        by_term_weights[place] = weights
        by_term_counts = np.empty(len(counts), dtype=narrow)
        by_term_counts[place] = counts
        return KeywordIndex(vocabulary, indptr, by_term_rows, by_term_weights, idf, size, by_term_counts)


def _place_among_equals(values: np.ndarray, bound: int) -> np.ndarray:
    """For each of ``values`` (ints in ``[0, bound)``), how many equal values come before it."""
    key = values.astype(np.uint16) if bound <= np.iinfo(np.uint16).max + 1 else values  # radix sort
    order = np.argsort(key, kind="stable")
    per_value = np.bincount(values, minlength=bound)
    starts = np.cumsum(per_value) - per_value
    place = np.empty(len(values), dtype=np.int64)
    place[order] = np.arange(len(values), dtype=np.int64) - starts[values[order]]
    return place
