"""Entity search by label, alias and description, for Chinese, English and mixed queries.

Scoring, best first: the whole query is a label or alias (1.0); names found inside the query (0.5–0.9,
by how much of the query they cover, so ``阿里云 serverless`` finds both); the query is part of a name
(0.3–0.6); the query's words or character bigrams occur in the labels or the description (≤ 0.4).

>>> from kg.lexicon import Lexicon
>>> index = EntityIndex.from_lexicon(Lexicon.load())
>>> index.search("k8s")[0].slug
'kubernetes'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kg.errors import InputError
from kg.lexicon import Lexicon
from kg.namespaces import CNKG, ENTITY_BASE, ENTITY_TYPES, RDFS, SKOS, normalize_name
from kg.surface_matcher import SurfaceMatcher

if TYPE_CHECKING:
    from kg.search.shards import EntityInfo
    from kg.store import GraphStore

__all__ = ["EntityHit", "EntityIndex", "EntityRecord", "search_entities"]

MAX_LIMIT = 100


@dataclass
class EntityRecord:
    slug: str
    type: str
    label: str
    names: list[str] = field(default_factory=list)  # labels and aliases, label first
    description: str = ""

    @property
    def iri(self) -> str:
        return ENTITY_BASE + self.slug


@dataclass(frozen=True)
class EntityHit:
    iri: str
    slug: str
    label: str
    type: str
    aliases: tuple[str, ...]
    score: float
    matched: str  # the name or text that matched

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "slug": self.slug,
            "label": self.label,
            "type": self.type,
            "aliases": list(self.aliases),
            "score": round(self.score, 4),
            "matched": self.matched,
        }


def _features(text: str) -> set[str]:
    """Latin words and Chinese character bigrams of a folded text."""
    folded = normalize_name(text)
    feats: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", folded):
        feats.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            feats.add(run)
    feats.update(w for w in re.findall(r"[a-z0-9][a-z0-9+#-]*", folded) if len(w) > 1)
    return feats


class EntityIndex:
    def __init__(self, records: Iterable[EntityRecord]) -> None:
        self.records: dict[str, EntityRecord] = {}
        for record in records:
            known = self.records.get(record.slug)
            if known is None:
                self.records[record.slug] = record
            else:  # the same entity from two sources: keep every name
                known.names.extend(n for n in record.names if n not in known.names)
                known.description = known.description or record.description
        forms: dict[str, str] = {}
        self._names: dict[str, list[tuple[str, str]]] = {}  # slug -> (folded name, name)
        self._features: dict[str, set[str]] = {}
        for slug, record in self.records.items():
            folded = [(normalize_name(n), n) for n in record.names if n]
            self._names[slug] = folded
            for key, _ in folded:
                forms.setdefault(key, slug)
            self._features[slug] = _features(" ".join([*record.names, record.description]))
        self._exact = forms
        self._matcher = SurfaceMatcher(forms, {})

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon, discovered: Iterable[EntityInfo] = ()) -> EntityIndex:
        records = [
            EntityRecord(e.slug, e.type, e.label, e.surfaces(), e.definition)
            for e in lexicon.entries.values()
        ]
        records += [EntityRecord(d.slug, d.type, d.label, [d.label]) for d in discovered]
        return cls(records)

    @classmethod
    def from_store(cls, store: GraphStore) -> EntityIndex:
        """Every entity of the store (lexicon and discovered), with its labels, aliases and definition."""
        types = " ".join(f"cnkg:{t}" for t in ENTITY_TYPES)
        rows = store.select(
            f"""SELECT ?e ?type ?p ?v WHERE {{
                VALUES ?type {{ {types} }}
                VALUES ?p {{ skos:prefLabel skos:altLabel rdfs:label skos:definition }}
                ?e a ?type ; ?p ?v .
                FILTER(STRSTARTS(STR(?e), "{ENTITY_BASE}")) }}"""
        )
        by_slug: dict[str, EntityRecord] = {}
        for row in rows:
            slug = row["e"].value[len(ENTITY_BASE) :]
            record = by_slug.setdefault(slug, EntityRecord(slug, row["type"].value[len(CNKG) :], ""))
            predicate, value = row["p"].value, row["v"].value
            if predicate == SKOS + "definition":
                record.description = record.description or value
            elif value not in record.names:
                record.names.append(value)
            preferred = predicate == SKOS + "prefLabel" and (not record.label or _is_chinese(value))
            if preferred or (predicate == RDFS + "label" and not record.label):
                record.label = value
        for record in by_slug.values():
            record.label = record.label or (record.names[0] if record.names else record.slug)
        return cls(by_slug.values())

    def __len__(self) -> int:
        return len(self.records)

    def search(self, q: str, type: str | None = None, limit: int = 10) -> list[EntityHit]:
        query = normalize_name(q)
        if not query:
            raise InputError("the entity query is empty")
        if type is not None:
            type = type.rsplit("#", 1)[-1].removeprefix("cnkg:")
            if type not in ENTITY_TYPES:
                raise InputError(f"unknown entity type {type!r}: use one of {', '.join(ENTITY_TYPES)}")
        limit = max(1, min(limit, MAX_LIMIT))
        scores: dict[str, tuple[float, str]] = {}

        def offer(slug: str, score: float, matched: str) -> None:
            if score > scores.get(slug, (0.0, ""))[0]:
                scores[slug] = (score, matched)

        exact = self._exact.get(query)
        if exact:
            offer(exact, 1.0, q.strip())
        for match in self._matcher.find(q):
            offer(match.slug, 0.5 + 0.4 * len(normalize_name(match.surface)) / len(query), match.surface)
        if len(query) >= 2:
            for slug, names in self._names.items():
                for folded, name in names:
                    if query in folded:
                        offer(slug, 0.3 + 0.3 * len(query) / len(folded), name)
        wanted = _features(q)
        if wanted:
            for slug, feats in self._features.items():
                shared = len(wanted & feats)
                if shared:
                    offer(slug, 0.4 * shared / len(wanted), self.records[slug].label)
        hits = []
        for slug, (score, matched) in scores.items():
            record = self.records[slug]
            if type is not None and record.type != type:
                continue
            aliases = tuple(n for n in record.names if n != record.label)
            hits.append(EntityHit(record.iri, slug, record.label, record.type, aliases, score, matched))
        hits.sort(key=lambda h: (-h.score, len(h.label), h.slug))
        return hits[:limit]


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def search_entities(
    q: str, type: str | None = None, limit: int = 10, *, index: EntityIndex | None = None
) -> list[EntityHit]:
    """Entity search over ``index`` (default: the shipped lexicon). For the store's discovered entities
    too, pass ``EntityIndex.from_store(store)`` (build it once per store generation) or use
    ``SearchService.search_entities``."""
    return (index or _lexicon_index()).search(q, type, limit)


@lru_cache(maxsize=1)
def _lexicon_index() -> EntityIndex:
    return EntityIndex.from_lexicon(Lexicon.load())
