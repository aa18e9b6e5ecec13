"""Related reports: for each report, the reports that name the same entities and say similar things.

Two signals, each a cosine between report vectors:

- **entities**: a report is a vector over the entities it mentions, weighted by
  ``(1 + ln passages) × idf`` with the smoothed ``idf = ln((1 + N) / (1 + df)) + 1`` (N reports, df the
  reports mentioning the entity), so a rare vendor named by two reports counts for more than
  Kubernetes, which every report names;
- **content**: TF-IDF over the keyword index's terms (the search shards: jieba words, counted over every
  passage of the report, ``idf`` over all indexed passages). ``bench/related.py`` compares it with the
  cosine of mean passage embeddings: on our five reports TF-IDF separated related from unrelated
  reports better (docs/linking.md).

``score = (entities + content) / 2`` (entities alone for a report that has no search shard). The result
lists the shared entities, rarest first, with the passages mentioning them in each report.

>>> index = RelatedIndex.build(
...     {"a": {"x": 3, "k8s": 5}, "b": {"x": 1, "k8s": 2}, "c": {"k8s": 1}},
...     titles={}, entities={}, content={},
... )
>>> [(r["rid"], [e["slug"] for e in r["shared"]]) for r in index.related("a")]
[('b', ['x', 'k8s']), ('c', ['k8s'])]
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.namespaces import ENTITY_BASE, REPORT_BASE, entity_iri, preferred_type, report_iri, rid_of, slug_of
from kg.sparql.engine import SparqlEngine, select_json

if TYPE_CHECKING:
    from kg.search.index import SearchIndex
    from kg.search.service import SearchService

__all__ = [
    "ENTITY_WEIGHT",
    "RelatedIndex",
    "SparseVector",
    "embedding_vectors",
    "entity_idf",
    "load_related_index",
    "sparse_cosine",
    "term_vectors",
]

ENTITY_WEIGHT = 0.5  # share of the entity signal in the score; the content signal has the rest
_MENTIONS_QUERY = """SELECT ?r ?e (COUNT(DISTINCT ?p) AS ?n) WHERE {
  GRAPH ?r { ?p cnkg:mentions ?e }
} GROUP BY ?r ?e"""
_ENTITY_QUERY = """SELECT ?e (MIN(?zh) AS ?labelZh) (MIN(?en) AS ?labelEn)
       (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types) WHERE {
  { SELECT DISTINCT ?e WHERE { GRAPH ?r { ?p cnkg:mentions ?e } } }
  OPTIONAL { ?e a ?t }
  OPTIONAL { ?e skos:prefLabel ?zhl FILTER(LANGMATCHES(LANG(?zhl), "zh")) BIND(STR(?zhl) AS ?zh) }
  OPTIONAL { ?e skos:prefLabel ?enl FILTER(LANGMATCHES(LANG(?enl), "en")) BIND(STR(?enl) AS ?en) }
} GROUP BY ?e"""
_QUERY_ROWS = 2_000_000


@dataclass(frozen=True)
class EntityInfo:
    slug: str
    label: str
    type: str | None


def entity_idf(df: int, reports: int) -> float:
    """Smoothed inverse document frequency: never zero, so an entity every report names still counts.

    >>> round(entity_idf(1, 4), 3), round(entity_idf(4, 4), 3)
    (1.916, 1.0)
    """
    return math.log((1 + reports) / (1 + df)) + 1.0


SparseVector = dict[int, float]


def _unit(vector: SparseVector) -> SparseVector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {k: w / norm for k, w in vector.items()} if norm > 0 else vector


def _dot(a: SparseVector, b: SparseVector) -> float:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(w * large.get(k, 0.0) for k, w in small.items())


def sparse_cosine(a: SparseVector, b: SparseVector) -> float:
    """Cosine of two sparse vectors.

    >>> round(sparse_cosine({0: 1.0, 1: 1.0}, {1: 2.0}), 3)
    0.707
    """
    return _dot(_unit(a), _unit(b))


@dataclass(frozen=True, eq=False)
class RelatedIndex:
    """Report vectors of one version of the data directory, and the related-report lists they give."""

    mentions: dict[str, dict[str, int]]
    idf: dict[str, float]
    entity_vectors: dict[str, dict[str, float]]
    content: dict[str, SparseVector]
    titles: dict[str, str]
    entities: dict[str, EntityInfo]

    @classmethod
    def build(
        cls,
        mentions: dict[str, dict[str, int]],
        *,
        titles: dict[str, str],
        entities: dict[str, EntityInfo],
        content: dict[str, SparseVector],
    ) -> RelatedIndex:
        df: dict[str, int] = {}
        for found in mentions.values():
            for slug in found:
                df[slug] = df.get(slug, 0) + 1
        idf = {slug: entity_idf(n, len(mentions)) for slug, n in df.items()}
        vectors = {}
        for rid, found in mentions.items():
            weights = {slug: (1 + math.log(n)) * idf[slug] for slug, n in found.items() if n > 0}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            vectors[rid] = {slug: w / norm for slug, w in weights.items()}
        return cls(mentions, idf, vectors, {r: _unit(v) for r, v in content.items()}, titles, entities)

    def entity_similarity(self, a: str, b: str) -> float:
        va, vb = self.entity_vectors.get(a, {}), self.entity_vectors.get(b, {})
        small, large = (va, vb) if len(va) <= len(vb) else (vb, va)
        return sum(w * large.get(slug, 0.0) for slug, w in small.items())

    def content_similarity(self, a: str, b: str) -> float | None:
        if a not in self.content or b not in self.content:
            return None
        return _dot(self.content[a], self.content[b])

    def related(self, rid: str, limit: int = 10, shared_limit: int = 20) -> list[dict[str, Any]]:
        """The other reports by score, best first; reports sharing no entity and no content are left out."""
        if rid not in self.mentions and rid not in self.content:
            return []  # a report without mentions or passages relates to nothing
        results: list[dict[str, Any]] = []
        for other in sorted(set(self.mentions) | set(self.content)):
            if other == rid:
                continue
            by_entities = self.entity_similarity(rid, other)
            by_content = self.content_similarity(rid, other)
            score = (
                by_entities
                if by_content is None
                else ENTITY_WEIGHT * by_entities + (1 - ENTITY_WEIGHT) * max(by_content, 0.0)
            )
            if score <= 0:
                continue
            shared = self._shared(rid, other)
            results.append(
                {
                    "rid": other,
                    "iri": report_iri(other),
                    "title": self.titles.get(other),
                    "score": round(score, 4),
                    "entitySimilarity": round(by_entities, 4),
                    "contentSimilarity": None if by_content is None else round(by_content, 4),
                    "sharedCount": len(shared),
                    "shared": shared[:shared_limit],
                }
            )
        results.sort(key=lambda r: (-r["score"], r["rid"]))
        return results[:limit]

    def _shared(self, a: str, b: str) -> list[dict[str, Any]]:
        ma, mb = self.mentions.get(a, {}), self.mentions.get(b, {})
        shared: list[dict[str, Any]] = []
        for slug in set(ma) & set(mb):
            info = self.entities.get(slug) or EntityInfo(slug, slug, None)
            shared.append(
                {
                    "iri": entity_iri(slug),
                    "slug": slug,
                    "label": info.label,
                    "type": info.type,
                    "weight": round(self.idf[slug], 4),
                    "passages": {a: ma[slug], b: mb[slug]},
                }
            )
        shared.sort(key=lambda e: (-e["weight"], -min(e["passages"].values()), e["slug"]))
        return shared


GroupKey = Callable[[str, int, int], str]  # (rid, passage row in the report, passages) -> vector key


def _by_report(rid: str, _row: int, _count: int) -> str:
    return rid


def term_vectors(index: SearchIndex, key: GroupKey = _by_report) -> dict[str, SparseVector]:
    """TF-IDF term vectors over one vocabulary (the keyword index's jieba terms, by their ids there), one
    per ``key``: by default one per report; ``bench/related.py`` also splits reports in halves."""
    indptr, rows, counts = index.keyword.postings()
    passage_df = np.diff(indptr).astype(np.float64)  # a term appears once per passage in a posting list
    idf = np.log((1 + len(index)) / (1 + passage_df)) + 1.0
    keys: dict[str, int] = {}  # in the order of the passages' rows
    group_of_row = np.zeros(len(index), dtype=np.int64)
    for rid, report_rows in index.report_rows.items():
        for i, row in enumerate(report_rows.tolist()):
            group_of_row[row] = keys.setdefault(key(rid, i, len(report_rows)), len(keys))
    if not len(rows):
        return {k: {} for k in keys}
    # (term, group) of every posting: already ascending when the groups follow the rows (by report,
    # by half report), since a term's postings are by row
    pairs = np.repeat(np.arange(len(passage_df), dtype=np.int64), np.diff(indptr)) * len(keys)
    pairs += group_of_row[rows]
    tf_of = counts.astype(np.float64)
    if np.any(np.diff(group_of_row) < 0):
        order = np.argsort(pairs, kind="stable")
        pairs, tf_of = pairs[order], tf_of[order]
    starts = np.flatnonzero(np.concatenate(([True], pairs[1:] != pairs[:-1])))
    tf = np.add.reduceat(tf_of, starts)  # summed over the group's passages
    terms, groups = np.divmod(pairs[starts], len(keys))
    by_group = np.argsort(groups, kind="stable")  # terms stay ascending within a group
    terms, groups, tf = terms[by_group], groups[by_group], tf[by_group]
    weights = (1 + np.log(tf)) * idf[terms]
    bounds = np.searchsorted(groups, np.arange(len(keys) + 1))
    return {
        k: dict(zip(terms[lo:hi].tolist(), weights[lo:hi].tolist(), strict=True))
        for k, lo, hi in zip(keys, bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    }


def embedding_vectors(index: SearchIndex, key: GroupKey = _by_report) -> dict[str, SparseVector]:
    """Mean passage embedding (the dense index's rows) per ``key``: the alternative to TF-IDF that
    ``bench/related.py`` measures."""
    if index.dense is None:
        return {}
    rows = np.asarray(index.dense.vectors, dtype=np.float64)
    grouped: dict[str, list[int]] = {}
    for rid, report_rows in index.report_rows.items():
        for i, row in enumerate(report_rows.tolist()):
            grouped.setdefault(key(rid, i, len(report_rows)), []).append(row)
    return {k: dict(enumerate(rows[r].mean(axis=0).tolist())) for k, r in grouped.items()}


async def _mentions(engine: SparqlEngine) -> dict[str, dict[str, int]]:
    mentions: dict[str, dict[str, int]] = {}
    for row in await select_json(engine, _MENTIONS_QUERY, row_cap=_QUERY_ROWS):
        report, entity = row["r"]["value"], row["e"]["value"]
        if report.startswith(REPORT_BASE) and entity.startswith(ENTITY_BASE):
            rid, slug = rid_of(report), slug_of(entity)
            mentions.setdefault(rid, {})[slug] = int(row["n"]["value"])
    return mentions


async def _entities(engine: SparqlEngine) -> dict[str, EntityInfo]:
    entities = {}
    for row in await select_json(engine, _ENTITY_QUERY, row_cap=_QUERY_ROWS):
        iri = row["e"]["value"]
        slug = slug_of(iri)
        label = (row.get("labelZh") or row.get("labelEn") or {"value": slug})["value"]
        types = (row.get("types") or {"value": ""})["value"].split()
        entities[slug] = EntityInfo(slug, label, preferred_type(types))
    return entities


_cache: dict[tuple[str, int], RelatedIndex] = {}  # by (data directory, manifest generation)
_cache_lock = threading.Lock()


async def load_related_index(engine: SparqlEngine, search: SearchService) -> RelatedIndex:
    """The related-reports index of the current version of the search service's data directory (built
    once per version); the content signal comes from the service's search index."""
    datadir = search.datadir
    key = (str(datadir.root.resolve()), datadir.manifest_stamp())
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    mentions = await _mentions(engine)
    entities = await _entities(engine)
    manifest = datadir.read_manifest()
    titles = {rid: record.title for rid, record in manifest.reports.items()}
    content = {rid: v for rid, v in term_vectors(search.index()).items() if rid in mentions}
    index = RelatedIndex.build(mentions, titles=titles, entities=entities, content=content)
    with _cache_lock:
        for stale in [k for k in _cache if k[0] == key[0]]:  # older versions of this directory
            del _cache[stale]
        _cache[key] = index
    return index
