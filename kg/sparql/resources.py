"""Read models of the HTTP resources (entities, reports, any cnkg IRI), built with SPARQL through the
engine, so they work the same on the embedded store and on an external one.

Values put into query text go through :func:`iri_term` / :func:`literal_term`, which produce valid,
escaped SPARQL terms (never string concatenation of raw input).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, NotFoundError
from kg.facts import fact_rows, unique_observations
from kg.namespaces import (
    CNKG,
    ENTITY_BASE,
    ID_BASE,
    WIKIDATA,
    entity_iri,
    preferred_type,
    report_iri,
    rid_of,
    slug_of,
)
from kg.sparql.engine import QueryRequest, SparqlEngine, binding_int, binding_value, select_json
from kg.sparql.formats import Format
from kg.sparql.guard import QueryForm, cnkg_query

__all__ = [
    "describe",
    "entity_detail",
    "iri_term",
    "literal_term",
    "report_overview",
    "resource_rows",
]


def iri_term(iri: str) -> str:
    """``<iri>`` for a query, or InputError for something that is not an IRI.

    >>> iri_term("https://w3id.org/cnkg/id/entity/云原生")
    '<https://w3id.org/cnkg/id/entity/云原生>'
    """
    try:
        return str(ox.NamedNode(iri))
    except ValueError:
        raise InputError(f"not a valid IRI: {iri!r}") from None


def literal_term(text: str) -> str:
    """A quoted, escaped string literal.

    >>> literal_term('a "b"')
    '"a \\\\"b\\\\""'
    """
    return str(ox.Literal(text))


async def resource_rows(engine: SparqlEngine, iri: str, limit: int = 2000) -> list[dict[str, Any]]:
    """Outgoing triples of ``iri`` (with the graph each sits in and a label for IRI objects)."""
    sparql = f"""
SELECT ?p ?o ?g (SAMPLE(?lab) AS ?label) WHERE {{
  GRAPH ?g {{ {iri_term(iri)} ?p ?o }}
  OPTIONAL {{ ?o skos:prefLabel|rdfs:label ?lab }}
}} GROUP BY ?p ?o ?g ORDER BY ?p ?o LIMIT {int(limit)}"""
    return await select_json(engine, sparql, row_cap=limit)


async def describe(engine: SparqlEngine, iri: str, fmt: Format) -> bytes:
    """The outgoing triples of ``iri`` (over all graphs) in an RDF format; NotFoundError if none."""
    term = iri_term(iri)
    sparql = f"CONSTRUCT {{ {term} ?p ?o }} WHERE {{ {term} ?p ?o }}"
    outcome = await engine.query(QueryRequest(cnkg_query(sparql, QueryForm.CONSTRUCT), fmt))
    if outcome.rows == 0:
        raise NotFoundError(f"nothing is known about <{iri}>")
    return outcome.body


def _quote(text: str | None, passage_start: int | None, start: int | None, end: int | None) -> str | None:
    """The cited span, cut from the passage text (offsets are into the report text)."""
    if text is None or passage_start is None or start is None or end is None:
        return None
    return text[start - passage_start : end - passage_start] or None


async def entity_detail(engine: SparqlEngine, slug: str) -> dict[str, Any]:
    """Everything the graph knows about one entity, gathered from every report."""
    iri = entity_iri(slug)
    term = iri_term(iri)
    about = await select_json(
        engine,
        f"""SELECT ?p ?o WHERE {{ {term} ?p ?o
  FILTER(?p IN (rdf:type, skos:prefLabel, skos:altLabel, rdfs:label, skos:definition, rdfs:comment,
                skos:exactMatch, owl:sameAs, skos:broader, cnkg:discovered)) }}""",
    )
    if not about:
        raise NotFoundError(f"no entity {slug!r}")

    def values(predicate: str) -> list[dict[str, Any]]:
        return [row["o"] for row in about if row["p"]["value"] == predicate]

    def labels(predicate: str) -> list[dict[str, str]]:
        return [{"value": o["value"], "lang": o.get("xml:lang", "")} for o in values(predicate)]

    skos, rdfs = "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2000/01/rdf-schema#"
    # the union graph repeats a triple once per report stating it; reports may also write one name with
    # different case (a discovered entity): keep each label once, in a stable order
    pref = sorted(
        {(x["lang"], x["value"]): x for x in labels(skos + "prefLabel") or labels(rdfs + "label")}.values(),
        key=lambda x: (not x["lang"].startswith("zh"), x["lang"], x["value"]),
    )
    label = pref[0]["value"] if pref else slug
    types = sorted({o["value"] for o in values("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")})
    links = sorted(
        {o["value"] for o in values(skos + "exactMatch") + values("http://www.w3.org/2002/07/owl#sameAs")}
    )
    mentions = await _mentions(engine, term)
    return {
        "iri": iri,
        "slug": slug,
        "label": label,
        "labels": pref,
        "aliases": sorted({x["value"] for x in labels(skos + "altLabel")}),
        "type": preferred_type(types),
        "types": types,
        "definition": next(
            (o["value"] for o in values(skos + "definition") + values(rdfs + "comment")), None
        ),
        "discovered": any(o["value"] == "true" for o in values(CNKG + "discovered")),
        "links": links,
        "wikidata": next((link for link in links if link.startswith(WIKIDATA)), None),
        "reports": len(mentions),
        "relations": await _relations(engine, term),
        "mentions": mentions,
        "facts": await _facts(engine, slug),
    }


async def _relations(engine: SparqlEngine, term: str) -> list[dict[str, Any]]:
    rows = await select_json(
        engine,
        f"""SELECT ?dir ?p ?other ?g ?st ?passage ?start ?end ?conf ?text ?pstart (SAMPLE(?lab) AS ?label)
