"""The candidates and features of the relation-pair classifier experiment (bench/relation_model.py):
pairs of mentions of one sentence whose types fit a predicate's domain and range, scored by logistic
regression on general features. Measured on the dev split and dropped (docs/ingest.md, "A learned
relation-pair classifier"): it is not part of ingestion.

A candidate is a pair of mentions of one sentence read as subject–predicate–object, for each predicate whose
(subject type, object type) the pair rules of ``ingest.relations.RULES`` admit. Its features are general:
the type pair, which of the two is the subject, how far apart they stand, the common words between and right
around them, whether a list separator (、) or a clause break lies between, whether either stands in an
enumeration, whether the first opens its clause. Entity names are never features; a word is one only when
jieba's general dictionary knows it (``COMMON_WORD_FREQ``), other words count only by their shape. Each
feature is given once tied to the predicate and once shared by all predicates.

``pair_relations`` states what a trained model finds between pairs the rules leave unrelated, as an
ingest source would (rules win; confidence = probability).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from ingest.document import ExtractedEntity, Mention, Passage, Relation, Sentence
from ingest.relation_rule import RelationRule, between, sentences_with_mentions
from ingest.relations import RULES
from kg.tokenize import Token, WordSegmenter

MODEL_PATTERN = "pair-model"  # Relation.pattern of what the classifier states

# A mention is paired with the next this many mentions of its sentence: on the dev split 88% of the gold
# pairs quoted from one sentence lie within 4 mentions (each further mention adds ~3 gold pairs against
# ~1,000 wrong ones).
MAX_PAIR_REACH = 4
# Pairs further apart than this many characters are not scored: on dev 88% of the quoted gold pairs are
# within 60 characters, the rest spread thinly over long sentences.
MAX_GAP_CHARS = 60
# A word is a feature when jieba's general dictionary counts it at least this often (5 keeps the ordinary
# verbs and function words — 支持, 基于, 应用于, 包括 — and drops names, jargon and odd segmentations).
COMMON_WORD_FREQ = 5
# How many words right before the first mention and right after the second are features.
CONTEXT_WORDS = 2
# Character-gap buckets (upper bounds): the coarse distance feature.
GAP_BUCKETS = (0, 2, 5, 10, 20, 40)
# Other mentions between the pair are counted up to this many.
MAX_BETWEEN_MENTIONS = 3

_LIST_SEPARATOR = re.compile(r"[、/]")
_CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?]")
_BRACKET = re.compile(r"[（(）)《》「」\"“”]")
_ENUMERATION_MARK = re.compile(r"[、/]|和|与|及|或")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9.+\-_ ]*$")
_DIGITS = re.compile(r"^[\d.%％]+$")
_PUNCT = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class Candidate:
    """One pair of mentions of a sentence read as ``subject predicate object``, with its features."""

    subject: Mention
    predicate: str
    object: Mention
    passage: int
    sentence: Sentence
    features: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subject.slug, self.predicate, self.object.slug)


@cache
def signatures() -> Mapping[str, frozenset[tuple[str, str]]]:
    """(subject type, object type) pairs each predicate admits, read off the pair rules' type columns.

    >>> ("Technology", "Industry") in signatures()["usedByIndustry"]
    True
    >>> ("Industry", "Technology") in signatures()["usedByIndustry"]
    False
    """
    pairs: dict[str, set[tuple[str, str]]] = {}
    for rule in RULES:
        subjects, objects = (rule.types_b, rule.types_a) if rule.reverse else (rule.types_a, rule.types_b)
        pairs.setdefault(rule.states.predicate, set()).update((s, o) for s in subjects for o in objects)
    return {predicate: frozenset(p) for predicate, p in sorted(pairs.items())}


@dataclass(frozen=True)
class RelationModel:
    """Feature weights and the probability from which a candidate is stated as a relation."""

    weights: Mapping[str, float]
    threshold: float

    def probability(self, features: Iterable[str]) -> float:
        score = sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def pair_relations(
    passages: tuple[Passage, ...],
    entities: dict[str, ExtractedEntity],
    mentions: tuple[Mention, ...],
    known: Iterable[Relation],
    model: RelationModel,
) -> list[Relation]:
    """The relations the model states at or above its threshold between pairs ``known`` leaves unrelated
    (the rules win: a pair they relate in either direction, by any predicate, is not scored), one per
    (subject, predicate, object) with the sentence of its highest probability; confidence = probability."""
    taken = {frozenset((r.subject, r.object)) for r in known}
    best: dict[tuple[str, str, str], tuple[float, Candidate]] = {}
    for candidate in candidates(passages, entities, mentions):
        if frozenset((candidate.subject.slug, candidate.object.slug)) in taken:
            continue
        p = model.probability(candidate.features)
        if p >= model.threshold and p > best.get(candidate.key, (-1.0, candidate))[0]:
            best[candidate.key] = (p, candidate)
    relations = [_relation(c, p) for p, c in best.values()]
    # one predicate per pair: the likelier (ties: the earlier found)
    by_pair: dict[frozenset[str], Relation] = {}
    for r in relations:
        pair = frozenset((r.subject, r.object))
        if pair not in by_pair or r.confidence > by_pair[pair].confidence:
            by_pair[pair] = r
    return list(by_pair.values())


def _relation(c: Candidate, probability: float) -> Relation:
    rule = RelationRule(name=MODEL_PATTERN, predicate=c.predicate, confidence=round(probability, 3))
    return rule.relate(c.subject, c.object, c.passage, c.sentence)


def candidates(
    passages: tuple[Passage, ...],
    entities: dict[str, ExtractedEntity],
    mentions: tuple[Mention, ...],
    segmenter: WordSegmenter | None = None,
) -> Iterator[Candidate]:
    """Every pair of mentions of a sentence (two distinct entities, within ``MAX_PAIR_REACH`` mentions and
    ``MAX_GAP_CHARS`` characters) read in each direction and by each predicate whose domain and range
    its types fit."""
    segmenter = segmenter or WordSegmenter.shared()
    for passage, sentence, found in sentences_with_mentions(passages, mentions):
        if len(found) < 2:
            continue
        reading = _Reading(sentence, found, segmenter.words(sentence.text), segmenter, entities)
        for i, a in enumerate(found):
            for j in range(i + 1, min(i + 1 + MAX_PAIR_REACH, len(found))):
                b = found[j]
                if a.slug != b.slug and a.end <= b.start <= a.end + MAX_GAP_CHARS:
                    shared = reading.pair_features(i, j)
                    for subject, predicate, obj, features in _readings(a, b, shared, entities):
                        yield Candidate(subject, predicate, obj, passage.n, sentence, features)


def _readings(
    a: Mention, b: Mention, shared: list[str], entities: dict[str, ExtractedEntity]
) -> Iterator[tuple[Mention, str, Mention, tuple[str, ...]]]:
    """(subject, predicate, object, features) for each predicate and direction the pair's types fit."""
    for predicate, allowed in signatures().items():
        for subject, obj, way in ((a, b, ">"), (b, a, "<")):
            ts, to = entities[subject.slug].type, entities[obj.slug].type
            if (ts, to) in allowed:
                key = f"{predicate}{way}"  # > the subject comes first in the sentence, < second
                features = (
                    key,
                    f"{key}|types:{ts}>{to}",
                    *(f"{predicate}|{f}" for f in shared),
                    *(f"*|{f}" for f in shared),
                )
                yield subject, predicate, obj, features


