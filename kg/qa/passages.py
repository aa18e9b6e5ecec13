"""Questions answered from passages: the retrieved passages are cut into sentences and the sentence that
covers the question (its words, the entities it names, the cue of its kind) is the answer.

A sentence answers only when it covers enough of the question: most of its content words and every
entity it names. Otherwise the reports are said not to answer, rather than returning the nearest sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.qa.evidence import Answer, Evidence
from kg.qa.question import RELATION_CUES, Question
from kg.qa.sentences import Sentence, clean_markup, split_sentences, term_coverage
from kg.surface_matcher import SurfaceMatcher

__all__ = ["MIN_COVERAGE", "STRICT_COVERAGE", "answer_from_passages"]

STRICT_COVERAGE = 0.75  # the same, when an entity it names is only elsewhere in the passage
MIN_COVERAGE = (
    0.6  # share of the question's content words a sentence must hold (calibrated on tests/data/qa_set.json)
)

_KIND_CUES = {
    "definition": re.compile(
        r"是一种|是指|指的是|即|是.{0,20}(架构|模式|实践|理念|方法|技术|产品|形态|项目)|代表"
    ),
    "why": re.compile(r"由于|因为|有助于|能够|为了|原因|帮助|提高|降低|优势|需求|压力|挑战|看重"),
    "how": re.compile(r"通过|借助|利用|采用|方式|途径|引入|部署|实现"),
    "comparison": re.compile(r"相比|相较|较|更|而|对比|优于|不如"),
}
# Question words that carry no content for matching a sentence.
_QUESTION_WORDS = re.compile(
    r"^(什么|为什么|为何|如何|怎样|怎么|哪些|哪|哪个|哪家|谁|多少|是否|主要|采用|有|介绍|请问|"
    r"区别|不同|比较|对比|相比|特点|优势|劣势|原因|含义|定义|what|why|how|which|who|is|are|the|of|does|do|in|for|a|an)$"
)


@dataclass(frozen=True)
class _Candidate:
    score: float
    coverage: float
    entities: float
    sentence: Sentence
    hit: dict[str, Any]
    rank: int


def _content_terms(question: Question) -> list[str]:
    terms = [t for t in question.terms if not _QUESTION_WORDS.match(t)]
    if question.kind in ("relation", "list"):
        # the relation is checked by its cue; the type noun by the members found
        terms = [t for t in terms if t != question.target_noun.casefold()]
    return terms + question.hints


def _entity_share(sentence: str, passage: str, entity_forms: dict[str, list[str]]) -> float:
    """1 when the sentence names every entity of the question; entities only elsewhere in the passage
    count half; 0 when one is missing from the passage."""
    if not entity_forms:
        return 1.0
    total = 0.0
    for forms in entity_forms.values():
        if any(f.casefold() in sentence.casefold() for f in forms):
            total += 1.0
        elif any(f.casefold() in passage.casefold() for f in forms):
            total += 0.5
        else:
            return 0.0
    return total / len(entity_forms)


def _relation_cue(question: Question, sentence: str) -> bool:
    cues = dict(RELATION_CUES)
    return any(cues[p].search(sentence) for p in question.predicates if p in cues)


def _candidates(
    question: Question, hits: list[dict[str, Any]], entity_forms: dict[str, list[str]]
) -> list[_Candidate]:
    terms = _content_terms(question)
    out = []
    for rank, hit in enumerate(hits):
        for sentence in split_sentences(hit["text"], int(hit["start"])):
            coverage = term_coverage(terms, sentence.text) if terms else 0.0
            entities = _entity_share(sentence.text, hit["text"], entity_forms)
            cue = _KIND_CUES.get(question.kind)
            bonus = 0.25 if cue is not None and cue.search(sentence.text) else 0.0
            if (
                question.kind in ("relation", "list")
                and question.predicates
                and _relation_cue(question, sentence.text)
            ):
                bonus += 0.25
            score = coverage + 0.8 * entities + bonus - 0.03 * rank
            out.append(_Candidate(score, coverage, entities, sentence, hit, rank))
    out.sort(key=lambda c: -c.score)
    return out


def _acceptable(question: Question, c: _Candidate, entity_forms: dict[str, list[str]]) -> bool:
    if question.english and question.kind not in ("definition", "other"):
        return False  # English questions are answered from the graph, or for definitions
    if c.entities <= 0.0:
        return False
    if c.entities < 1.0 and c.coverage < STRICT_COVERAGE:
        return False
    if c.coverage < MIN_COVERAGE and not (question.english and c.entities >= 1.0 and c.coverage >= 0.3):
        return False
    if question.kind == "relation" and not question.predicates:
        return False  # a relation we cannot name is not looked for in sentences
    if question.kind == "number" and not re.search(r"\d", c.sentence.text):
        return False
    if question.kind == "relation" and question.predicates and not _relation_cue(question, c.sentence.text):
        return False
    if question.kind == "number" and any(str(y) not in c.sentence.text for y in question.years):
        return False
    if question.kind == "definition":
        return any(_defines(form, c.sentence.text) for forms in entity_forms.values() for form in forms)
    return True


def _defines(form: str, sentence: str) -> bool:
    """``sentence`` says what ``form`` is: 'FinOps（云财务运营）是一种…', 'X是指…', 'X，即…'."""
    pattern = (
        re.escape(form) + r"\s*(（[^）]{0,30}）|\([^)]{0,30}\))?\s*(，|,)?\s*(是一种|是指|指的是|是|即|代表)"
    )
    return re.search(pattern, sentence, re.I) is not None


def _members(
    question: Question, sentence: str, matcher: SurfaceMatcher, entity_type: Callable[[str], str | None]
) -> list[str]:
    """Entities of the wanted type a list sentence names, as written (金融、能源、政务 …)."""
    named = set(question.slugs)
    members = []
    for match in matcher.find(sentence):
        if match.contextual or match.slug in named:
            continue
        if not question.target_types or entity_type(match.slug) in question.target_types:
            members.append(match.surface)
    return list(dict.fromkeys(members))


def answer_from_passages(
    question: Question,
    hits: list[dict[str, Any]],
    entity_forms: dict[str, list[str]],
    matcher: SurfaceMatcher,
    entity_type: Callable[[str], str | None],
) -> Answer | None:
    """The sentence (or, for a list, the members it names) that answers the question, or None."""
    candidates = _candidates(question, hits, entity_forms)[:30]
    if question.kind == "list" and question.target_types:
        # a list is answered by a sentence naming several members of the wanted type
        listed = []
        for c in candidates:
            members = _members(question, c.sentence.text, matcher, entity_type)
            if len(members) >= 2 and _acceptable(question, c, entity_forms):
                listed.append((c.score + 0.1 * min(len(members), 5), c, members))
        if not listed:
            return None
        _, best, members = max(listed, key=lambda t: t[0])
        evidence = Evidence(
            best.hit["passage"],
            best.hit["report"],
            best.sentence.text,
            best.sentence.start,
            best.sentence.end,
        )
        return Answer("、".join(members), True, "passages", [evidence], items=members, score=best.score)
    for c in candidates:
        if _acceptable(question, c, entity_forms):
            evidence = Evidence(
                c.hit["passage"], c.hit["report"], c.sentence.text, c.sentence.start, c.sentence.end
            )
            return Answer(clean_markup(c.sentence.text), True, "passages", [evidence], score=c.score)
    return None
