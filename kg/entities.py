"""Entities as the reports use them: which are mentioned, how often, in how many reports."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.datadir import DataDir
from kg.namespaces import ENTITY_BASE, ENTITY_TYPES, preferred_type
from kg.store import GraphStore

__all__ = ["EntityRow", "list_entities", "list_entities_in"]


@dataclass(frozen=True)
class EntityRow:
    slug: str
    label: str
    type: str
    mentions: int  # passages that mention it
    reports: int
    discovered: bool


def _entities_query(discovered_only: bool, type_: str | None, limit: int) -> str:
    type_filter = f"?e a cnkg:{type_} ." if type_ else ""
    types = " ".join(f"cnkg:{t}" for t in ENTITY_TYPES)
    return f"""
SELECT ?e (SAMPLE(?lab) AS ?label) (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types)
       (COUNT(DISTINCT ?p) AS ?mentions) (COUNT(DISTINCT ?r) AS ?reports) (MAX(?disc) AS ?discovered)
WHERE {{
  ?p cnkg:mentions ?e ; dcterms:isPartOf ?r .
  {type_filter}
  ?e a ?t . VALUES ?t {{ {types} }}
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


def list_entities_in(
    store: GraphStore, *, discovered_only: bool = False, type_: str | None = None, limit: int = 200
) -> list[EntityRow]:
    rows = []
    for row in store.select(_entities_query(discovered_only, type_, limit)):
        iri = row["e"].value
        # an entity several reports typed differently has one type, by TYPE_PRECEDENCE
        type_name = preferred_type(row["types"].value.split()) or "Concept"
        rows.append(
            EntityRow(
                slug=iri[len(ENTITY_BASE) :] if iri.startswith(ENTITY_BASE) else iri,
                label=row["label"].value,
                type=type_name,
                mentions=int(row["mentions"].value),
                reports=int(row["reports"].value),
                discovered=isinstance(row.get("discovered"), ox.Literal)
                and row["discovered"].value == "true",
            )
        )
    return rows


def list_entities(
    datadir: DataDir, *, discovered_only: bool = False, type_: str | None = None, limit: int = 200
) -> list[EntityRow]:
    return list_entities_in(
        GraphStore.open(datadir), discovered_only=discovered_only, type_=type_, limit=limit
    )
