"""The record every relation rule shares: what it states and how sure it is.

The pairwise rules of ``ingest.relations``, the clause rules of ``ingest.relation_cues`` and the list
rules of ``ingest.relation_lists`` each name their rules with a ``RelationRule``; its confidences were
chosen on the dev split of the real-world corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ingest.document import Mention, Relation, Sentence

__all__ = [
    "LIST_CONTINUATION_DISCOUNT",
    "NAMED_TECHNICAL_TYPES",
    "ORG_TYPES",
    "TECHNICAL_TYPES",
    "RelationRule",
    "TypeOf",
    "rule_row",
]

# The entity types the rules name: organisations, technical things, and the technical things with a name of
# their own (not a concept).
ORG_TYPES = frozenset({"Vendor", "Organization"})
TECHNICAL_TYPES = frozenset({"Technology", "Product", "Concept"})
NAMED_TECHNICAL_TYPES = frozenset({"Technology", "Product"})
TypeOf = Callable[[Mention], str]  # the type of a mention's entity

# A relation carried over to the next items of a list (A、B及C) is a little less sure than the first.
LIST_CONTINUATION_DISCOUNT = 0.05


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
