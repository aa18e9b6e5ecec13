"""``QuestionAnswerer``: one question in, the /ask response out (docs/design.md): an answer taken from the
reports, with every sentence it rests on, the entities the question names and the graph facts used.

The line: analyse the question → retrieve passages (the hybrid search) → answer from the graph where it
knows (observations for numbers, typed relations for lists and relations) → else from the sentences of the
passages → else say plainly that the reports do not answer.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from typing import Any

from kg.errors import InputError
from kg.lexicon import Lexicon
from kg.namespaces import entity_iri, rid_of
from kg.qa.answer_type import expected_type, holds_asked_unit
from kg.qa.bilingual import proper_names
from kg.qa.bridge import Bridge, bridge_entity, find_bridge, rewrite
from kg.qa.dense import SentenceSimilarity, Similarities
from kg.qa.evidence import Answer, Evidence
from kg.qa.graph_members import members_from_graph
from kg.qa.graph_numbers import answer_from_observations
from kg.qa.graph_relations import answer_from_relations
from kg.qa.parts import split_parts
from kg.qa.question import Question, analyse_question
from kg.qa.reading import (
    DECLINE,
    DECLINE_EN,
    DECLINE_SCORE,
    MIN_CONFIDENCE,
    PartAnswer,
    evidence_of,
    fold_for_names,
    read_answer,
)
from kg.qa.selection import WEIGHTS, candidates, question_keys
from kg.qa.source import Select
from kg.search.index import SearchIndex
from kg.search.service import SearchService
from kg.tokenize import has_chinese

__all__ = ["MAX_QUESTION_CHARS", "NO_ANSWER_EN", "NO_ANSWER_ZH", "QuestionAnswerer"]

MAX_QUESTION_CHARS = 500
RETRIEVED = 8  # passages retrieved per question (the reader takes the top WEIGHTS.passages of them)
RELATED = 3  # closest passages returned as ``related``, also when the question is declined
GRAPH_CONFIDENCE = 0.8  # confidence of a list whose every member the graph states with its evidence
# Relations whose cue words also describe in passing ("负责…、支持跨节点流量转发的模块叫什么？"): a question
# cued by them alone is answered from the graph only when it asks a list or a name (round 8, on dev: the
# `supports` answers of 3 relation questions replaced right sentences; answerable 156 -> 158/285), and
# then only with the members stated in the passages the search retrieved for the question (round 9, on dev:
# list member precision 0.475 -> 0.511 at the same recall and answers; "Volcano通过VcJob支持哪些…框架" had
# every framework any report says Volcano supports)
LOOSE_CUES = frozenset({"supports"})
# A part of a multi-part question is declined below this confidence when another part is answered (the
# reports answer the question in part, so it is about them); None: every part on the usual floor. Round 10,
# end to end on dev: None / 0.25 / 0 -> 166 / 167 / 169 answerable, 55 of 60 declined at each (dev's two
# multi-part unanswerable questions have every part declined).
SIBLING_MIN_CONFIDENCE: float | None = 0.0
# Reports whose folded text the answerer keeps (the decline's `named` share reads the best sentence's
# report): not tuned, a bound on memory (64 reports of the largest real-world size is about 10 MB).
FOLDED_REPORTS_KEPT = 64
NO_ANSWER_ZH = "现有报告没有回答这个问题。"
NO_ANSWER_EN = "The reports do not answer this question."
_ASKS_FIGURE = re.compile(r"多少|几[个家名位年次倍成]|how\s+(?:many|much)", re.I)  # one per figure asked


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
        self.weights = WEIGHTS
        self.decline_score = DECLINE_SCORE
        self.decline = DECLINE
        self.decline_en = DECLINE_EN
        self.sibling_min_confidence: float | None = SIBLING_MIN_CONFIDENCE
        self._similarity: SentenceSimilarity | None = None
        self._reports_of: SearchIndex | None = None  # the index the folded report texts were read from
        self._folded_reports: dict[str, str] = {}

    def similarity(self) -> SentenceSimilarity | None:
        """The dense sentence similarity, on the search index's own embedder (None without one)."""
        embedder = self.search.embedder()
        if embedder is None:
            return None
        with self._lock:
            if self._similarity is None or self._similarity.embedder is not embedder:
                self._similarity = SentenceSimilarity(embedder)
            return self._similarity

    # -- what the question names ----------------------------------------------------------------
    def entity_type(self, slug: str) -> str | None:
        entry = self.lexicon.get(slug)
        if entry is not None:
            return entry.type
        info = self.search.index().entities.get(slug)
        return info.type if info else None

    def label(self, slug: str) -> str:
        entry = self.lexicon.get(slug)
        if entry is not None:
            return entry.label
        info = self.search.index().entities.get(slug)
        return info.label if info else slug

    def surfaces(self, slug: str) -> list[str]:
        entry = self.lexicon.get(slug)
        if entry is not None:
            return entry.surfaces()
        info = self.search.index().entities.get(slug)
        return [info.label] if info else []

    def _member_fits(self, types: tuple[str, ...]) -> Callable[[str], bool]:
        """Whether a list member names an entity of one of ``types`` (by the names the search knows)."""
        matcher = self.search.matcher()

        def fits(member: str) -> bool:
            return any(self.entity_type(m.slug) in types for m in matcher.find(member) if not m.contextual)

        return fits

    def report_text(self, passage: str) -> str:
        """The folded text (``fold_for_names``) of the report holding the passage IRI ``passage``, read
        from the current search index once per report and index."""
        index = self.search.index()
        rid = rid_of(passage)
        with self._lock:
            if self._reports_of is not index:
                self._reports_of, self._folded_reports = index, {}
            folded = self._folded_reports.get(rid)
        if folded is None:
            rows = index.report_rows.get(rid, ())
            folded = fold_for_names(" ".join(index.passages[int(row)].text for row in rows))
            with self._lock:
                if self._reports_of is index:
                    if len(self._folded_reports) >= FOLDED_REPORTS_KEPT:
                        del self._folded_reports[next(iter(self._folded_reports))]  # the oldest read
                    self._folded_reports[rid] = folded
        return folded

    def _entity_forms(self, question: Question) -> dict[str, list[str]]:
        """Every form of each entity the question names; for an English question, an entity known only by
        Latin forms is also written as CC-CEDICT writes its name (adidas → 阿迪达斯: the Chinese reports
        name it so)."""
        forms: dict[str, list[str]] = {}
        for e in question.entities:
            forms.setdefault(e.slug, [e.surface])
            forms[e.slug].extend(f for f in self.surfaces(e.slug) if f not in forms[e.slug])
        if not has_chinese(question.text):
            for known in forms.values():
                if not any(has_chinese(f) for f in known):
                    written = {c for f in known for c in proper_names().get(f.casefold(), ())}
                    known.extend(sorted(written))
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
                    "iri": entity_iri(slug),
                    "label": label,
                    "type": self.entity_type(slug),
                    "surface": surface,
                }
            )
        return out

    # -- answering ------------------------------------------------------------------------------
    def analyse(self, text: str) -> Question:
        return analyse_question(text, self.search.matcher(), self.search.segmenter, self.lexicon)

    async def ask(self, q: str, select: Select) -> dict[str, Any]:
        """The /ask response for question ``q``; ``select`` runs the graph queries."""
        text = " ".join(q.split())
        if not text:
            raise InputError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise InputError(f"the question has {len(text)} characters; the limit is {MAX_QUESTION_CHARS}")
        question = self.analyse(text)
        bridge = find_bridge(text)
        if bridge is not None:
            bridged = await self._ask_bridged(question, bridge, select)
            if bridged is not None:
                return bridged
        return await self._answer(question, select)

    async def _answer(self, question: Question, select: Select) -> dict[str, Any]:
        text = question.text
        index = self.search.index()
        # the graph's relations do not depend on the passages: look them up while the search runs (the
        # query runs in a worker process, the search in this one, so the two can overlap)
        if question.predicates and set(question.predicates) <= LOOSE_CUES:
            # a loosely cued relation (支持) keeps the members stated in the passages retrieved for this
            # question: the cue names the relation loosely, the question's context (通过VcJob) says which
            hits = await self._hits(text, index)
            graph = await self._from_relations(question, select, within={h["passage"] for h in hits})
        else:
            hits, graph = await asyncio.gather(
                self._hits(text, index), self._from_relations(question, select)
            )
        similar = asyncio.to_thread(self.similarities, question, hits)
        figure, similarities = await asyncio.gather(self._from_observations(question, hits, select), similar)
        members = None
        if graph is None and question.kind == "list":
            members = await members_from_graph(question, hits, select, self.surfaces, self.label)
        return self.compose(question, hits, graph, figure, members, similarities)

    async def _ask_bridged(self, question: Question, bridge: Bridge, select: Select) -> dict[str, Any] | None:
        """A question naming its subject by description (kg.qa.bridge): the entity the description names
        in its best sentences, then the question about that entity; None when either hop finds nothing."""
        described = self.analyse(bridge.first)
        hits = await self._hits(bridge.first, self.search.index())
        if not hits:
            return None
        similarities = await asyncio.to_thread(self.similarities, described, hits)
        keys = question_keys(bridge.first, self._entity_forms(described), described.hints, "name")
        similarity = similarities[0] if similarities else None
        ranked = candidates(keys, hits, self.weights, similarity, bridge.first)
        named = set(described.slugs)
        found = bridge_entity(ranked, bridge.types, named, self.search.matcher(), self.entity_type)
        if found is None:
            return None
        name, sentence = found
        then = await self._answer(self.analyse(rewrite(bridge.then, name)), select)
        if not then["answered"]:
            return None
        entities = self._entities_json(question)
        entities += [e for e in then["entities"] if e not in entities]
        cited = evidence_of(sentence).to_json()
        return _bridged_response(question, bridge.first, name, cited, then, entities)

    def similarities(self, question: Question, hits: list[dict[str, Any]]) -> list[Similarities] | None:
        """The dense cosine of each part of the question and each sentence of the passages it reads."""
        model = self.similarity()
        if model is None or not hits:
            return None
        return model.similarities(split_parts(question.text), hits[: self.weights.passages])

    def compose(
        self,
        question: Question,
        hits: list[dict[str, Any]],
        graph: Answer | None,
        figure: Answer | None = None,
        members: Answer | None = None,
        similarities: list[Similarities] | None = None,
    ) -> dict[str, Any]:
        """The response from the question, its passages, the graph's list (if any), the observation
        that fits a number question (if any) and the dense similarities of its parts and sentences."""
        parts = self.read_parts(question, hits, similarities)
        answered = [p for p in parts if p.answered]
        if (
            figure is not None
            and len(parts) == 1
            and parts[0].answered
            and _states(parts[0], figure)
            and _fits(question.text, figure)
        ):
            # the figure the chosen sentence states, as a value with its unit and year
            part = parts[0]
            return self._response(
                question,
                hits,
                figure.answer,
                True,
                part.confidence,
                "graph+passages",
                figure.evidence,
                [],
                figure.facts,
                [],
            )
        if graph is None and members is not None and len(parts) == 1 and not parts[0].items:
            graph = members  # the members the graph states around the passages, when no sentence lists them
        if (
            graph is not None
            and graph.answered
            and len(parts) == 1
            and _supported(parts[0], graph, hits, question.kind == "list" or parts[0].answer_type == "list")
        ):
            part = parts[0]
            firmly_cued = question.kind == "relation" and bool(set(question.predicates) - LOOSE_CUES)
            if part.answer_type in ("list", "name") or question.kind == "list" or firmly_cued:
                return self._response(
                    question,
                    hits,
                    graph.answer,
                    True,
                    max(part.confidence, GRAPH_CONFIDENCE),
                    "graph",
                    graph.evidence,
                    [],
                    graph.facts,
                    graph.items,
                )
        if not answered:
            confidence = max((p.confidence for p in parts), default=0.0)
            return self._response(
                question,
                hits,
                NO_ANSWER_EN if question.english else NO_ANSWER_ZH,
                False,
                confidence,
                "none",
                [],
                [],
                [],
                [],
            )
        answer = "；".join(p.answer for p in answered)
        evidence = [e for p in answered for e in p.evidence]
        items = [i for p in answered for i in p.items]
        confidence = min(p.confidence for p in parts)
        shown = [p.to_json() for p in parts] if len(parts) > 1 else []
        return self._response(
            question, hits, answer, True, confidence, "passages", evidence, shown, [], items
        )

    def read_parts(
        self,
        question: Question,
        hits: list[dict[str, Any]],
        similarities: list[Similarities] | None = None,
    ) -> list[PartAnswer]:
        """Each part of the question answered from the passages (one part for a simple question); a part
        naming no entity of its own reads the entities of the whole question."""
        texts = split_parts(question.text)
        forms = self._entity_forms(question)
        # the wanted type is the whole question's: a part of a multi-part question may want another
        fits = self._member_fits(question.target_types) if question.target_types and len(texts) == 1 else None

        def read(n: int, part: str, min_confidence: float = MIN_CONFIDENCE) -> PartAnswer:
            own = {slug: f for slug, f in forms.items() if any(v.casefold() in part.casefold() for v in f)}
            return read_answer(
                part,
                hits,
                own or forms if len(texts) > 1 else forms,
                question.hints,
                self.weights,
                self.decline_score,
                similarities[n] if similarities is not None and n < len(similarities) else None,
                self.decline,
                self.decline_en,
                fits,
                self.report_text,
                min_confidence,
            )

        out = [read(n, part) for n, part in enumerate(texts)]
        if self.sibling_min_confidence is not None and any(p.answered for p in out):
            # a part the reports answer puts the question inside the reports: its other parts are read
            # with the sibling floor, not declined at the usual one
            out = [
                p if p.answered else read(n, part, self.sibling_min_confidence)
                for n, (part, p) in enumerate(zip(texts, out, strict=True))
            ]
        return out

    def _response(
        self,
        question: Question,
        hits: list[dict[str, Any]],
        answer: str,
        answered: bool,
        confidence: float,
        source: str,
        evidence: list[Evidence],
        parts: list[dict[str, Any]],
        facts: list[dict[str, Any]],
        items: list[str],
    ) -> dict[str, Any]:
        cited = Answer(answer, answered, source, evidence).cited()
        return {
            "question": question.text,
            "answer": answer,
            "answered": answered,
            "confidence": round(confidence, 3),
            "kind": question.kind,
            "source": source,
            "parts": parts,
            "items": items,
            "evidence": cited,
            "related": [_related(h) for h in hits[:RELATED]],
            "entities": self._entities_json(question),
            "facts": facts,
        }

    async def _hits(self, text: str, index: SearchIndex) -> list[dict[str, Any]]:
        if not len(index):
            return []
        result = await asyncio.to_thread(self.search.search, text, k=RETRIEVED)
        hits: list[dict[str, Any]] = result["hits"]
        return hits

    async def _from_observations(
        self, question: Question, hits: list[dict[str, Any]], select: Select
    ) -> Answer | None:
        if question.kind != "number" or not hits or len(split_parts(question.text)) > 1:
            return None
        return await answer_from_observations(question, select, hits, self._entity_forms(question))

    async def _from_relations(
        self, question: Question, select: Select, within: set[str] | None = None
    ) -> Answer | None:
        if question.kind in ("list", "relation", "other") and question.predicates:
            return await answer_from_relations(question, select, self.entity_type, self.surfaces, within)
        return None


