"""``SearchService``: the search indexes of a data directory, loaded once and reloaded when the
manifest changes, answering ``GET /search`` and ``cnkg search`` in the shape design.md fixes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

import numpy as np

from kg.catalog import PassageRecord
from kg.datadir import DataDir, Manifest
from kg.errors import InputError, NotFoundError
from kg.lexicon import Lexicon
from kg.namespaces import ENTITY_TYPES, REPORT_BASE, normalize_name, report_iri
from kg.search.embedders import Embedder, embedder_from_spec
from kg.search.entities import EntityHit, EntityIndex
from kg.search.highlight import highlight
from kg.search.hybrid import DEFAULT_FUSION, MODES, FusionConfig, Mode, Ranking, rank
from kg.search.index import SearchIndex
from kg.search.updater import EmbedderMismatchError, update_indexes
from kg.surface_matcher import SurfaceMatcher
from kg.tokenize import WordSegmenter

__all__ = ["MAX_K", "MAX_WINDOW", "QueryAnalysis", "SearchService", "search_service_for", "update_indexes"]

MAX_K = 100  # hits per page, hard cap
MAX_WINDOW = 1000  # offset + k
WARM_UP_TEXT = "容器"  # embedded once at start-up so that the model's weights are loaded


class QueryAnalysis:
    """What a query asks for: keyword terms, the entities it names, and (lazily) its vector."""

    def __init__(self, text: str, segmenter: WordSegmenter, matcher: SurfaceMatcher) -> None:
        self.text = text
        self.terms = segmenter.search_terms(text)
        self.words = {t for t in self.terms if not t.startswith("@")}
        self.slugs = list(dict.fromkeys(m.slug for m in matcher.find(text)))


class SearchService:
    """Search over one data directory; safe to share between threads.

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
        self._matcher = SurfaceMatcher.from_lexicon(self.lexicon)
        self._entities = EntityIndex.from_lexicon(self.lexicon)

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
                    forms = self.lexicon.query_forms()
                    for slug, info in index.entities.items():
                        forms.setdefault(normalize_name(info.label), slug)
                    self._matcher = SurfaceMatcher(
                        forms, self.lexicon.context_forms(), self.lexicon.exact_forms()
                    )
                    self._entities = EntityIndex.from_lexicon(
                        self.lexicon, discovered=index.entities.values()
                    )
                    self._manifest, self._index, self._stamp = manifest, index, stamp
        return self._index

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
        self.index()
        return QueryAnalysis(query, self.segmenter, self._matcher)

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
        """Passages for a query, as ``{"query", "mode", "total", "hits": [...]}`` (design.md)."""
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
            rid = self._resolve_report(report)
            allowed = index.report_rows.get(rid, np.zeros(0, dtype=np.int64))
        if type_name:
            name = type_name.rsplit("#", 1)[-1].removeprefix("cnkg:")
            if name not in ENTITY_TYPES:
                raise InputError(f"unknown entity type {type_name!r}: use one of {', '.join(ENTITY_TYPES)}")
            typed = index.rows_for_type(name)
            allowed = typed if allowed is None else np.intersect1d(allowed, typed)
        return allowed

    def _resolve_report(self, ref: str) -> str:
        reports = self._manifest.reports
        ref = ref.strip().rstrip("/")
        if ref.startswith(REPORT_BASE):
            ref = ref[len(REPORT_BASE) :]
        if ref in reports:
            return ref
        hits = [r.rid for r in reports.values() if r.source == ref or r.rid.startswith(ref)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise NotFoundError(f"no report matches {ref!r}")
        raise InputError(f"{ref!r} matches {len(hits)} reports; give the report id")

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

    # -- entity search -------------------------------------------------------------------------
    def search_entities(self, q: str, type: str | None = None, limit: int = 10) -> list[EntityHit]:
        """Entities by label, alias or description: the lexicon plus entities found in the reports."""
        self.index()
        return self._entities.search(q, type, limit)


_services: dict[Path, SearchService] = {}
_services_lock = threading.Lock()


def search_service_for(datadir: DataDir) -> SearchService:
    """The process-wide ``SearchService`` of a data directory (created on first use, then reused: it
    reloads by itself when the manifest changes)."""
    key = datadir.root.resolve()
    with _services_lock:
        service = _services.get(key)
        if service is None:
            service = _services[key] = SearchService(DataDir(key))
        return service
