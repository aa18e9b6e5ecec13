"""Dense index segments on disk: immutable files, memory-mapped by readers, merged by size tiers.

A segment holds a run of consecutive passage rows (reports in manifest order). Its files, under
``index/dense/``, are written once under fresh names and named in ``manifest.search.dense`` (a
``kg.search_record.DenseRecord``):

- ``vectors.{hex}.npy``: float32 passage vectors (an exact segment), or
  ``hnsw.{hex}.faiss``: a faiss ``IndexHNSWFlat`` holding them (a large segment);
- ``sentences.{hex}.npy``: float16 vectors of the passages' sentences;
- ``sentence_indptr.{hex}.npy``: passage ``i`` owns sentence rows ``indptr[i]:indptr[i + 1]``.

Readers open ``.npy`` files with ``np.load(mmap_mode="r")`` and HNSW files with faiss's
``IO_FLAG_MMAP_IFC`` (the graph and its vectors used in place from the mapping): opening reads nothing,
and the page cache is shared by every process of the machine. A commit that adds reports writes one new
segment for them and merges the newest segments while the older one is at most ``tier_ratio`` times
the newer (so a row is rewritten O(log n) times over n ingests, never the whole index per ingest).
Everything goes through ``DataDir.new_artifact`` and the manifest swap: a crash before the commit leaves
the previous segments, and a reader of an older generation keeps its mappings (files are only unlinked).

>>> policy = MergePolicy(tier_ratio=2, hnsw_rows=1000, max_merged_rows=4000)
>>> policy.merge_plan([2000, 400, 200, 100])
3
>>> policy.merge_plan([4000, 300])
0
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.datadir import DataDir
from kg.errors import StoreError
from kg.search.vectors import VectorIndex, build_hnsw, faiss, stored_rows
from kg.search_record import SegmentRecord

__all__ = ["DEFAULT_MERGE_POLICY", "MergePolicy", "SegmentRecord", "open_segment", "write_segment"]

SEGMENT_DIR = "index/dense"


@dataclass(frozen=True)
class MergePolicy:
    """When segments are merged, and which are searched through HNSW (figures: docs/search.md)."""

    # merge the newest two segments while the older has at most this many times the newer's rows
    tier_ratio: int = 2
    # a segment with more rows is built as an HNSW graph; up to it, exact search costs under 2 ms
    hnsw_rows: int = 25_000
    # a segment this large is never merged again: no single commit rebuilds more rows than this
    max_merged_rows: int = 100_000

    def merge_plan(self, rows: Sequence[int]) -> int:
        """How many of the newest segments (sizes ``rows``, oldest first) to merge into one: 0 or >= 2."""
        merged, count = (rows[-1], 1) if rows else (0, 0)
        for older in reversed(rows[:-1]):
            if older > self.tier_ratio * merged or older + merged > self.max_merged_rows:
                break
            merged, count = merged + older, count + 1
        return count if count >= 2 else 0


DEFAULT_MERGE_POLICY = MergePolicy()


def write_segment(
    datadir: DataDir,
    vectors: np.ndarray,
    sentences: np.ndarray,
    sentence_indptr: np.ndarray,
    policy: MergePolicy = DEFAULT_MERGE_POLICY,
) -> SegmentRecord:
    """Write one segment's files (not yet published: the caller commits the manifest)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    VectorIndex(vectors).with_sentences(sentences, sentence_indptr)  # the shapes must agree
    graph_file = vectors_file = None
    if len(vectors) > policy.hnsw_rows:
        data = faiss.serialize_index(build_hnsw(vectors)).tobytes()
        graph_file = datadir.new_artifact(SEGMENT_DIR, "hnsw", ".faiss", data)
    else:
        vectors_file = datadir.new_artifact(SEGMENT_DIR, "vectors", ".npy", _npy(vectors))
    return SegmentRecord(
        rows=len(vectors),
        kind="flat" if graph_file is None else "hnsw",
        vectors=vectors_file,
        graph=graph_file,
        sentences=datadir.new_artifact(SEGMENT_DIR, "sentences", ".npy", _npy(sentences.astype(np.float16))),
        sentence_indptr=datadir.new_artifact(
            SEGMENT_DIR, "sentence_indptr", ".npy", _npy(sentence_indptr.astype(np.int64))
        ),
    )


def open_segment(datadir: DataDir, record: SegmentRecord) -> VectorIndex:
    """A segment memory-mapped from its files: nothing is read until a query touches it."""
    try:
        if record.graph is not None:
            graph = faiss.read_index(str(datadir.path(record.graph)), faiss.IO_FLAG_MMAP_IFC)
            vectors = stored_rows(graph)
        elif record.vectors is not None:
            graph, vectors = None, np.load(datadir.path(record.vectors), mmap_mode="r")
        else:
            raise StoreError("a dense segment names neither vectors nor a graph; re-ingest")
        sentences = np.load(datadir.path(record.sentences), mmap_mode="r")
        indptr = np.load(datadir.path(record.sentence_indptr), mmap_mode="r")
    except (OSError, ValueError, RuntimeError) as exc:
        raise StoreError(f"cannot open a dense index segment: {exc}") from exc
    if len(vectors) != record.rows:
        raise StoreError("a dense index segment and the manifest disagree; re-ingest or reembed")
    return VectorIndex(vectors, graph, sentences, indptr)


def merged_segment(
    datadir: DataDir, parts: Sequence[VectorIndex], policy: MergePolicy = DEFAULT_MERGE_POLICY
) -> SegmentRecord:
    """One segment holding the rows of ``parts`` in order, read from their mappings."""
    indptrs, base = [np.zeros(1, dtype=np.int64)], 0
    for part in parts:
        if part.sentences is None or part.sentence_indptr is None:
            raise StoreError("a dense segment without sentence vectors cannot be merged")
        indptrs.append(np.asarray(part.sentence_indptr[1:], dtype=np.int64) + base)
        base += int(part.sentence_indptr[-1])
    vectors = np.concatenate([np.asarray(p.vectors, dtype=np.float32) for p in parts])
    sentences = np.concatenate([np.asarray(p.sentences) for p in parts])
    return write_segment(datadir, vectors, sentences, np.concatenate(indptrs), policy)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()
