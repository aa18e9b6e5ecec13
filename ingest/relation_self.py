"""Relations of a policy report with itself as subject: a law or regulation names the body that adopted it
in its header and the laws it rests on in its first article, without repeating its own title.

- '2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过' → the report's policy
  issuedBy the body;
- '根据《中华人民共和国网络安全法》，制定本条例' → the report's policy basedOn each law named after 根据.

The report's policy is the one its title names: the first mention of the first passage, when it is a
policy. Reports that are not themselves a policy (no policy opening the title) get none of these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import ExtractedEntity, Mention, Passage, Relation
from ingest.relation_rule import ORG_TYPES, RelationRule, rule_row, sentences_with_mentions

__all__ = ["SELF_RULES", "SelfRules", "self_relations"]


@dataclass(frozen=True)
class SelfRules:
    """The rules on the report's own policy (confidences chosen on the dev split of the real-world corpus)."""

    adopted_by: RelationRule = rule_row("adopted-by-session", "issuedBy", 0.85)
    made_under: RelationRule = rule_row("made-under", "basedOn", 0.85)


SELF_RULES = SelfRules()
# the body's session right after its name: 第二十九次会议通过, 第三十次全体会议审议通过 (a body that only
# approves, 第二十五次会议批准 — a provincial congress for a city's regulation — did not issue it)
_SESSION = re.compile(r"\s*第[一二三四五六七八九十百零\d]+次(?:全体)?会议(?:审议)?通过")
# 根据《…》(、《…》)…，制定本条例: what follows 根据 up to 制定本… names the laws the report rests on
_MADE_UNDER = re.compile(
    r"(?:根据|依据)(?P<laws>[^。；]{2,120}?)(?:的规定)?[，,]\s*制定本(?:条例|法|办法|规定|细则|决定)"
)


def self_relations(
    passages: tuple[Passage, ...], entities: dict[str, ExtractedEntity], mentions: tuple[Mention, ...]
) -> Iterator[Relation]:
    if not passages:
        return
    opening = [m for m in mentions if m.passage == passages[0].n]
    if not opening or entities[opening[0].slug].type != "Policy":
        return
    own = opening[0]
    for passage, sentence, found in sentences_with_mentions(passages, mentions):
        text, base = sentence.text, sentence.start
        for m in found:
            if entities[m.slug].type in ORG_TYPES and _SESSION.match(text, m.end - base):
                yield SELF_RULES.adopted_by.relate(own, m, passage.n, sentence)
        for cue in _MADE_UNDER.finditer(text):
            lo, hi = base + cue.start("laws"), base + cue.end("laws")
            for law in found:
                if (
                    lo <= law.start
                    and law.end <= hi
                    and entities[law.slug].type == "Policy"
                    and law.slug != own.slug
                ):
                    yield SELF_RULES.made_under.relate(own, law, passage.n, sentence)
