"""The services behind ``/search``, ``/ask``, report writes and the MCP tools, built from the settings in
one place: the HTTP service's lifespan builds one ``Services`` beside the SPARQL engine and hands it to the
routes (:mod:`api.deps`) and to the MCP tools; ``cnkg mcp`` and the commands that search, ask or write
reports build theirs the same way.

The settings used here: ``data``; ``embedder``, the embedder a new data directory is indexed with and the
one an existing index must have been built with (unset: whichever it has, ``use3`` for a new one); and
``embed_threads``.

>>> import tempfile, pathlib
>>> from kg.settings import Settings
>>> services = Services(Settings(data=pathlib.Path(tempfile.mkdtemp()), embed_threads=1))
>>> services.answerer.search is services.search, services.search.threads
(True, 1)
"""

from __future__ import annotations

import contextlib
import threading

from kg.catalog import Catalog, IndexUpdater
from kg.datadir import DataDir
from kg.errors import CnkgError
from kg.qa.bilingual import dictionary, proper_names, senses, syllables
from kg.qa.service import QuestionAnswerer
from kg.search.embedding_cache import Progress
from kg.search.service import SearchService
from kg.search.updater import make_index_updater
from kg.settings import Settings

__all__ = ["Services"]


class Services:
    """The search service, the question answerer and the writers of one data directory; safe to share
    between threads. The search service (and the answerer on it) is made on first use."""

    def __init__(self, settings: Settings) -> None:
        self.datadir = DataDir(settings.data)
        self.embedder = settings.embedder
        self.embed_threads = settings.embed_threads
        self._lock = threading.Lock()
        self._search: SearchService | None = None
        self._answerer: QuestionAnswerer | None = None

    @property
    def search(self) -> SearchService:
        with self._lock:
            if self._search is None:
                self._search = SearchService(self.datadir, embedder=self.embedder, threads=self.embed_threads)
            return self._search

    @property
    def answerer(self) -> QuestionAnswerer:
        search = self.search
        with self._lock:
            if self._answerer is None:
                self._answerer = QuestionAnswerer(search)
            return self._answerer

    def index_updater(self, progress: Progress | None = None) -> IndexUpdater:
        """What keeps the search indexes in step with the catalog's writes (``progress(done, total)`` is
        called while embedding)."""
        return make_index_updater(self.embedder, threads=self.embed_threads, progress=progress)

    def writing_catalog(self) -> Catalog:
        """The catalog for writes: adding or deleting a report also updates the search indexes."""
        return Catalog(self.datadir, index_updater=self.index_updater())

    def load_search_index(self) -> None:
        """Load the search indexes and the embedder now (a server does it while its query workers load the
        graph, so that the first /search or /ask does not pay for it). A failure here, say an embedder
        that is not installed, is left for those requests to report as a problem detail."""
        with contextlib.suppress(CnkgError):
            self.search.warm_up()
        dictionary()  # CC-CEDICT for English questions (0.4 s), read here rather than by the first one
        senses()  # and its senses for names an English question gives by meaning (0.6 s)
        proper_names()  # and the Chinese of proper names, adidas → 阿迪达斯 (0.3 s)
        syllables()  # and the characters of each pinyin syllable, Xiaohongshu → 小红书 (0.4 s)
