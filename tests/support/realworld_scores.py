"""Scoring rules of the real-world benches: passage relevance by evidence quote, list members, the naive
baseline's sentence, coarse entity types, and facts with their years.

>>> quote_in_passage("容器的**启动速度**快", "容器的启动速度快")
True
>>> member_scores(["金融", "电信"], "金融、政务")
MemberScore(found=1, members=2, matched_items=1, items=2)
>>> best_sentence("哪些行业采用了容器？", ["容器很轻。金融行业采用了容器。"])
(0, '金融行业采用了容器。')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

from ingest.markup import strip_markup_text
from ingest.pipeline import Extraction
from kg.lexicon import Lexicon
from kg.qa.evaluation import fold_text
from kg.qa.sentences import split_sentences

__all__ = [
    "COARSE_TYPE",
    "YEAR_KINDS",
    "FactScore",
    "MemberScore",
    "answer_items",
    "best_sentence",
    "char_bigrams",
    "member_scores",
    "quote_in_passage",
    "score_facts_and_years",
    "type_accuracy",
]

# A quote that runs across a passage boundary still makes a passage relevant when the passage holds at
# least this share of it without a break.
SPLIT_QUOTE_SHARE = 0.5
# How a list answer is cut into its items when the response gives no structured members.
_ITEM_SEPARATORS = re.compile(r"[、，,；;]")

YEAR_KINDS = ("stated", "implied", "none")  # how a gold fact gives its year
COARSE_TYPE = {
    "Vendor": "organisation",
    "Organization": "organisation",
    "Technology": "technology/concept/product",
    "Concept": "technology/concept/product",
    "Product": "technology/concept/product",
    "Industry": "industry",
    "Policy": "policy",
}


def quote_in_passage(passage: str, quote: str) -> bool:
    """The passage holds the quote (case, blanks and Markdown emphasis ignored), or, for a quote cut by
    a passage boundary, at least half of it in one piece.

    >>> quote_in_passage("……市场规模达到15.2亿元", "市场规模达到15.2亿元，到2025年将会超过60亿元。")
    False
    >>> quote_in_passage("……基于容器的私有云平台规模达到15.2亿元", "私有云平台规模达到15.2亿元，增速快")
    True
    """
    # the gold quotes the text as read; passages are the stored text, which has its markup removed
    p, q = fold_text(passage), fold_text(strip_markup_text(quote))
    if not q:
        return False
    if q in p:
        return True
    match = SequenceMatcher(None, q, p, autojunk=False).find_longest_match(0, len(q), 0, len(p))
    return match.size >= SPLIT_QUOTE_SHARE * len(q)


@dataclass(frozen=True)
class MemberScore:
    found: int  # gold members that the answer names
    members: int
    matched_items: int  # items of the answer that name a gold member
    items: int


def answer_items(response: dict[str, Any]) -> list[str]:
    """The items a list answer gives: the response's structured members if it has any, else the answer
    cut at 、，,；."""
    items = response.get("items")
    if isinstance(items, list) and items:
        return [str(i) for i in items]
    return [s.strip(" 。.") for s in _ITEM_SEPARATORS.split(response.get("answer", "")) if s.strip(" 。.")]


def _names(item: str, member: str) -> bool:
    a, b = fold_text(item), fold_text(member)
    return bool(a and b) and (b in a or a in b)


def member_scores(members: Sequence[str], answer: str | dict[str, Any]) -> MemberScore:
    """Members found in the answer (recall) and answer items that are members (precision)."""
    response = {"answer": answer} if isinstance(answer, str) else answer
    folded = fold_text(response.get("answer", ""))
    items = answer_items(response)
    return MemberScore(
        found=sum(1 for m in members if fold_text(m) and fold_text(m) in folded),
        members=len(members),
        matched_items=sum(1 for i in items if any(_names(i, m) for m in members)),
        items=len(items),
    )


def char_bigrams(text: str) -> set[str]:
    folded = fold_text(text)
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def best_sentence(question: str, passages: Sequence[str]) -> tuple[int, str] | None:
    """The naive baseline: among the sentences of the passages, the one sharing the most character
    bigrams with the question (earlier passages and sentences win ties); (passage index, sentence)."""
    wanted = char_bigrams(question)
    best: tuple[int, int, str] | None = None
    for n, passage in enumerate(passages):
        for sentence in split_sentences(passage, 0):
            shared = len(wanted & char_bigrams(sentence.text))
            if best is None or shared > best[0]:
                best = (shared, n, sentence.text)
    return (best[1], best[2]) if best else None


def type_accuracy(ex: Extraction, gold: list[dict[str, Any]], lexicon: Lexicon) -> tuple[int, int, int]:
    """Gold entities found under any type, and of those how many carry the right coarse type and the
    right exact type: (matched, coarse right, exact right)."""
    from .devset import _entity_forms, _gold_forms

    forms = _entity_forms(ex, lexicon)
    matched = coarse = exact = 0
    for g in gold:
        wanted = _gold_forms(g)
        types = {ex.entities[slug].type for slug in ex.entities if forms[slug] & wanted}
        if not types:
            continue
        matched += 1
        coarse += any(COARSE_TYPE.get(t) == COARSE_TYPE.get(g["type"]) for t in types)
        exact += g["type"] in types
    return matched, coarse, exact


@dataclass
class FactScore:
    """Facts matched on value, range end and unit; of the found ones, those with the right year, also
    counted apart by how the gold gives the year: stated in the sentence, resolved from a relative
    expression (目前, 今年 …), or none at all. ``by_year`` maps each of those to [found, year right]."""

    pred: int = 0
    gold: int = 0
    found: int = 0
    year_right: int = 0
    by_year: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in YEAR_KINDS})
    missed: list[str] = field(default_factory=list)  # gold facts not found: value unit (year) «quote»
    spurious: list[str] = field(default_factory=list)  # predicted facts matching no gold fact, in context
    wrong_year: list[str] = field(default_factory=list)  # found facts whose year differs from the gold's

    def add(self, other: FactScore) -> None:
        self.missed += other.missed
        self.spurious += other.spurious
        self.wrong_year += other.wrong_year
        self.pred += other.pred
        self.gold += other.gold
        self.found += other.found
        self.year_right += other.year_right
        for kind, (found, right) in other.by_year.items():
            self.by_year[kind][0] += found
            self.by_year[kind][1] += right


def _value_key(value: Decimal, value_max: Decimal | None, unit: str) -> tuple[Decimal, Decimal | None, str]:
    return (value.normalize(), value_max.normalize() if value_max is not None else None, unit)


def _shown(value: Any, value_max: Any, unit: str, year: int | None) -> str:
    span = f"{value}-{value_max}" if value_max not in (None, "") else f"{value}"
    return f"{span} {unit}" + (f" ({year})" if year is not None else "")


# characters of text shown either side of a spurious fact in the error listing
_CONTEXT_CHARS = 15


def _in_context(ex: Extraction, n: int) -> str:
    """Predicted fact ``n`` (value unit (year)) with the text around it, for the error listing."""
    fact = ex.facts[n]
    passage = next((p for p in ex.passages if p.n == fact.passage), None)
    shown = _shown(fact.value, fact.value_max, fact.unit, fact.year)
    if passage is None:
        return shown
    a, b = fact.start - passage.start, fact.end - passage.start
    around = passage.text[max(0, a - _CONTEXT_CHARS) : a] + "[" + passage.text[a:b] + "]"
    around += passage.text[b : b + _CONTEXT_CHARS]
    return f"{shown} «{' '.join(around.split())}»"


def score_facts_and_years(ex: Extraction, gold: list[dict[str, Any]]) -> FactScore:
    """Each gold fact takes one unused predicted fact with the same value, range end and unit, one with
    the same year first. The misses, the spurious facts and the wrong years are listed on the score."""
    remaining = [(_value_key(f.value, f.value_max, f.unit), f.year, n) for n, f in enumerate(ex.facts)]
    score = FactScore(pred=len(remaining), gold=len(gold))
    for g in gold:
        key = _value_key(
            Decimal(str(g["value"])),
            Decimal(str(g["value_max"])) if g.get("value_max") not in (None, "") else None,
            g["unit"],
        )
        shown = _shown(g["value"], g.get("value_max"), g["unit"], g.get("year"))
        candidates = [i for i, (k, _, _) in enumerate(remaining) if k == key]
        if not candidates:
            score.missed.append(f"{shown} «{g.get('quote', '')}»")
            continue
        same_year = [i for i in candidates if remaining[i][1] == g.get("year")]
        chosen = (same_year or candidates)[0]
        right = bool(same_year)
        if not right:
            score.wrong_year.append(f"{shown}, found year {remaining[chosen][1]} «{g.get('quote', '')}»")
        remaining.pop(chosen)
        kind = "none" if g.get("year") is None else "stated" if g.get("year_stated", True) else "implied"
        score.found += 1
        score.year_right += right
        score.by_year[kind][0] += 1
        score.by_year[kind][1] += right
    score.spurious = [_in_context(ex, n) for _, _, n in remaining]
    return score
