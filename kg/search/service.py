"""``SearchService``: the search indexes of a data directory, loaded once and reloaded when the
manifest changes, answering ``GET /search`` and ``cnkg search`` in the shape docs/design.md fixes.

One service serves a whole process: the HTTP service and the command line build it from the settings
(``api.services.Services``), and the Q&A shares it (its index, its embedder and its name matcher)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, cast

import numpy as np

from kg.catalog import EntityInfo, PassageRecord, find_report
from kg.datadir import DataDir, Manifest
from kg.errors import InputError
from kg.lexicon import Lexicon
from kg.namespaces import ENTITY_TYPES, normalize_name, report_iri
from kg.search.embedders import Embedder, embedder_from_spec
from kg.search.highlight import highlight
from kg.search.hybrid import DEFAULT_FUSION, MODES, FusionConfig, Mode, Ranking, rank
from kg.search.index import SearchIndex
from kg.search.updater import EmbedderMismatchError
from kg.surface_matcher import SurfaceMatcher
from kg.tokenize import WordSegmenter

__all__ = ["MAX_K", "MAX_WINDOW", "QueryAnalysis", "SearchService", "names_matcher"]

MAX_K = 100  # hits per page, hard cap
MAX_WINDOW = 1000  # offset + k
WARM_UP_TEXT = "容器"  # embedded once at start-up so that the model's weights are loaded


def names_matcher(lexicon: Lexicon, discovered: Mapping[str, EntityInfo]) -> SurfaceMatcher:
    """The matcher of the entity names a query or a question may use: every label and alias of the
    lexicon, and the label of each entity discovered in the reports (``discovered``: slug → info)."""
    forms = lexicon.query_forms()
    for slug, info in discovered.items():
        forms.setdefault(normalize_name(info.label), slug)
    return SurfaceMatcher(forms, lexicon.context_forms(), lexicon.exact_forms())


class QueryAnalysis:
    """What a query asks for: keyword terms, the entities it names, and (lazily) its vector."""

    def __init__(self, text: str, segmenter: WordSegmenter, matcher: SurfaceMatcher) -> None:
        self.text = text
        self.terms = segmenter.search_terms(text)
        self.words = {t for t in self.terms if not t.startswith("@")}
        self.slugs = list(dict.fromkeys(m.slug for m in matcher.find(text)))


class SearchService:
    """Search over one data directory; safe to share between threads. ``embedder``: the embedder the
    index must have been built with (None: whichever it was built with); ``threads``: the embedder's.

    >>> import tempfile, pathlib
    >>> service = SearchService(DataDir(pathlib.Path(tempfile.mkdtemp())))
    >>> service.search("容器", k=5)["total"]
    0
    """

    def __init__(
        self,
        datadir: DataDir,
        *,
        embedder: str | None = None,
        threads: int = 0,
        fusion: FusionConfig = DEFAULT_FUSION,
    ) -> None:
        self.datadir = datadir
        self.embedder_spec = embedder
        self.threads = threads
        self.fusion = fusion
        self.segmenter = WordSegmenter.shared()
        self.lexicon = Lexicon.load()
        self._lock = threading.Lock()
        self._stamp: int | None = None  # the manifest generation loaded
        self._manifest = Manifest()
        self._index = SearchIndex.empty()
        self._matcher = names_matcher(self.lexicon, {})

    # -- loading -------------------------------------------------------------------------------
    def index(self) -> SearchIndex:
        """The current indexes, reloaded if another process changed the data directory."""
        stamp = self.datadir.manifest_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    manifest = self.datadir.read_manifest()
                    index = SearchIndex.load(self.datadir, manifest)
                    self._check_embedder(index)
                    self._matcher = names_matcher(self.lexicon, index.entities)
                    self._manifest, self._index, self._stamp = manifest, index, stamp
        return self._index

    def matcher(self) -> SurfaceMatcher:
        """The names of the lexicon and of the entities found in the current reports (the Q&A's too)."""
        self.index()
        return self._matcher

    def is_current(self) -> bool:
        """True when the loaded indexes are the ones the data directory holds now (no reload pending)."""
        return self._stamp == self.datadir.manifest_stamp()

    def _check_embedder(self, index: SearchIndex) -> None:
        if self.embedder_spec and index.embedder and index.embedder.name != self.embedder_spec:
            raise EmbedderMismatchError(
                f"the search index of {self.datadir.root} was built with embedder "
                f"{index.embedder.name!r}, not {self.embedder_spec!r}; re-embed it "
                f"(cnkg search --reembed --embedder {self.embedder_spec})"
            )

    def warm_up(self) -> None:
        """Load the indexes and the embedder's model now (the first query would otherwise pay for both):
        what a server runs in the background at start-up."""
        model = self.embedder()
        if model is not None:
            model.embed([WARM_UP_TEXT])

    def embedder(self) -> Embedder | None:
        index = self.index()
        return embedder_from_spec(index.embedder.name, self.threads) if index.embedder else None

    def analyse(self, query: str) -> QueryAnalysis:
        return QueryAnalysis(query, self.segmenter, self.matcher())

    # -- passage search ------------------------------------------------------------------------
    def search(
        self,
        q: str,
        *,
        k: int = 10,
        offset: int = 0,
        mode: str = "hybrid",
        report: str | None = None,
        type: str | None = None,
        explain: bool = False,
    ) -> dict[str, Any]:
        """Passages for a query, as ``{"query", "mode", "total", "hits": [...]}`` (docs/design.md)."""
        query, ranking, vector, analysis, index = self._ranking(q, k, offset, mode, report, type)
        hits = [
            self._hit(index, analysis, ranking, i, vector, explain)
            for i in range(offset, min(offset + k, len(ranking.rows)))
        ]
        return {"query": query, "mode": mode, "total": int(ranking.total), "hits": hits}

    def ranked_passages(
        self,
        q: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        report: str | None = None,
        type: str | None = None,
    ) -> list[PassageRecord]:
        """The top ``k`` passages alone, without highlights (what evaluation needs)."""
        _, ranking, _, _, index = self._ranking(q, k, 0, mode, report, type)
        return [index.passages[int(row)] for row in ranking.rows[:k]]

    def _ranking(
        self, q: str, k: int, offset: int, mode: str, report: str | None, type_name: str | None
    ) -> tuple[str, Ranking, np.ndarray | None, QueryAnalysis, SearchIndex]:
        query = q.strip()
        if not query:
            raise InputError("the query is empty")
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        if not 1 <= k <= MAX_K or offset < 0:
            raise InputError(f"k must be between 1 and {MAX_K}, and offset at least 0")
        if offset + k > MAX_WINDOW:
            raise InputError(f"offset + k may not exceed {MAX_WINDOW}; narrow the query or add filters")
        index = self.index()
        analysis = self.analyse(query)
        allowed = self._scope(index, report, type_name)
        vector = None
        if mode != "bm25" and len(index):
            model = self.embedder()
            vector = model.embed([query])[0] if model else None
        ranking = rank(
            index, cast(Mode, mode), analysis.terms, vector, analysis.slugs, allowed, offset + k, self.fusion
        )
        return query, ranking, vector, analysis, index

    def _scope(self, index: SearchIndex, report: str | None, type_name: str | None) -> np.ndarray | None:
        allowed: np.ndarray | None = None
        if report:
            rid = find_report(self._manifest.reports, report).rid
            allowed = index.report_rows.get(rid, np.zeros(0, dtype=np.int64))
        if type_name:
            name = type_name.rsplit("#", 1)[-1].removeprefix("cnkg:")
            if name not in ENTITY_TYPES:
                raise InputError(f"unknown entity type {type_name!r}: use one of {', '.join(ENTITY_TYPES)}")
            typed = index.rows_for_type(name)
            allowed = typed if allowed is None else np.intersect1d(allowed, typed)
        return allowed

    def _hit(
        self,
        index: SearchIndex,
        analysis: QueryAnalysis,
        ranking: Ranking,
        i: int,
        vector: np.ndarray | None,
        explain: bool,
    ) -> dict[str, Any]:
        row = int(ranking.rows[i])
        passage = index.passages[row]
        entities = []
        for slug in passage.entities:
            info = index.entities.get(slug)
            if info is not None:
                entities.append({"iri": info.iri, "label": info.label, "type": info.type})
        hit: dict[str, Any] = {
            "passage": passage.iri,
            "report": report_iri(passage.rid),
            "text": passage.text,
            "highlight": highlight(passage.text, analysis.words, set(analysis.slugs), self.segmenter),
            "start": passage.start,
            "end": passage.end,
            "score": round(float(ranking.scores[i]), 6),
            "entities": entities,
        }
        if explain:
            hit["explain"] = self._explain(index, analysis, ranking, i, row, vector)
        return hit

    def _explain(
        self,
        index: SearchIndex,
        analysis: QueryAnalysis,
        ranking: Ranking,
        i: int,
        row: int,
        vector: np.ndarray | None,
    ) -> dict[str, Any]:
        c = ranking.candidates
        if c is not None:
            j = int(np.searchsorted(c.rows, row))
            named = set(analysis.slugs)
            return {
                "bm25": {"rank": int(c.bm25_rank[j]) or None, "score": round(float(c.bm25[j]), 6)},
                "dense": {"rank": int(c.dense_rank[j]) or None, "score": round(float(c.dense[j]), 6)},
                "graph": {
                    "entities": [s for s in index.passages[row].entities if s in named],
                    "boost": round(float(self.fusion.graph_boost * c.graph[j]), 6),
                },
                "fusion": {"method": self.fusion.method, "bm25_weight": self.fusion.bm25_weight},
            }
        leg = "bm25" if vector is None else "dense"
        return {leg: {"rank": i + 1, "score": round(float(ranking.scores[i]), 6)}}