@dataclass(frozen=True)
class _Reading:
    """One sentence's words and mentions, from which the features of each of its pairs are read."""

    sentence: Sentence
    found: list[Mention]
    words: list[Token]
    segmenter: WordSegmenter
    entities: dict[str, ExtractedEntity]

    def _word(self, token: Token) -> str:
        """A word as a feature: itself when common, else its shape (Latin, number, punctuation, rare)."""
        text = token.text
        if _PUNCT.match(text):
            return text
        if _DIGITS.match(text):
            return "<num>"
        if _LATIN.match(text):
            return "<latin>"
        if self.segmenter.word_frequency(text) >= COMMON_WORD_FREQ:
            return text
        return "<rare>"

    def _words_in(self, start: int, end: int) -> list[str]:
        """The words between two document offsets; a mention there stands as its type."""
        base = self.sentence.start
        out: list[str] = []
        inside = [m for m in self.found if start <= m.start and m.end <= end]
        for token in self.words:
            lo, hi = token.start + base, token.end + base
            if lo < start or hi > end:
                continue
            covering = next((m for m in inside if m.start <= lo and hi <= m.end), None)
            if covering is not None:
                label = f"<{self.entities[covering.slug].type}>"
                if not out or out[-1] != label:
                    out.append(label)
            else:
                out.append(self._word(token))
        return out

    def pair_features(self, i: int, j: int) -> list[str]:
        a, b = self.found[i], self.found[j]
        gap = between(self.sentence, a.end, b.start)
        squeezed = "".join(gap.split())
        inside = self._words_in(a.end, b.start)
        before = self._words_in(self.sentence.start, a.start)[-CONTEXT_WORDS:]
        after = self._words_in(b.end, self.sentence.end)[:CONTEXT_WORDS]
        features = [
            f"gap:{next((k for k, top in enumerate(GAP_BUCKETS) if len(squeezed) <= top), len(GAP_BUCKETS))}",
            f"mentions-between:{min(j - i - 1, MAX_BETWEEN_MENTIONS)}",
        ]
        features += [f"w:{w}" for w in sorted(set(inside))]
        if inside:
            features += [f"first:{inside[0]}", f"last:{inside[-1]}"]
        features += [f"pre{k}:{w}" for k, w in enumerate(reversed(before))]
        features += [f"post{k}:{w}" for k, w in enumerate(after)]
        marks = (
            ("separator", _LIST_SEPARATOR.search(squeezed)),
            ("clause-break", _CLAUSE_BREAK.search(squeezed)),
            ("bracket", _BRACKET.search(squeezed)),
            ("adjacent", not squeezed),
            ("a-listed", self._listed(a)),
            ("b-listed", self._listed(b)),
            ("a-opens-clause", self._opens_clause(a)),
        )
        features += [name for name, present in marks if present]
        return features

    def _listed(self, m: Mention) -> bool:
        """The mention stands in an enumeration: a separator or 和/与/及 right before or after it."""
        before = "".join(between(self.sentence, self.sentence.start, m.start).split())[-1:]
        after = "".join(between(self.sentence, m.end, self.sentence.end).split())[:1]
        return bool(_ENUMERATION_MARK.fullmatch(before) or _ENUMERATION_MARK.fullmatch(after))

    def _opens_clause(self, m: Mention) -> bool:
        """Nothing but a bullet or a couple of characters between the clause's start and the mention."""
        lead = between(self.sentence, self.sentence.start, m.start)
        cut = max(lead.rfind(c) for c in "，,；;：:")
        return len(lead[cut + 1 :].strip(" -*•")) <= 2
