"""The keyword leg: Okapi BM25 over ``WordSegmenter.search_terms`` tokens, numpy only.

Each report keeps its own term counts (``TermCounts``, in its shard); ``KeywordBuilder`` merges those of
a run of reports into term-major ``Postings`` (stored with the run, ``kg.search.table``), and a
``KeywordIndex`` over the runs' postings weighs a query's terms when asked: one column per term and run.

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

__all__ = ["BM25_B", "BM25_K1", "KeywordBuilder", "KeywordIndex", "Postings", "TermCounts"]

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


@dataclass(frozen=True)
class Postings:
    """The term counts of a run of passages, term-major: term ``t`` (its id in ``vocabulary``) occurs
    ``counts[i]`` times in passage ``rows[i]`` (rows of the run, ascending) for ``i`` in
    ``indptr[t]:indptr[t + 1]``; ``lengths``: the terms of each passage."""

    vocabulary: dict[str, int]
    indptr: np.ndarray  # int64, len(vocabulary) + 1
    rows: np.ndarray  # int32
    counts: np.ndarray  # uint16 (int32 if a count is larger)
    lengths: np.ndarray  # float32, one per passage

    @classmethod
    def empty(cls) -> Postings:
        nothing = np.zeros(0, dtype=np.int32)
        return cls({}, np.zeros(1, dtype=np.int64), nothing, nothing, nothing.astype(np.float32))

    def __len__(self) -> int:
        return len(self.lengths)


class KeywordIndex:
    """BM25 over the postings of consecutive runs of passages (the parts; rows numbered on across them).
    A term's weight in a passage is computed when a query asks for the term, from the counts and the
    passage lengths, with the document frequencies and average length of all the parts: the parts
    can be stored and memory-mapped one by one (``kg.search.table``) and nothing is built at load."""

    def __init__(self, parts: Sequence[Postings], k1: float = BM25_K1, b: float = BM25_B) -> None:
        self.parts = list(parts)
        self.k1, self.b = k1, b
        self._bases = np.cumsum([0] + [len(part) for part in self.parts], dtype=np.int64)
        self.size = int(self._bases[-1])
        lengths = np.concatenate([part.lengths for part in self.parts]) if self.parts else np.zeros(0)
        self._lengths = lengths.astype(np.float32)
        self._avg_length = (float(self._lengths.mean()) if self.size else 0.0) or 1.0
        self._unseen_idf = float(np.log1p((self.size + 0.5) / 0.5))
        self._merged: Postings | None = None

    @classmethod
    def build(cls, parts: Iterable[TermCounts], k1: float = BM25_K1, b: float = BM25_B) -> KeywordIndex:
        """Merge the term counts of consecutive runs of passages (row order = order of ``parts``)."""
        builder = KeywordBuilder()
        for part in parts:
            builder.add(part)
        return cls([builder.finish()], k1, b)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Every term, numbered in the order of its first occurrence."""
        return self.parts[0].vocabulary if len(self.parts) == 1 else self._merged_postings().vocabulary

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(indptr, rows, counts)`` over all the parts, by term id in ``vocabulary`` (see Postings)."""
        whole = self.parts[0] if len(self.parts) == 1 else self._merged_postings()
        return whole.indptr, whole.rows, whole.counts

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for a query's terms (each distinct term counted once)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in dict.fromkeys(terms):
            found = self._columns(term)
            if not found:
                continue
            idf = self._idf(sum(hi - lo for _, lo, hi in found))
            for at, lo, hi in found:
                part, base = self.parts[at], int(self._bases[at])
                rows = part.rows[lo:hi] + base  # unique within a column
                tf = part.counts[lo:hi].astype(np.float32)
                norm = self.k1 * (1.0 - self.b + self.b * self._lengths[rows] / self._avg_length)
                scores[rows] += (idf * tf * (self.k1 + 1.0) / (tf + norm)).astype(np.float32)
        return scores

    def ideal_score(self, terms: Sequence[str]) -> float:
        """The score of a passage of average length holding each query term once: the yardstick
        for how much of a query a passage matches (terms no passage has count with the highest idf)."""
        total = 0.0
        for term in dict.fromkeys(terms):
            df = self.document_frequency(term)
            total += self._unseen_idf if df == 0 else float(self._idf(df))
        return total

    def document_frequency(self, term: str) -> int:
        return sum(hi - lo for _, lo, hi in self._columns(term))

    def _columns(self, term: str) -> list[tuple[int, int, int]]:
        """``(part, lo, hi)``: where the term's postings are in each part that has it."""
        found = []
        for at, part in enumerate(self.parts):
            col = part.vocabulary.get(term)
            if col is not None:
                lo, hi = int(part.indptr[col]), int(part.indptr[col + 1])
                if hi > lo:
                    found.append((at, lo, hi))
        return found

    def _idf(self, df: int) -> np.float32:
        return np.float32(np.log1p((self.size - np.float64(df) + 0.5) / (np.float64(df) + 0.5)))

    def _merged_postings(self) -> Postings:
        """The parts' postings as one (built on first use: only related reports read them whole)."""
        if self._merged is None:
            builder = KeywordBuilder()
            for part in self.parts:
                builder.add_postings(part)
            self._merged = builder.finish()
        return self._merged


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

    def add_postings(self, part: Postings) -> None:
        """Add a run of passages given term-major (what ``finish`` returns)."""
        by_row = np.argsort(part.rows, kind="stable")
        terms = np.repeat(np.arange(len(part.vocabulary), dtype=np.int32), np.diff(part.indptr))
        indptr = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum(np.bincount(part.rows, minlength=len(part)), out=indptr[1:])
        counts = np.asarray(part.counts, dtype=np.int32)[by_row]
        self.add(TermCounts(list(part.vocabulary), indptr, terms[by_row], counts))

    def finish(self) -> Postings:
        size = self.size
        if size == 0:
            return Postings.empty()
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
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        place += indptr[cols]
        del cols
        narrow = np.uint16 if counts.max(initial=0) <= np.iinfo(np.uint16).max else counts.dtype
        by_term_rows = np.empty_like(rows)
        by_term_rows[place] = rows
        by_term_counts = np.empty(len(counts), dtype=narrow)
        by_term_counts[place] = counts
        return Postings(vocabulary, indptr, by_term_rows, by_term_counts, lengths)


def _place_among_equals(values: np.ndarray, bound: int) -> np.ndarray:
    """For each of ``values`` (ints in ``[0, bound)``), how many equal values come before it."""
    key = values.astype(np.uint16) if bound <= np.iinfo(np.uint16).max + 1 else values  # radix sort
    order = np.argsort(key, kind="stable")
    per_value = np.bincount(values, minlength=bound)
    starts = np.cumsum(per_value) - per_value
    place = np.empty(len(values), dtype=np.int64)
    place[order] = np.arange(len(values), dtype=np.int64) - starts[values[order]]
    return place