def _bridged_response(
    question: Question,
    first: str,
    name: str,
    cited: dict[str, Any],
    then: dict[str, Any],
    entities: list[dict[str, Any]],
) -> dict[str, Any]:
    """The response of a two-hop question: the bridge entity ``name`` (cited by its sentence) as the first
    part, the response ``then`` to the question about it as the rest."""
    first_part = {
        "question": first,
        "answer": name,
        "answered": True,
        "confidence": then["confidence"],
        "type": "name",
        "evidence": [cited],
    }
    then_parts = then["parts"] or [
        {
            "question": then["question"],
            "answer": then["answer"],
            "answered": True,
            "confidence": then["confidence"],
            "type": expected_type(then["question"]),
            "evidence": then["evidence"],
        }
    ]
    return {
        **then,
        "question": question.text,
        "answer": then["answer"] if name in then["answer"] else f"{name}；{then['answer']}",
        "kind": question.kind,
        "parts": [first_part, *then_parts],
        "evidence": [cited, *(e for e in then["evidence"] if e != cited)],
        "entities": entities,
    }


def _states(part: PartAnswer, figure: Answer) -> bool:
    """The observation's sentence is the one the reader chose first, and its figure is in the clause."""
    if not part.evidence or not figure.evidence:
        return False
    first, cited = part.evidence[0], figure.evidence[0]
    return (first.passage, first.start) == (cited.passage, cited.start)


