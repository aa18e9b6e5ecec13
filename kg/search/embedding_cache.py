"""Embeddings cached by the sha256 of the embedded text, so re-ingesting a report does not re-embed.

The cache is a list of immutable segment files (``index/vectors/seg.{hex}.npz``: hashes and rows),
named in ``manifest.search.vectors``. New embeddings go to a new segment, which is merged with the
newest older segments while they are no more than twice its size (size-tiered, so each row is rewritten
O(log n) times over n ingests, not once per ingest); a compaction (after a report was removed, or with
too many segments) merges all of them and drops the rows no current passage uses once they outnumber
the live ones. Vectors are read from a segment only when a row of it is needed: adding a report reads
the hashes of the cache, not its vectors, and a writer of many reports keeps those hashes from one commit
to the next (``kg.search.updater``; after a save every row points into a segment file again and the
vectors held in memory are dropped). The cache belongs to one embedder: switching embedders starts a
new cache (see ``reembed``).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Sequence
from itertools import repeat
from pathlib import Path
from typing import cast

import numpy as np

from kg.datadir import DataDir
from kg.errors import StoreError
from kg.search.embedders import Embedder

__all__ = ["EmbeddingCache"]

_MAX_SEGMENTS = 16
_TIER_RATIO = 2
_BATCH = 256
_DIGEST = np.dtype((np.void, 32))  # a sha256 as one 32-byte item

Progress = Callable[[int, int], None]
_RELEASED = np.zeros((0, 0), dtype=np.float32)  # a block whose rows were all moved to a segment file


class EmbeddingCache:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._rows: dict[bytes, int] = {}
        self._blocks: list[np.ndarray | Path] = []  # vectors, or the segment file to read them from
        self._block_file: list[Path | None] = []  # each block's segment file; None: embedded since loading
        self._block_of: list[tuple[int, int]] = []  # row -> (block, offset)
        self._row_key: list[bytes] = []  # row -> hash
        self._row_segment: list[int] = []  # row -> index in _segments; -1: embedded since loading
        self._fresh: list[int] = []  # rows added since load
        self._segments: list[str] = []
        # True while every row in the cache is in one of its segments: after a save that dropped rows
        # (a compaction) a row may still point into a file the manifest no longer names
        self.reusable = True

    @classmethod
    def load(cls, datadir: DataDir, segments: Sequence[str], dim: int) -> EmbeddingCache:
        cache = cls(dim)
        for rel in segments:
            path = datadir.path(rel)
            try:
                with np.load(path, allow_pickle=False) as data:
                    hashes = data["hashes"]
            except (OSError, ValueError, KeyError) as exc:
                raise StoreError(f"cannot read embedding cache segment {rel}: {exc}") from exc
            cache._add_block(hashes, path, segment=len(cache._segments))
            cache._segments.append(rel)
        return cache

    def _read_block(self, path: Path) -> np.ndarray:
        """A segment's vectors, memory-mapped: a commit that needs a few cached rows of a large segment
        reads those pages, not the whole segment (at 1,000 reports the cache holds 2 GiB of vectors)."""
        try:
            vectors = _mapped_member(path, "vectors.npy")
            if vectors is None:  # a compressed member cannot be mapped
                with np.load(path, allow_pickle=False) as data:
                    vectors = data["vectors"]
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise StoreError(f"cannot read embedding cache segment {path}: {exc}") from exc
        if vectors.shape[1:] != (self.dim,):
            raise StoreError(
                f"embedding cache segment {path} holds {vectors.shape[1:]}-d rows, expected {self.dim}"
            )
        return vectors.astype(np.float32, copy=False)

    def __len__(self) -> int:
        return len(self._rows)

    def _add_block(self, hashes: np.ndarray, vectors: np.ndarray | Path, *, segment: int) -> None:
        """Add rows; ``segment`` -1 marks them fresh (embedded since loading). A hash seen before keeps
        its row. Built with dict and list operations in C: loading reads every hash of the cache."""
        block = len(self._blocks)
        self._blocks.append(vectors)
        self._block_file.append(vectors if isinstance(vectors, Path) else None)
        digests = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(-1, 32)
        keys = cast(list[bytes], digests.view(_DIGEST).ravel().tolist())
        # the offset of each key's first occurrence: later occurrences are overwritten by earlier ones
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
        if self._rows:
            first = {key: offset for key, offset in first.items() if key not in self._rows}
        start = len(self._block_of)
        self._rows.update(zip(first, range(start, start + len(first)), strict=True))
        self._row_key.extend(first)
        self._block_of.extend(zip(repeat(block), first.values()))
        self._row_segment.extend(repeat(segment, len(first)))
        if segment < 0:
            self._fresh.extend(range(start, start + len(first)))

    def _row_vector(self, row: int) -> np.ndarray:
        block, offset = self._block_of[row]
        vectors = self._blocks[block]
        if isinstance(vectors, Path):
            vectors = self._blocks[block] = self._read_block(vectors)
        return vectors[offset]

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
            digests = np.frombuffer(b"".join(keys[i] for i in batch), dtype=np.uint8)
            self._add_block(digests, rows, segment=-1)
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

    def save(self, datadir: DataDir, live: Callable[[], set[str]], *, compact: bool = False) -> list[str]:
        """Write the rows added since loading as a new segment, merged with the newest older segments
        while they are at most ``_TIER_RATIO`` times its size; compact (merge everything, dropping dead
        rows once they outnumber the ``live()`` hashes) when asked or when there are too many segments.
        Return the segment files the manifest must now name."""
        segments: list[str | None] = list(self._segments)
        owner = np.asarray(self._row_segment, dtype=np.int64)
        groups = [np.flatnonzero(owner == i) for i in range(len(segments))]
        if self._fresh:
            segments.append(None)
            groups.append(np.asarray(self._fresh, dtype=np.int64))
            while len(groups) >= 2 and len(groups[-2]) <= _TIER_RATIO * len(groups[-1]):
                groups[-2:] = [np.concatenate(groups[-2:])]
                segments[-2:] = [None]
        if compact or len(segments) > _MAX_SEGMENTS:
            rows = sorted(self._rows.values())
            live_keys = {bytes.fromhex(h) for h in live()}
            if len(rows) > 2 * max(len(live_keys), 1):
                rows = [r for k, r in self._rows.items() if k in live_keys]
            groups, segments = [np.asarray(rows, dtype=np.int64)], [None]
        written = [
            name if name is not None else self._write(datadir, [int(r) for r in group])
            for name, group in zip(segments, groups, strict=True)
        ]
        owner = np.full(len(self._row_segment), -2, dtype=np.int64)  # -2: dropped by a compaction
        for j, group in enumerate(groups):
            owner[group] = j
        self._row_segment = owner.tolist()
        self._segments = written
        self._fresh = []
        self.reusable = not bool((owner == -2).any())
        for name, group, path in zip(segments, groups, written, strict=True):
            if name is None:
                self._repoint(group, datadir.path(path))
        self._release_vectors()
        return written

    @property
    def segments(self) -> tuple[str, ...]:
        """The segment files the cache was loaded from or last saved to."""
        return tuple(self._segments)

    def _repoint(self, rows: np.ndarray, path: Path) -> None:
        """Read ``rows`` from now on from the segment just written at ``path`` (in that order)."""
        block = len(self._blocks)
        self._blocks.append(path)
        self._block_file.append(path)
        for offset, row in enumerate(rows.tolist()):
            self._block_of[row] = (block, offset)

    def _release_vectors(self) -> None:
        """Drop the vectors held in memory once every row can be read from a segment file again, so that
        a cache kept across commits (``reusable``) holds hashes, not vectors."""
        for block, path in enumerate(self._block_file):
            self._blocks[block] = path if path is not None else _RELEASED

    def _write(self, datadir: DataDir, rows: Sequence[int]) -> str:
        digests = b"".join(self._row_key[r] for r in rows)
        hashes = np.frombuffer(digests, dtype=np.uint8).reshape(len(rows), 32)
        vectors = (
            np.stack([self._row_vector(r) for r in rows]) if rows else np.zeros((0, self.dim), np.float32)
        )
        buffer = io.BytesIO()
        np.savez(buffer, hashes=hashes, vectors=vectors.astype(np.float32))
        return datadir.new_artifact("index/vectors", "seg", ".npz", buffer.getvalue())


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local file header (PKZIP APPNOTE 4.3.7)


def _mapped_member(path: Path, name: str) -> np.ndarray | None:
    """The ``.npy`` member ``name`` of the uncompressed ``.npz`` at ``path`` as a read-only memory map
    (``np.savez`` stores members uncompressed), or None when the member is compressed."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with open(path, "rb") as file:
        file.seek(info.header_offset)
        header = _LOCAL_HEADER.unpack(file.read(_LOCAL_HEADER.size))
        if header[0] != b"PK\x03\x04":
            raise ValueError(f"{name}: not a zip member header")
        name_length, extra_length = header[-2], header[-1]
        file.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
        version = np.lib.format.read_magic(file)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(file)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(file)
        offset = file.tell()
    if dtype.hasobject:
        raise ValueError(f"{name}: object arrays are not read")
    if not shape or 0 in shape:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")
