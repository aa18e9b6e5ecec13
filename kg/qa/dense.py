"""The dense similarity of a question and the sentences of its retrieved passages (USE v3, multilingual:
what lets an English question or a paraphrase find the Chinese sentence that answers it).

The question and the sentences of the passages not seen before are embedded in one batch; each passage's
sentence vectors are kept in a bounded LRU, so a passage read again costs nothing. The embedder is the one
the search service already loaded (``SearchService.embedder``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from kg.qa.sentences import split_sentences
from kg.search.embedders import Embedder

__all__ = ["PASSAGE_CACHE_SIZE", "SentenceSimilarity", "Similarities"]

PASSAGE_CACHE_SIZE = 4096  # passages whose sentence vectors are kept (512 floats per sentence)

# (passage IRI, sentence start offset) -> cosine similarity of the question and that sentence
Similarities = dict[tuple[str, int], float]


class SentenceSimilarity:
    """Cosine similarities of a text and the sentences of passages; safe to share between threads."""

    def __init__(self, embedder: Embedder, capacity: int = PASSAGE_CACHE_SIZE) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._lock = threading.Lock()
        self._passages: OrderedDict[str, tuple[list[int], np.ndarray]] = OrderedDict()

    @staticmethod
    def _key(hit: dict[str, Any]) -> str:
        digest = hashlib.sha256(hit["text"].encode()).hexdigest()[:16]
        return f"{hit['passage']}#{hit['start']}#{digest}"

    def _cached(self, key: str) -> tuple[list[int], np.ndarray] | None:
        with self._lock:
            found = self._passages.get(key)
            if found is not None:
                self._passages.move_to_end(key)
            return found

    def _store(self, key: str, value: tuple[list[int], np.ndarray]) -> None:
        with self._lock:
            self._passages[key] = value
            self._passages.move_to_end(key)
            while len(self._passages) > self.capacity:
                self._passages.popitem(last=False)

    def similarities(self, texts: Sequence[str], hits: Sequence[dict[str, Any]]) -> list[Similarities]:
        """For each text, its similarity with every sentence of ``hits`` (one embedding batch)."""
        missing: list[tuple[str, dict[str, Any], list[int], list[str]]] = []
        for hit in hits:
            key = self._key(hit)
            if self._cached(key) is None and all(m[0] != key for m in missing):
                sentences = split_sentences(hit["text"], int(hit["start"]))
                missing.append((key, hit, [s.start for s in sentences], [s.text for s in sentences]))
        batch = list(texts) + [t for m in missing for t in m[3]]
        vectors = self.embedder.embed(batch) if batch else np.zeros((0, 0), dtype=np.float32)
        asked, row = vectors[: len(texts)], len(texts)
        for key, _, starts, sentence_texts in missing:
            self._store(key, (starts, vectors[row : row + len(sentence_texts)]))
            row += len(sentence_texts)
        out: list[Similarities] = [{} for _ in texts]
        for hit in hits:
            found = self._cached(self._key(hit))
            if found is None or not len(found[1]):
                continue
            starts, sentence_vectors = found
            scores = sentence_vectors @ asked.T  # unit rows: inner product is the cosine
            for i, start in enumerate(starts):
                for t in range(len(texts)):
                    out[t][(hit["passage"], start)] = float(scores[i, t])
        return out