def _fits(text: str, figure: Answer) -> bool:
    """The observation answers the question: the question asks one figure, and the figure is in the unit
    it asks (多少个节点 is not answered by "29个" of 29个省)."""
    if len(_ASKS_FIGURE.findall(text)) > 1 or not figure.facts:
        return False
    fact = figure.facts[0]
    return holds_asked_unit(text, [f"{fact.get('value', '')}{fact.get('unit', '')}"]) is not False


def _supported(part: PartAnswer, graph: Answer, hits: list[dict[str, Any]], listing: bool) -> bool:
    """Whether a relation answer of the graph may stand for the part's answer: the question asks a list
    (each member rests on its own sentence, often beyond the best few), or the search retrieved none of the
    passages stating it (the graph knows what the search missed), or the search ranked a passage stating
    it first (a header line such as "2021年6月29日 深圳市…会议通过" shares no word with the question, so
    the reader ranks it low; round 9, dev +2, none lost), or a sentence stating it is among the part's
    best sentences. Otherwise the question's cue word named the relation by chance ("支持跨节点流量转发"
    read as `supports`)."""
    if listing:
        return True
    retrieved = {h["passage"] for h in hits}
    if not any(e.passage in retrieved for e in graph.evidence):
        return True
    if any(e.passage == hits[0]["passage"] for e in graph.evidence):
        return True
    return any((e.passage, e.start) in part.leading for e in graph.evidence)


def _related(hit: dict[str, Any]) -> dict[str, Any]:
    return {
        "passage": hit["passage"],
        "report": hit["report"],
        "text": hit["text"],
        "start": hit["start"],
        "end": hit["end"],
        "score": hit["score"],
    }
