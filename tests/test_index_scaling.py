"""The embedding cache stays cheap to extend as a data directory grows: segments are merged size-tiered
(each row rewritten O(log n) times, not once per ingest), vectors of old segments are not read to add new
rows, and a compaction after a removal drops rows no passage uses."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kg.datadir import DataDir
from kg.search.embedding_cache import EmbeddingCache


class HashEmbedder:
    """A deterministic stand-in for a sentence encoder: the vector of a text comes from its hash."""

    name = "hash"
    dim = 8

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.array(
            [
                np.frombuffer(hashlib.sha256(t.encode()).digest()[:32], dtype=np.uint8)[: self.dim]
                for t in texts
            ],
            dtype=np.float32,
        )
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _batch(i: int, size: int = 100) -> tuple[list[str], list[str]]:
    texts = [f"report {i} sentence {j}" for j in range(size)]
    return [hashlib.sha256(t.encode()).hexdigest() for t in texts], texts


def _ingest(datadir: DataDir, segments: list[str], i: int, written: list[int], size: int = 100) -> list[str]:
    cache = EmbeddingCache.load(datadir, segments, HashEmbedder.dim)
    hashes, texts = _batch(i, size)
    cache.vectors(hashes, texts, HashEmbedder())
    saved = cache.save(datadir, lambda: set(), compact=False)
    written.append(sum(len(np.load(datadir.path(s))["hashes"]) for s in saved if s not in segments))
    return saved


def test_segments_grow_logarithmically_and_rows_are_rewritten_rarely(tmp_path: Path):
    datadir = DataDir(tmp_path)
    segments: list[str] = []
    written: list[int] = []
    for i in range(200):
        segments = _ingest(datadir, segments, i, written, size=10)
        assert len(segments) <= 8
    total = 200 * 10
    # merging everything whenever there were more than 8 segments wrote 13 x the rows here (O(n^2))
    assert sum(written) <= 7 * total
    cache = EmbeddingCache.load(datadir, segments, HashEmbedder.dim)
    hashes, texts = _batch(17, size=10)
    assert np.allclose(cache.lookup(hashes), HashEmbedder().embed(texts))
    assert len(cache) == total


def test_adding_rows_does_not_read_the_vectors_of_older_segments(tmp_path: Path, monkeypatch):
    datadir = DataDir(tmp_path)
    segments: list[str] = []
    for i in range(12):
        segments = _ingest(datadir, segments, i, [])
    reads: list[Path] = []
    original = EmbeddingCache._read_block
    monkeypatch.setattr(
        EmbeddingCache, "_read_block", lambda self, path: reads.append(path) or original(self, path)
    )
    cache = EmbeddingCache.load(datadir, segments, HashEmbedder.dim)
    hashes, texts = _batch(99, size=10)  # small: no merge with the (bigger) newest segment
    cache.vectors(hashes, texts, HashEmbedder())
    cache.save(datadir, lambda: set(), compact=False)
    assert reads == []


def test_a_compaction_drops_rows_no_passage_uses(tmp_path: Path):
    datadir = DataDir(tmp_path)
    segments: list[str] = []
    for i in range(6):
        segments = _ingest(datadir, segments, i, [])
    live, _ = _batch(5)
    cache = EmbeddingCache.load(datadir, segments, HashEmbedder.dim)
    compacted = cache.save(datadir, lambda: set(live), compact=True)
    assert len(compacted) == 1
    reloaded = EmbeddingCache.load(datadir, compacted, HashEmbedder.dim)
    assert len(reloaded) == len(live)
    with pytest.raises(Exception, match="lacks"):
        reloaded.lookup(_batch(0)[0])


def test_cached_rows_of_a_segment_are_read_through_a_memory_map_not_the_whole_segment(tmp_path: Path):
    """A commit that re-uses a few cached rows maps their segment (at 1,000 reports reading whole
    segments made the index stage grow from 0.6 to 1.7 s a report)."""
    datadir = DataDir(tmp_path)
    segments = _ingest(datadir, [], 0, [], size=300)
    cache = EmbeddingCache.load(datadir, segments, HashEmbedder.dim)
    hashes, texts = _batch(0, size=300)
    assert np.array_equal(
        cache.vectors(hashes[:3], texts[:3], HashEmbedder()), HashEmbedder().embed(texts[:3])
    )
    mapped = [block for block in cache._blocks if isinstance(block, np.ndarray)]
    assert len(mapped) == 1 and isinstance(mapped[0], np.memmap) and mapped[0].shape == (300, 8)
    assert np.array_equal(mapped[0], np.load(datadir.path(segments[0]))["vectors"])
