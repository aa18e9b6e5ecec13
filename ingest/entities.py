"""Find the entities a report mentions: lexicon names first, then discovered names.

Lexicon matching is leftmost-longest and case/width-insensitive (kg.surface_matcher). A context-only
alias such as 阿里 counts only in a sentence about cloud computing; a name that is also a common word
(Flux, Harbor, Spark: ``cnkg:exactLabel``) counts only in its exact case, in a technical sentence (one
about cloud computing or naming another known technology, product or concept). A known company's type
is then read from its role in the report (ingest/entity_roles.py: an end user is an Organization).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.discover import discover_entities
from ingest.document import ExtractedEntity, Mention, Passage
from ingest.entity_roles import report_roles
from ingest.mention_filters import (
    inside,
    is_body_name_part,
    is_government_actor,
    is_industry_modifier,
    url_spans,
)
from kg.lexicon import Lexicon
from kg.namespaces import TECHNICAL_TYPES  # a known name of these makes a sentence technical
from kg.surface_matcher import SurfaceMatch, SurfaceMatcher
from kg.tokenize import TITLE_RE, WordSegmenter

__all__ = ["CLOUD_CONTEXT", "EntityExtraction", "extract_entities"]

CLOUD_CONTEXT = re.compile(r"云|容器|计算|厂商|服务商|Kubernetes|K8s|PaaS|IaaS|SaaS", re.IGNORECASE)


@dataclass(frozen=True)
class EntityExtraction:
    entities: dict[str, ExtractedEntity]  # slug → entity
    mentions: tuple[Mention, ...]  # in text order

    def in_span(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]


def extract_entities(
    passages: tuple[Passage, ...], lexicon: Lexicon, segmenter: WordSegmenter
) -> EntityExtraction:
    matcher: SurfaceMatcher = segmenter.matcher
    entities: dict[str, ExtractedEntity] = {}
    mentions: list[Mention] = []
    for passage in passages:
        for sentence in passage.sentences:
            titles = [(m.start(), m.end()) for m in TITLE_RE.finditer(sentence.text)]
            urls = url_spans(sentence.text)
            matches = matcher.find(sentence.text)
            industries = [(m.start, m.end) for m in matches if lexicon.entries[m.slug].type == "Industry"]
            for match in matches:
                if inside(urls, match.start, match.end):
                    continue  # github.com/volcano-sh: an address, not a mention
                type_ = lexicon.entries[match.slug].type
                if is_body_name_part(sentence.text, match.start, type_):
                    continue  # 市人民政府: a body, not the government sector
                if is_industry_modifier(sentence.text, match.end, type_, segmenter):
                    continue  # 政务数据, 金融体系: the industry word modifies another noun
                if is_government_actor(
                    sentence.text, match.start, match.end, match.surface, type_, industries
                ):
                    continue  # 政府于2015年发布: the government acting, not the sector as a customer
                if match.contextual and not CLOUD_CONTEXT.search(sentence.text):
                    continue
                if match.exact and not _technical(sentence.text, matches, lexicon):
                    continue
                if any(
                    s <= match.start and match.end <= e and (s, e) != (match.start, match.end)
                    for s, e in titles
                ):
                    continue  # a word inside a policy title is not a mention of its own
                entry = lexicon.entries[match.slug]
                entities.setdefault(entry.slug, ExtractedEntity(entry.slug, entry.label, entry.type))
                mentions.append(
                    Mention(
                        entry.slug,
                        passage.n,
                        sentence.start + match.start,
                        sentence.start + match.end,
                        match.surface,
                    )
                )
    known = {(m.start, m.end) for m in mentions}
    for entity, found in discover_entities(passages, lexicon, segmenter, mentions):
        entities.setdefault(entity.slug, entity)
        mentions.extend(m for m in found if (m.start, m.end) not in known)
    kept = _drop_nested(mentions)
    used = {m.slug for m in kept}
    typed = report_roles(passages, {k: v for k, v in entities.items() if k in used}, tuple(kept))
    return EntityExtraction(typed, tuple(kept))


def _technical(text: str, found: list[SurfaceMatch], lexicon: Lexicon) -> bool:
    """A sentence about cloud computing, or naming a known technology, product or concept by a name
    that is not itself a common word."""
    if CLOUD_CONTEXT.search(text):
        return True
    return any(
        not m.exact and not m.contextual and lexicon.entries[m.slug].type in TECHNICAL_TYPES for m in found
    )


def _drop_nested(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (AWS Fargate over AWS), in text order."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept
