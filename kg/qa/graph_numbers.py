"""Number questions answered from ``cnkg:Observation``s: the figure, its unit, year and qualifier, and the
sentence it was read from.

The passages retrieved for the question bound the search; among their observations the one whose unit
fits the measure asked (规模 → 亿元, 增速/CAGR → %, 占比 → % or 成 …), whose year is the year asked, and
whose sentence covers the question's words and entities wins. Nothing fits → no graph answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kg.qa.evidence import Answer, Evidence
from kg.qa.question import Question
from kg.qa.sentences import Sentence, sentence_at, term_coverage
from kg.qa.source import Select
from kg.sparql.resources import iri_term

__all__ = ["WEIGHTS", "ObservationWeights", "answer_from_observations"]

_QUALIFIER_WORDS = {">": "超过", ">=": "不少于", "<": "不到", "<=": "不超过", "≈": "约", "=": "", "range": ""}
# Words that say what is measured, not what it is about: they do not count as topic words.
_MEASURE_WORDS = re.compile(
    r"^(市场|规模|市场规模|多少|预计|增速|增长|增长率|复合|复合增长率|cagr|比例|占比|份额|几成|达到|"
    r"中国|我国|国内|年|未来|size|market|growth|rate|share|expected|forecast|china|what|much)$"
)
_MEASURE_CUES = {
    "cagr": re.compile(r"CAGR|复合增长", re.I),
    "growth": re.compile(r"增长|增速|增幅|同比", re.I),
    "share": re.compile(r"占|比例|份额|覆盖|渗透|成"),
    "size": re.compile(r"规模|收入|市场"),
    "count": re.compile(r"企业|家|个|数"),
    "times": re.compile(r"倍"),
}


@dataclass(frozen=True)
class ObservationWeights:
    """How well an observation answers a number question: the parts of its score and the bars it must pass."""

    entity_in_clause: float = 1.3  # a named entity stands right where the figure is
    entity_in_sentence: float = 1.0
    entity_in_window: float = 0.6  # in the sentence before
    context_share: float = 0.8  # the passage's cover of the topic counts this much of the sentence's
    min_coverage: float = 0.5  # below this topic cover (and entity score) the observation is off topic
    min_entity_score: float = 0.9
    measure_in_clause: float = 0.6  # the measure's cue word (规模, 增速 …) in the clause of the figure
    measure_in_sentence: float = 0.2
    cagr_for_growth: float = 0.3  # a CAGR figure answering a plain growth question is marked down
    year_in_clause: float = 0.3
    entity: float = 1.5  # weights of the final sum
    context: float = 0.5
    rank: float = 0.05  # per place of the passage in the retrieved list
    min_topic_word: int = 2  # shorter topic words need not all be present


WEIGHTS = ObservationWeights()


@dataclass(frozen=True)
class _Observation:
    iri: str
    passage: str
    report: str
    value: str
    value_max: str | None
    unit: str
    qualifier: str
    year: int | None
    metric: str
    start: int
    end: int
    surface: str
    sentence: Sentence
    passage_text: str
    passage_start: int
    rank: int

    def to_fact(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "metric": self.metric,
            "value": self.value,
            "valueMax": self.value_max,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "year": self.year,
            "passage": self.passage,
            "report": self.report,
        }


async def _observations(select: Select, hits: list[dict[str, Any]]) -> list[_Observation]:
    if not hits:
        return []
    by_passage = {hit["passage"]: (rank, hit) for rank, hit in enumerate(hits)}
    values = " ".join(iri_term(p) for p in by_passage)
    rows = await select(
        f"""SELECT ?f ?passage ?value ?max ?unit ?qual ?year ?metric ?start ?end WHERE {{
  VALUES ?passage {{ {values} }}
  ?f prov:wasDerivedFrom ?passage ; a cnkg:Observation ; cnkg:value ?value ; cnkg:unit ?unit ;
     cnkg:start ?start ; cnkg:end ?end .
  OPTIONAL {{ ?f cnkg:qualifier ?qual }} OPTIONAL {{ ?f cnkg:valueMax ?max }}
  OPTIONAL {{ ?f cnkg:year ?year }} OPTIONAL {{ ?f cnkg:metric ?metric }}
}}"""
    )
    out = []
    for row in rows:
        rank, hit = by_passage[row["passage"]["value"]]
        start, end = int(row["start"]["value"]), int(row["end"]["value"])
        text, offset = hit["text"], int(hit["start"])
        out.append(
            _Observation(
                iri=row["f"]["value"],
                passage=hit["passage"],
                report=hit["report"],
                value=row["value"]["value"],
                value_max=row.get("max", {}).get("value"),
                unit=row["unit"]["value"],
                qualifier=row.get("qual", {}).get("value", "="),
                year=int(row["year"]["value"][:4]) if "year" in row else None,
                metric=row.get("metric", {}).get("value", ""),
                start=start,
                end=end,
                surface=text[start - offset : end - offset],
                sentence=sentence_at(text, offset, start, end),
                passage_text=text,
                passage_start=offset,
                rank=rank,
            )
        )
    return out


def _clause(obs: _Observation) -> str:
    """The words of the sentence that lead up to the figure (from the previous comma on)."""
    s = obs.sentence
    upto = s.text[: obs.start - s.start]
    cut = max(upto.rfind(c) for c in "，,；;：:。、")
    return upto[cut + 1 :]


def _previous_sentence(obs: _Observation) -> str:
    """The sentence before the figure's sentence in its passage ('' for the first one)."""
    head = obs.passage_text[: obs.sentence.start - obs.passage_start].rstrip()
    body = head.rstrip("。！？!?；;")
    cut = max(body.rfind(c) for c in "。！？!?；;\n")
    return head[cut + 1 :]


