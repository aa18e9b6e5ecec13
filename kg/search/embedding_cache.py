"""Embeddings cached by the sha256 of the embedded text, so re-ingesting a report does not re-embed.

The cache is a list of immutable segment files (``index/vectors/seg.{hex}.npz``: hashes and rows),
named in ``manifest.search["vectors"]``. New embeddings go to a new segment; when there are many
segments they are merged, and rows no current passage uses are dropped once they outnumber the live
ones. The cache belongs to one embedder: switching embedders starts a new cache (see ``reembed``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np

from kg.datadir import DataDir
from kg.errors import StoreError
from kg.search.embedders import Embedder

__all__ = ["EmbeddingCache"]

_MAX_SEGMENTS = 8
_BATCH = 256

Progress = Callable[[int, int], None]


class EmbeddingCache:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._rows: dict[bytes, int] = {}
        self._blocks: list[np.ndarray] = []
        self._block_of: list[tuple[int, int]] = []  # row -> (block, offset)
        self._fresh: list[int] = []  # rows added since load
        self._segments: list[str] = []

    @classmethod
    def load(cls, datadir: DataDir, segments: Sequence[str], dim: int) -> EmbeddingCache:
        cache = cls(dim)
        for rel in segments:
            try:
                with np.load(datadir.path(rel), allow_pickle=False) as data:
                    hashes, vectors = data["hashes"], data["vectors"]
            except (OSError, ValueError, KeyError) as exc:
                raise StoreError(f"cannot read embedding cache segment {rel}: {exc}") from exc
            if vectors.shape[1:] != (dim,):
                raise StoreError(
                    f"embedding cache segment {rel} holds {vectors.shape[1:]}-d rows, expected {dim}"
                )
            cache._add_block(hashes, vectors.astype(np.float32, copy=False), fresh=False)
            cache._segments.append(rel)
        return cache

    def __len__(self) -> int:
        return len(self._rows)

    def _add_block(self, hashes: np.ndarray, vectors: np.ndarray, *, fresh: bool) -> None:
        block = len(self._blocks)
        self._blocks.append(vectors)
        for offset, digest in enumerate(hashes):
            key = bytes(digest)
            if key in self._rows:
                continue
            row = len(self._block_of)
            self._rows[key] = row
            self._block_of.append((block, offset))
            if fresh:
                self._fresh.append(row)

    def _row_vector(self, row: int) -> np.ndarray:
        block, offset = self._block_of[row]
        return self._blocks[block][offset]

    def vectors(
        self,
        hashes: Sequence[str],
        texts: Sequence[str],
        embedder: Embedder,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """Rows for the given texts (identified by their hex sha256), embedding only the unknown ones."""
        keys = [bytes.fromhex(h) for h in hashes]
        missing = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in self._rows))
        unique_missing: dict[bytes, int] = {}
        for i in missing:
            unique_missing.setdefault(keys[i], i)
        todo = list(unique_missing.values())
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            rows = embedder.embed([texts[i] for i in batch])
            if rows.shape != (len(batch), self.dim):
                raise StoreError(
                    f"embedder {embedder.name} returned {rows.shape}, expected ({len(batch)}, {self.dim})"
                )
            self._add_block(np.array([list(keys[i]) for i in batch], dtype=np.uint8), rows, fresh=True)
            if progress is not None:
                progress(min(start + _BATCH, len(todo)), len(todo))
        out = np.empty((len(keys), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self._row_vector(self._rows[key])
        return out

    def lookup(self, hashes: Sequence[str]) -> np.ndarray:
        """Rows for texts that must already be cached (the passages of current reports)."""
        out = np.empty((len(hashes), self.dim), dtype=np.float32)
        for i, digest in enumerate(hashes):
            row = self._rows.get(bytes.fromhex(digest))
            if row is None:
                raise StoreError("the embedding cache lacks a passage of the index; re-ingest or reembed")
            out[i] = self._row_vector(row)
        return out

    def save(self, datadir: DataDir, live: set[str]) -> list[str]:
        """Write the rows added since loading as a new segment (merging when there are many);
        return the segment files the manifest must now name."""
        segments = list(self._segments)
        if self._fresh:
            segments.append(self._write(datadir, self._fresh))
        if len(segments) > _MAX_SEGMENTS:
            live_keys = {bytes.fromhex(h) for h in live}
            rows = sorted(self._rows.values())
            if len(rows) > 2 * max(len(live_keys), 1):
                rows = [r for k, r in self._rows.items() if k in live_keys]
            segments = [self._write(datadir, rows)]
        self._segments = segments
        self._fresh = []
        return segments

    def _write(self, datadir: DataDir, rows: Sequence[int]) -> str:
        keys = {row: key for key, row in self._rows.items()}
        hashes = np.array([list(keys[r]) for r in rows], dtype=np.uint8).reshape(len(rows), 32)
        vectors = (
            np.stack([self._row_vector(r) for r in rows]) if rows else np.zeros((0, self.dim), np.float32)
        )
        buffer = io.BytesIO()
        np.savez(buffer, hashes=hashes, vectors=vectors.astype(np.float32))
        return datadir.new_artifact("index/vectors", "seg", ".npz", buffer.getvalue())