WHERE {{
  {{ GRAPH ?g {{ {term} ?p ?other }} BIND({term} AS ?s) BIND(?other AS ?o) BIND("out" AS ?dir) }}
  UNION
  {{ GRAPH ?g {{ ?other ?p {term} }} BIND(?other AS ?s) BIND({term} AS ?o) BIND("in" AS ?dir) }}
  FILTER(isIRI(?other) && STRSTARTS(STR(?other), {literal_term(ENTITY_BASE)}) && ?p != cnkg:mentions)
  OPTIONAL {{ GRAPH ?g {{
    ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?passage .
    OPTIONAL {{ ?st cnkg:start ?start ; cnkg:end ?end }}
    OPTIONAL {{ ?st cnkg:confidence ?conf }}
    OPTIONAL {{ ?passage cnkg:text ?text ; cnkg:start ?pstart }} }} }}
  OPTIONAL {{ ?other skos:prefLabel ?lab }}
}} GROUP BY ?dir ?p ?other ?g ?st ?passage ?start ?end ?conf ?text ?pstart
ORDER BY ?dir ?p ?other LIMIT 2000""",
        row_cap=2000,
    )
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (
            binding_value(row, "dir") or "",
            binding_value(row, "p") or "",
            binding_value(row, "other") or "",
        )
        relation = grouped.setdefault(
            key,
            {
                "direction": key[0],
                "predicate": key[1],
                "entity": {
                    "iri": key[2],
                    "slug": slug_of(key[2]),
                    "label": binding_value(row, "label") or slug_of(key[2]),
                },
                "evidence": [],
            },
        )
        graph = binding_value(row, "g") or ""
        if binding_value(row, "passage") is None:
            relation.setdefault("sources", []).append(graph)
            continue
        start, end = binding_int(row, "start"), binding_int(row, "end")
        relation["evidence"].append(
            {
                "report": graph,
                "passage": binding_value(row, "passage"),
                "start": start,
                "end": end,
                "confidence": float(binding_value(row, "conf") or 0) or None,
                "text": _quote(binding_value(row, "text"), binding_int(row, "pstart"), start, end),
            }
        )
    return list(grouped.values())


async def _mentions(engine: SparqlEngine, term: str) -> list[dict[str, Any]]:
    rows = await select_json(
        engine,
        f"""SELECT ?r (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?p) AS ?n) WHERE {{
  ?p cnkg:mentions {term} ; dcterms:isPartOf ?r . OPTIONAL {{ ?r dcterms:title ?t }}
}} GROUP BY ?r ORDER BY DESC(?n) ?r""",
    )
    return [
        {
            "report": binding_value(r, "r"),
            "rid": rid_of(binding_value(r, "r") or ""),
            "title": binding_value(r, "title"),
            "passages": binding_int(r, "n"),
        }
        for r in rows
    ]


async def _facts(engine: SparqlEngine, slug: str) -> list[dict[str, Any]]:
    """Observations about the entity from every report, over time: by year (undated last), then report."""
    rows = await select_json(engine, fact_rows(about=slug) + " LIMIT 500", row_cap=500)
    facts = unique_observations(rows)
    facts.sort(key=lambda f: (f["year"] is None, f["year"] or 0, f["report"]["title"] or "", f["iri"] or ""))
    return facts


async def report_overview(engine: SparqlEngine, rid: str) -> dict[str, Any]:
    """Graph-side facts about a report: metadata, entities it mentions most, counts."""
    term = iri_term(report_iri(rid))
    meta = await select_json(engine, f"SELECT ?p ?o WHERE {{ GRAPH {term} {{ {term} ?p ?o }} }}")
    entities = await select_json(
        engine,
        f"""SELECT ?e (SAMPLE(?lab) AS ?label) (COUNT(DISTINCT ?p) AS ?n) WHERE {{
  GRAPH {term} {{ ?p cnkg:mentions ?e }} OPTIONAL {{ ?e skos:prefLabel ?lab }}
}} GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 50""",
    )
    return {
        "metadata": {
            (binding_value(row, "p") or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]: binding_value(row, "o")
            for row in meta
        },
        "entities": [
            {
                "iri": binding_value(e, "e"),
                "slug": slug_of(binding_value(e, "e") or ""),
                "label": binding_value(e, "label"),
                "passages": binding_int(e, "n"),
            }
            for e in entities
        ],
    }


def is_cnkg_iri(iri: str) -> bool:
    return iri.startswith(ID_BASE)
