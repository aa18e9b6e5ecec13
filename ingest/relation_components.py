"""Components listed after a sentence that announces them: 'Kthena 的核心由两大组件构成：' then
'1）Kthena Router：…', '2）Kthena Controller Manager：…'; '高性能计算集群（HPCC）包含如下部分：' then
'- PBS：…', '- OpenMPI：…'.

The announcing sentence ends with a colon and says that its subject is made of parts (由…组件构成,
包含如下部分, 主要包括以下核心组件); its subject is the name written right before that cue (no other words
between but 的/核心/主要 or a closing bracket). Each following line that opens with a name and a colon
(after a bullet or a number) is an item: a known technical name there is partOf the subject. The list
ends at the first line after an item that is not an item (further sentences of an item's line belong to
it), or when no item comes within ``ITEM_LOOKAHEAD`` sentences of the announcement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.document import ExtractedEntity, Mention, Passage, Relation
from ingest.markup import ITEM_MARKER
from ingest.relation_rule import TECHNICAL_TYPES, RelationRule, sentences_with_mentions

__all__ = ["COMPONENT_OF", "ITEM_LOOKAHEAD", "component_relations"]

# chosen on the dev split of the real-world corpus, like the other list rules' confidences
COMPONENT_OF = RelationRule(name="component-list", predicate="partOf", confidence=0.75)
ITEM_LOOKAHEAD = (
    2  # sentences allowed before the first item (a caption line); on dev the items follow at once
)
_PARTS = r"(?:核心)?(?:组件|部分|模块|子项目|子系统|要素|组成部分)"
_ANNOUNCE = re.compile(
    r"[）)]?\s*(?:的)?\s*(?:核心|主要)?\s*"
    r"(?:(?:主要)?(?:包括|包含|含有|分为|有)(?:以下|如下|下面)(?:几个|[一二三四五六七八九两\d]+个)?"
    + _PARTS
    + r"?"
    r"|由(?:以下|如下|下面)?(?:[一二三四五六七八九两\d]+(?:个|大))?" + _PARTS + r"(?:构成|组成))"
    r"\s*[：:]\s*$"
)
_ITEM = re.compile(r"^\s*" + ITEM_MARKER + r"?(?P<name>[^：:，,。；;\s][^：:，,。；;]{0,40}?)\s*[：:]")


def component_relations(
    passages: tuple[Passage, ...], entities: dict[str, ExtractedEntity], mentions: tuple[Mention, ...]
) -> Iterator[Relation]:
    """Each item of an announced list of components, partOf the announced whole."""
    whole: Mention | None = None
    waited = 0
    in_items = False
    for passage, sentence, found in sentences_with_mentions(passages, mentions):
        if in_items and not _opens_line(passage, sentence.start):
            continue  # a further sentence of an item's line (- PBS：…。除了PBS以外，…)
        item = _ITEM.match(sentence.text)
        if whole is not None and item is not None:
            in_items = True
            start, end = sentence.start + item.start("name"), sentence.start + item.end("name")
            for m in found:
                if (
                    (m.start, m.end) == (start, end)
                    and entities[m.slug].type in TECHNICAL_TYPES
                    and m.slug != whole.slug
                ):
                    yield COMPONENT_OF.relate(m, whole, passage.n, sentence)
            continue
        if whole is not None and not in_items and waited < ITEM_LOOKAHEAD:
            waited += 1
            continue
        whole, waited, in_items = _announced(sentence.text, sentence.start, found, entities), 0, False


def _announced(
    text: str, base: int, found: list[Mention], entities: dict[str, ExtractedEntity]
) -> Mention | None:
    """The whole a sentence announces the parts of (the name right before 由…组件构成 / 包含如下部分：)."""
    for m in reversed(found):
        if entities[m.slug].type in TECHNICAL_TYPES and _ANNOUNCE.match(text, m.end - base):
            return m
    return None


def _opens_line(passage: Passage, start: int) -> bool:
    """Whether the sentence at ``start`` opens a line of its passage (its first, or after a line break)."""
    before = passage.text[: start - passage.start].rstrip(" \t")
    return not before or before.endswith("\n")
