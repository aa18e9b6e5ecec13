"""Entities as the reports use them, in one place: the typed entities found by label or alias
(``GET /entities``, the MCP ``entity`` tool) and the entities the reports mention, with how often and in how
many reports (``cnkg entities``).

Both read the graph through a :data:`~kg.qa.source.Select` (the service's engine, or the store opened in
this process), so they work the same on the embedded store and on an external one.

>>> import asyncio, tempfile, pathlib
>>> from kg.datadir import DataDir
>>> from kg.qa.source import store_select
>>> from kg.store import GraphStore
>>> select = store_select(GraphStore.open(DataDir(pathlib.Path(tempfile.mkdtemp()))))
>>> [e["slug"] for e in asyncio.run(find_entities(select, "K8s", None, 1))]
['kubernetes']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.errors import InputError
from kg.namespaces import CNKG, ENTITY_TYPES, normalize_name, preferred_type, slug_of
from kg.qa.source import Select
from kg.sparql.engine import binding_value
from kg.sparql.resources import literal_term

__all__ = ["EntityRow", "find_entities", "list_entities"]

_TYPES_VALUES = " ".join(f"<{CNKG}{t}>" for t in ENTITY_TYPES)


@dataclass(frozen=True)
class EntityRow:
    slug: str
    label: str
    type: str
    mentions: int  # passages that mention it
    reports: int
    discovered: bool


def _checked_type(type_: str | None) -> str:
    """The VALUES of the entity classes a query looks at: one type, or all of them."""
    if type_ is None:
        return _TYPES_VALUES
    if type_ not in ENTITY_TYPES:
        raise InputError(f"unknown entity type {type_!r}; use one of {', '.join(ENTITY_TYPES)}")
    return f"<{CNKG}{type_}>"


def _entity_type(row: dict[str, Any]) -> str | None:
    """One type for an entity several reports typed differently, by ``TYPE_PRECEDENCE``."""
    return preferred_type((binding_value(row, "types") or "").split())


async def find_entities(select: Select, q: str | None, type_: str | None, limit: int) -> list[dict[str, Any]]:
    """Entities whose label or alias contains ``q`` (exact, then prefix, then substring matches)."""
    types = _checked_type(type_)
    needle = normalize_name(q) if q else ""
    match = (
        f"""?e skos:prefLabel|skos:altLabel|rdfs:label ?l . BIND(LCASE(STR(?l)) AS ?ll)
  FILTER(CONTAINS(?ll, {literal_term(needle)}))
  BIND(IF(?ll = {literal_term(needle)}, 0, IF(STRSTARTS(?ll, {literal_term(needle)}), 1, 2)) AS ?rank)"""
        if needle
        else "BIND(0 AS ?rank)"
    )
    sparql = f"""
SELECT ?e (MIN(?rank) AS ?score) (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types)
       (SAMPLE(?zh) AS ?labelZh) (SAMPLE(?en) AS ?labelEn)
WHERE {{
  VALUES ?t {{ {types} }}
  ?e a ?t .
  {match}
  OPTIONAL {{ ?e skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }}
  OPTIONAL {{ ?e skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
}}
GROUP BY ?e ORDER BY ?score STRLEN(STR(?e)) ?e LIMIT {int(limit)}"""
    hits = []
    for row in await select(sparql):
        iri = binding_value(row, "e") or ""
        zh, en = binding_value(row, "labelZh"), binding_value(row, "labelEn")
        hits.append(
            {
                "iri": iri,
                "slug": slug_of(iri),
                "label": zh or en or slug_of(iri),
                "labels": {k: v for k, v in (("zh", zh), ("en", en)) if v},
                "type": _entity_type(row),
            }
        )
    return hits


async def list_entities(
    select: Select, *, discovered_only: bool = False, type_: str | None = None, limit: int = 200
) -> list[EntityRow]:
    """The entities the reports mention, most mentioned first (the passages and reports mentioning each,
    and whether it was discovered outside the lexicon)."""
    type_filter = f"?e a {_checked_type(type_)} ." if type_ else ""
    sparql = f"""
SELECT ?e (SAMPLE(?lab) AS ?label) (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types)
       (COUNT(DISTINCT ?p) AS ?mentions) (COUNT(DISTINCT ?r) AS ?reports) (MAX(?disc) AS ?discovered)
WHERE {{
  ?p cnkg:mentions ?e ; dcterms:isPartOf ?r .
  {type_filter}
  ?e a ?t . VALUES ?t {{ {_TYPES_VALUES} }}
  OPTIONAL {{ ?e skos:prefLabel ?zh FILTER(lang(?zh) = "zh") }}
  OPTIONAL {{ ?e skos:prefLabel ?en FILTER(lang(?en) = "en") }}
  BIND(COALESCE(?zh, ?en, STR(?e)) AS ?lab)
  OPTIONAL {{ ?e cnkg:discovered ?d }}
  BIND(COALESCE(?d, false) AS ?disc)
}}
GROUP BY ?e
HAVING (true {"&& MAX(?disc)" if discovered_only else ""})
ORDER BY DESC(?mentions) ?e
LIMIT {int(limit)}
"""
    return [
        EntityRow(
            slug=slug_of(binding_value(row, "e") or ""),
            label=binding_value(row, "label") or "",
            type=_entity_type(row) or "Concept",
            mentions=int(binding_value(row, "mentions") or 0),
            reports=int(binding_value(row, "reports") or 0),
            discovered=binding_value(row, "discovered") == "true",
        )
        for row in await select(sparql)
    ]
