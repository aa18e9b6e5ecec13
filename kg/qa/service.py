"""``QuestionAnswerer``: one question in, the /ask response out (design.md): an answer taken from the
reports, with every sentence it rests on, the entities the question names and the graph facts used.

The line: analyse the question → retrieve passages (the hybrid search) → answer from the graph where it
knows (observations for numbers, typed relations for lists and relations) → else from the sentences of the
passages → else say plainly that the reports do not answer.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from kg.datadir import DataDir
from kg.errors import InputError
from kg.lexicon import Lexicon
from kg.namespaces import ENTITY_BASE, normalize_name
from kg.qa.evidence import Answer
from kg.qa.graph_numbers import answer_from_observations
from kg.qa.graph_relations import answer_from_relations
from kg.qa.passages import answer_from_passages
from kg.qa.question import Question, analyse_question
from kg.qa.source import Select
from kg.search.index import SearchIndex
from kg.search.service import SearchService, search_service_for
from kg.surface_matcher import SurfaceMatcher

__all__ = ["MAX_QUESTION_CHARS", "NO_ANSWER_EN", "NO_ANSWER_ZH", "QuestionAnswerer", "question_answerer_for"]

MAX_QUESTION_CHARS = 500
RETRIEVED = 8  # passages read per question
NO_ANSWER_ZH = "现有报告没有回答这个问题。"
NO_ANSWER_EN = "The reports do not answer this question."


class QuestionAnswerer:
    """Answers questions over one data directory's search index and graph; safe to share between threads.

    >>> import asyncio, tempfile, pathlib
    >>> from kg.datadir import DataDir
    >>> from kg.qa.source import store_select
    >>> from kg.store import GraphStore
    >>> datadir = DataDir(pathlib.Path(tempfile.mkdtemp()))
    >>> qa = QuestionAnswerer(SearchService(datadir))
    >>> asyncio.run(qa.ask("Kubernetes的前身是什么？", store_select(GraphStore.open(datadir))))["answered"]
    False
    """

    def __init__(self, search: SearchService) -> None:
        self.search = search
        self.lexicon: Lexicon = search.lexicon
        self._lock = threading.Lock()
        self._matcher_for: tuple[int, SurfaceMatcher] | None = None

    # -- what the question names ----------------------------------------------------------------
    def _matcher(self, index: SearchIndex) -> SurfaceMatcher:
        cached = self._matcher_for
        if cached is not None and cached[0] == id(index):
            return cached[1]
        with self._lock:
            forms = self.lexicon.query_forms()
            for slug, info in index.entities.items():
                forms.setdefault(normalize_name(info.label), slug)
            matcher = SurfaceMatcher(forms, self.lexicon.context_forms(), self.lexicon.exact_forms())
            self._matcher_for = (id(index), matcher)
            return matcher

    def entity_type(self, slug: str) -> str | None:
        entry = self.lexicon.get(slug)
        if entry is not None:
            return entry.type
        info = self.search.index().entities.get(slug)
        return info.type if info else None

    def surfaces(self, slug: str) -> list[str]:
        entry = self.lexicon.get(slug)
        if entry is not None:
            return entry.surfaces()
        info = self.search.index().entities.get(slug)
        return [info.label] if info else []

    def _entity_forms(self, question: Question) -> dict[str, list[str]]:
        forms: dict[str, list[str]] = {}
        for e in question.entities:
            forms.setdefault(e.slug, [e.surface])
            forms[e.slug].extend(f for f in self.surfaces(e.slug) if f not in forms[e.slug])
        return forms

    def _entities_json(self, question: Question) -> list[dict[str, Any]]:
        out = []
        for slug in question.slugs:
            entry = self.lexicon.get(slug)
            info = self.search.index().entities.get(slug)
            label = entry.label if entry else (info.label if info else slug)
            surface = next(e.surface for e in question.entities if e.slug == slug)
            out.append(
                {
                    "iri": ENTITY_BASE + slug,
                    "label": label,
                    "type": self.entity_type(slug),
                    "surface": surface,
                }
            )
        return out

    # -- answering ------------------------------------------------------------------------------
    def analyse(self, text: str) -> Question:
        index = self.search.index()
        return analyse_question(text, self._matcher(index), self.search.segmenter, self.lexicon)

    async def ask(self, q: str, select: Select) -> dict[str, Any]:
        """The /ask response for question ``q``; ``select`` runs the graph queries."""
        text = " ".join(q.split())
        if not text:
            raise InputError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise InputError(f"the question has {len(text)} characters; the limit is {MAX_QUESTION_CHARS}")
        question = self.analyse(text)
        index = self.search.index()
        # the graph's relations do not depend on the passages: look them up while the search runs (the
        # query runs in a worker process, the search in this one, so the two can overlap)
        hits, answer = await asyncio.gather(self._hits(text, index), self._from_relations(question, select))
        if answer is None:
            answer = await self._answer(question, hits, select, self._matcher(index))
        if answer is None:
            answer = Answer(NO_ANSWER_EN if question.english else NO_ANSWER_ZH, False, "none")
        return {
            "question": text,
            "answer": answer.answer,
            "answered": answer.answered,
            "kind": question.kind,
            "source": answer.source,
            "evidence": answer.cited(),
            "entities": self._entities_json(question),
            "facts": answer.facts,
        }

    async def _hits(self, text: str, index: SearchIndex) -> list[dict[str, Any]]:
        if not len(index):
            return []
        result = await asyncio.to_thread(self.search.search, text, k=RETRIEVED)
        hits: list[dict[str, Any]] = result["hits"]
        return hits

    async def _from_relations(self, question: Question, select: Select) -> Answer | None:
        if question.kind in ("list", "relation", "other") and question.predicates:
            return await answer_from_relations(question, select, self.entity_type, self.surfaces)
        return None

    async def _answer(
        self, question: Question, hits: list[dict[str, Any]], select: Select, matcher: SurfaceMatcher
    ) -> Answer | None:
        """The answer from observations (number questions) or else from the passages; relation questions
        were already tried on the graph by :meth:`ask`."""
        forms = self._entity_forms(question)
        if question.kind == "number":
            found = await answer_from_observations(question, select, hits, forms)
            if found is not None or question.measure is not None:
                return found  # a figure of a known measure comes from an observation or not at all
        return answer_from_passages(question, hits, forms, matcher, self.entity_type)


_answerers: dict[str, QuestionAnswerer] = {}
_answerers_lock = threading.Lock()


def question_answerer_for(datadir: DataDir) -> QuestionAnswerer:
    """The process-wide answerer of a data directory (it shares the search service and its reloading)."""
    service = search_service_for(datadir)
    key = str(service.datadir.root)
    with _answerers_lock:
        answerer = _answerers.get(key)
        if answerer is None or answerer.search is not service:
            answerer = _answerers[key] = QuestionAnswerer(service)
        return answerer
