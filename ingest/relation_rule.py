"""The record every relation rule shares: what it states and how sure it is; and the sentence helpers
the rule modules share (the text between two offsets or two neighbouring mentions, the mentions of each
sentence, the mentions a cue stands before) and how close to its sentence's or clause's start a subject
stands (``TOPIC_LEAD``, ``SUBJECT_LEAD``).

The pairwise rules of ``ingest.relations``, the clause rules of ``ingest.relation_cues`` and the list
rules of ``ingest.relation_lists`` each name their rules with a ``RelationRule``; its confidences were
chosen on the dev split of the real-world corpus.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingest.document import Mention, Passage, Relation, Sentence
from kg.namespaces import NAMED_TECHNICAL_TYPES, ORG_TYPES, TECHNICAL_TYPES  # the entity types the rules name

__all__ = [
    "LABEL_WORD",
    "LIST_CONTINUATION_DISCOUNT",
    "NAMED_TECHNICAL_TYPES",
    "ORG_TYPES",
    "RUN_VERB",
    "SUBJECT_LEAD",
    "TECHNICAL_TYPES",
    "TOPIC_LEAD",
    "WORKLOAD_LIST_END",
    "WRITTEN_YEAR_MONTH",
    "YEAR_MONTH",
    "RelationRule",
    "TypeOf",
    "between",
    "clause_subjects",
    "cued_mentions",
    "mentions_in",
    "neighbours",
    "rule_row",
    "sentences_with_mentions",
]

TypeOf = Callable[[Mention], str]  # the type of a mention's entity

# A relation carried over to the next items of a list (A、B及C) is a little less sure than the first.
LIST_CONTINUATION_DISCOUNT = 0.05
# Where a subject stands (characters), for the rules that find one in the sentence (a list's topic, a
# carried-over subject): a sentence's topic this close to its start (after '- ', 作为, 目前，…), and a name
# that opens a later clause this close to the clause break (则, 而, 也).
TOPIC_LEAD = 10
SUBJECT_LEAD = 2
# A date before a verb, as a regex fragment: a year and perhaps a month, spaced or not (2020 年 4 月), and
# as the rules fitted on dates written without spaces read it (2014年3月).
YEAR_MONTH = r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?"
WRITTEN_YEAR_MONTH = r"\d{4}年(?:\d{1,2}月)?"
# what follows a name that is a word of a bullet's label, not a subject (- 完整的 Kubernetes 工作负载支持：…):
# more words, then a colon
LABEL_WORD = re.compile(r"\s*[^，,；;：:\s][^，,；;：:]*[：:]")
# what a scheduler or runtime does to what it runs (调度 A、B 等作业), as a regex fragment, and what closes
# the list of what it runs: 等 and the kind of workload (a bare name after the verb may be what schedules)
RUN_VERB = r"(?:调度|运行|编排)(?:了)?"
WORKLOAD_LIST_END = re.compile(r"\s*等[^，。；]{0,8}?(?:工作负载|负载|作业|任务|应用|框架)")


@dataclass(frozen=True)
class RelationRule:
    """One rule: its name (recorded as ``Relation.pattern``), the predicate it states, its confidence.

    >>> rule = RelationRule(name="vendor-product", predicate="offers", confidence=0.85)
    >>> vendor = Mention(slug="aliyun", passage=0, start=0, end=3, surface="阿里云")
    >>> product = Mention(slug="ack", passage=0, start=3, end=6, surface="ACK")
    >>> sentence = Sentence(start=0, end=7, text="阿里云ACK。")
    >>> relation = rule.relate(vendor, product, 0, sentence)
    >>> relation.subject, relation.predicate, relation.object, relation.confidence, relation.pattern
    ('aliyun', 'offers', 'ack', 0.85, 'vendor-product')
    >>> rule.continued().name, round(rule.continued().confidence, 2)
    ('vendor-product+list', 0.8)
    """

    name: str
    predicate: str  # local name in the cnkg ontology, or "broader" for skos:broader
    confidence: float

    def relate(self, subject: Mention, obj: Mention, passage: int, sentence: Sentence) -> Relation:
        """The relation this rule states between two mentions, with the sentence as its evidence."""
        return Relation(
            subject=subject.slug,
            predicate=self.predicate,
            object=obj.slug,
            passage=passage,
            start=sentence.start,
            end=sentence.end,
            confidence=self.confidence,
            pattern=self.name,
        )

    def continued(self) -> RelationRule:
        """The same rule applied to the further items of a list after the first pair."""
        return RelationRule(
            name=self.name + "+list",
            predicate=self.predicate,
            confidence=self.confidence - LIST_CONTINUATION_DISCOUNT,
        )


def rule_row(name: str, predicate: str, confidence: float) -> RelationRule:
    """One row of a rule table (name, predicate, confidence), so that a table of rules reads one rule a line.

    >>> rule_row("offer-list", "offers", 0.8)
    RelationRule(name='offer-list', predicate='offers', confidence=0.8)
    """
    return RelationRule(name=name, predicate=predicate, confidence=confidence)


def between(sentence: Sentence, a: int, b: int) -> str:
    """The sentence's text from document offset ``a`` to ``b``.

    >>> between(Sentence(start=10, end=17, text="阿里云推出ACK"), 13, 15)
    '推出'
    """
    return sentence.text[a - sentence.start : b - sentence.start]


def neighbours(sentence: Sentence, found: list[Mention]) -> Iterator[tuple[int, Mention, Mention, str]]:
    """(i, mention i, mention i + 1, the text between them) for each mention of ``found`` and the next.

    >>> sentence = Sentence(start=0, end=19, text="Volcano基于Kubernetes")
    >>> found = [Mention("volcano", 0, 0, 7, "Volcano"), Mention("kubernetes", 0, 9, 19, "Kubernetes")]
    >>> [(i, a.slug, b.slug, gap) for i, a, b, gap in neighbours(sentence, found)]
    [(0, 'volcano', 'kubernetes', '基于')]
    """
    for i, (a, b) in enumerate(itertools.pairwise(found)):
        yield i, a, b, between(sentence, a.end, b.start)


def mentions_in(sentence: Sentence, mentions: list[Mention]) -> list[Mention]:
    """The mentions (of the sentence's passage, in order) that stand within the sentence."""
    return [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]


def sentences_with_mentions(
    passages: tuple[Passage, ...], mentions: tuple[Mention, ...]
) -> Iterator[tuple[Passage, Sentence, list[Mention]]]:
    """Each sentence of each passage, with the mentions that stand within it, in order."""
    by_passage: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_passage.setdefault(mention.passage, []).append(mention)
    for passage in passages:
        in_passage = by_passage.get(passage.n, [])
        for sentence in passage.sentences:
            yield passage, sentence, mentions_in(sentence, in_passage)


def cued_mentions(
    sentence: Sentence, found: list[Mention], cue: re.Pattern[str], types: frozenset[str], type_of: TypeOf
) -> Iterator[tuple[int, Mention]]:
    """(index, mention) for each mention of ``found`` of ``types`` whose sentence text before it ``cue``
    finds (a cue such as 基于 that ends right before the name, when ``cue`` is anchored with ``$``).

    >>> sentence = Sentence(start=0, end=19, text="Volcano基于Kubernetes")
    >>> found = [Mention("volcano", 0, 0, 7, "Volcano"), Mention("kubernetes", 0, 9, 19, "Kubernetes")]
    >>> cued = cued_mentions(sentence, found, re.compile("基于$"), TECHNICAL_TYPES, lambda m: "Technology")
    >>> [(i, m.slug) for i, m in cued]
    [(1, 'kubernetes')]
    """
    for i, m in enumerate(found):
        if type_of(m) in types and cue.search(between(sentence, sentence.start, m.start)):
            yield i, m


# a verb or preposition before a name makes it an object (- 利用Kubernetes部署…, - 适用于AI的…网络)
_NOT_TOPIC_LEAD = re.compile(r"支持|兼容|对|在|通过|使用|基于|将|与|和|利用|采用|引入|集成|提供|适用")


def clause_subjects(sentence: Sentence, found: list[Mention]) -> list[Mention]:
    """Mentions that open the sentence or a clause of it (a few characters in, no verb or preposition
    before them): the subjects a later clause may leave out or name again with 其/它.

    >>> sentence = Sentence(start=0, end=22, text="目前，Volcano在调度方面支持Spark。")
    >>> found = [Mention("volcano", 0, 3, 10, "Volcano"), Mention("spark", 0, 16, 21, "Spark")]
    >>> [m.slug for m in clause_subjects(sentence, found)]
    ['volcano']
    """
    subjects = []
    for i, m in enumerate(found):
        lead = sentence.text[: m.start - sentence.start]
        cut = max(lead.rfind(c) for c in "，,；;：:")
        reach = TOPIC_LEAD if cut == -1 else SUBJECT_LEAD
        opening = lead[cut + 1 :].lstrip(" -*•")
        # a name after another in its clause's opening is an object of it (volcano是专为kubernetes而生的…)
        after_name = i > 0 and found[i - 1].end > sentence.start + cut + 1
        if len(opening) <= reach and not _NOT_TOPIC_LEAD.search(opening) and not after_name:
            subjects.append(m)
    return subjects
