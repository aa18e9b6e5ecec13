"""Search over report passages (BM25 + dense vectors + graph boost).

Wiring: ``Catalog(datadir, index_updater=make_index_updater(settings.embedder))`` keeps the indexes in
step with the reports; ``SearchService(datadir)`` answers queries. Entities are found by name in the graph
(:mod:`kg.entities`).
"""

from kg.search.embedders import Embedder, SentenceTransformerEmbedder, Use3Embedder, embedder_from_spec
from kg.search.hybrid import DEFAULT_FUSION, MODES, FusionConfig
from kg.search.service import MAX_K, SearchService
from kg.search.updater import EmbedderMismatchError, make_index_updater, reembed, update_indexes

__all__ = [
    "DEFAULT_FUSION",
    "MAX_K",
    "MODES",
    "Embedder",
    "EmbedderMismatchError",
    "FusionConfig",
    "SearchService",
    "SentenceTransformerEmbedder",
    "Use3Embedder",
    "embedder_from_spec",
    "make_index_updater",
    "reembed",
    "update_indexes",
]