def _score(question: Question, obs: _Observation, entity_forms: dict[str, list[str]]) -> float | None:
    """How well an observation answers the question; None when it cannot (wrong unit, year, topic)."""
    if question.units and obs.unit not in question.units:
        return None
    sentence, clause = obs.sentence.text, _clause(obs)
    if question.years:
        year_words = [str(y) for y in question.years]
        if obs.year not in question.years and not any(y in clause for y in year_words):
            return None
    elif obs.unit == "N":
        return None  # sample sizes answer only questions about them
    topic = question.hints if question.english else question.terms
    topic = [t for t in topic if not _MEASURE_WORDS.match(t)]
    entity_score = 0.0
    window = _previous_sentence(obs) + sentence
    for forms in entity_forms.values():
        if any(f.casefold() in clause.casefold() for f in forms):
            entity_score += WEIGHTS.entity_in_clause
        elif any(f.casefold() in sentence.casefold() for f in forms):
            entity_score += WEIGHTS.entity_in_sentence
        elif any(f.casefold() in window.casefold() for f in forms):
            entity_score += WEIGHTS.entity_in_window
        else:
            return None  # an entity the question names is not where the figure is
    if entity_forms:
        entity_score /= len(entity_forms)
    if not entity_forms and any(
        term_coverage([t], window) == 0.0 for t in topic if len(t) >= WEIGHTS.min_topic_word
    ):
        return None  # no entity to anchor the figure: every topic word must be there (量子计算 ≠ 云计算)
    coverage = term_coverage(topic, sentence) if topic else entity_score
    context = term_coverage(topic, obs.passage_text) if topic else entity_score
    if (
        max(coverage, context * WEIGHTS.context_share) < WEIGHTS.min_coverage
        and entity_score < WEIGHTS.min_entity_score
    ):
        return None
    cue = _MEASURE_CUES.get(question.measure or "")
    measure_bonus = 0.0
    if cue is not None:
        if cue.search(clause):
            measure_bonus = WEIGHTS.measure_in_clause
        elif cue.search(sentence):
            measure_bonus = WEIGHTS.measure_in_sentence
        elif question.measure in ("cagr", "growth"):
            return None
    if question.measure == "growth" and not re.search(r"CAGR|复合", question.text, re.I):
        measure_bonus -= WEIGHTS.cagr_for_growth if re.search(r"CAGR|复合", clause, re.I) else 0.0
    year_bonus = (
        WEIGHTS.year_in_clause if question.years and any(str(y) in clause for y in question.years) else 0.0
    )
    return (
        WEIGHTS.entity * entity_score
        + coverage
        + WEIGHTS.context * context
        + measure_bonus
        + year_bonus
        - WEIGHTS.rank * obs.rank
    )


def _display(obs: _Observation) -> str:
    prefix = _QUALIFIER_WORDS.get(obs.qualifier, "")
    return f"{prefix}{obs.surface.replace('*', '')}" + (f"（{obs.year}年）" if obs.year else "")


async def answer_from_observations(
    question: Question, select: Select, hits: list[dict[str, Any]], entity_forms: dict[str, list[str]]
) -> Answer | None:
    """The best-fitting observation among the retrieved passages, or None."""
    scored = []
    for obs in await _observations(select, hits):
        score = _score(question, obs, entity_forms)
        if score is not None:
            scored.append((score, obs))
    if not scored:
        return None
    scored.sort(key=lambda pair: (-pair[0], pair[1].rank, pair[1].start))
    score, best = scored[0]
    evidence = Evidence(best.passage, best.report, best.sentence.text, best.sentence.start, best.sentence.end)
    return Answer(_display(best), True, "graph", [evidence], [best.to_fact()], score=score)
