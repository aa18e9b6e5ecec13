"""The graph path of /ask over real reports (the corpus report and the samples, ingested for real): which
statement cites a relation when several reports or passages state it, how much text is read for it, and
that the two-hop lookup finds the same (answer, middle) pairs as the plain join."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kg.namespaces import CNKG, entity_iri
from kg.qa.graph_relations import (
    _HOP_TYPES,
    MAX_CANDIDATES,
    Hop,
    RelationPlan,
    _candidates,
    _statements,
)
from kg.qa.question import LinkedEntity
from kg.qa.sentences import sentence_at
from kg.qa.source import Select, store_select
from kg.sparql.resources import iri_term
from kg.store import GraphStore


class Recorder:
    """A Select that keeps each query it runs and the number of rows it returned."""

    def __init__(self, store: GraphStore) -> None:
        self.inner = store_select(store)
        self.calls: list[tuple[str, int]] = []
        self.rows: list[list[dict[str, Any]]] = []

    async def __call__(self, sparql: str) -> list[dict[str, Any]]:
        rows = await self.inner(sparql)
        self.calls.append((sparql, len(rows)))
        self.rows.append(rows)
        return rows


def _rows(select: Select, sparql: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        return await select(sparql)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def restated(graph_store: GraphStore) -> list[tuple[str, str, str]]:
    """Relations the reports state more than once (in several passages or reports), most stated first."""
    rows = _rows(
        store_select(graph_store),
        """SELECT ?s ?p ?o (COUNT(DISTINCT ?passage) AS ?n) WHERE {
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?passage .
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/cnkg/id/entity/"))
} GROUP BY ?s ?p ?o HAVING (COUNT(DISTINCT ?passage) > 1) ORDER BY DESC(?n) ?s ?p ?o LIMIT 40""",
    )
    assert len(rows) >= 5, "the real reports restate relations: the test needs some"
    return [(r["s"]["value"], r["p"]["value"], r["o"]["value"]) for r in rows]


def _best_statement(select: Select, triple: tuple[str, str, str]) -> dict[str, Any]:
    """The statement that should cite ``triple``, read with every statement's passage text (the plain
    query the lookup replaces): highest confidence, then first passage, then first offset."""
    s, p, o = (iri_term(t) for t in triple)
    rows = _rows(
        select,
        f"""SELECT ?passage ?r ?start ?end ?text ?pstart WHERE {{
  ?st rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; prov:wasDerivedFrom ?passage ;
      cnkg:start ?start ; cnkg:end ?end ; cnkg:confidence ?conf .
  ?passage cnkg:text ?text ; cnkg:start ?pstart ; dcterms:isPartOf ?r .
}} ORDER BY DESC(?conf) ?passage ?start""",
    )
    assert len(rows) > 1
    return rows[0]


def test_each_restated_relation_is_cited_once_by_its_best_statement(graph_store, restated):
    select = Recorder(graph_store)
    cited = asyncio.run(_statements(select, restated))
    assert set(cited) == set(restated)
    for triple in restated:
        best = _best_statement(select.inner, triple)
        evidence = cited[triple]
        sentence = sentence_at(
            best["text"]["value"],
            int(best["pstart"]["value"]),
            int(best["start"]["value"]),
            int(best["end"]["value"]),
        )
        assert (evidence.passage, evidence.report) == (best["passage"]["value"], best["r"]["value"])
        assert (evidence.text, evidence.start, evidence.end) == (sentence.text, sentence.start, sentence.end)


def _statement_rows(rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    names = ("s", "p", "o", "passage", "start", "end", "conf")
    return sorted(tuple(row[n]["value"] for n in names) for row in rows)


def test_statements_read_per_report_graph_are_those_of_the_union(graph_store, restated):
    """Looked up inside the report graphs that assert each triple, the statements (and their repeats, one
    per report or passage) are exactly those the plain join over the union default graph finds."""
    select = Recorder(graph_store)
    asyncio.run(_statements(select, restated))
    values = " ".join(f"({' '.join(iri_term(t) for t in triple)})" for triple in restated)
    plain = _rows(
        select.inner,
        f"""SELECT ?s ?p ?o ?passage ?start ?end ?conf WHERE {{
  VALUES (?s ?p ?o) {{ {values} }}
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?passage ;
      cnkg:start ?start ; cnkg:end ?end ; cnkg:confidence ?conf .
}}""",
    )
    assert len(plain) > len(restated)
    assert _statement_rows(select.rows[0]) == _statement_rows(plain)


def test_passage_text_is_read_once_per_cited_passage_not_once_per_statement(graph_store, restated):
    select = Recorder(graph_store)
    cited = asyncio.run(_statements(select, restated))
    statements, texts = select.calls  # the statements without their text, then the chosen passages' text
    assert "cnkg:text" not in statements[0] and "cnkg:text" in texts[0]
    assert statements[1] > len(restated)  # every restatement is a row of the first query …
    assert texts[1] == len({e.passage for e in cited.values()}) <= len(restated)  # … one text per citation


def test_a_triple_asked_twice_is_looked_up_once(graph_store, restated):
    select = Recorder(graph_store)
    once = asyncio.run(_statements(select, restated[:3]))
    rows_once = select.calls[0][1]
    select.calls.clear()
    twice = asyncio.run(_statements(select, restated[:3] * 2))  # a two-hop answer repeats its inner hop
    assert twice == once and select.calls[0][1] == rows_once


def test_no_triples_no_query(graph_store):
    select = Recorder(graph_store)
    assert asyncio.run(_statements(select, [])) == {}
    assert select.calls == []


def test_two_hop_candidates_are_those_of_the_plain_join(graph_store):
    select = store_select(graph_store)
    anchor = "kubernetes"
    plan = RelationPlan(
        LinkedEntity(anchor, "Kubernetes", 0, 10), (Hop("offers", True), Hop("basedOn", True))
    )
    found = {(r["x"], r["y"]) for r in asyncio.run(_candidates(select, plan))}
    types = " ".join(iri_term(CNKG + t) for t in sorted(_HOP_TYPES))
    plain = _rows(
        select,
        f"""SELECT DISTINCT ?x ?y WHERE {{
  ?y cnkg:basedOn {iri_term(entity_iri(anchor))} . ?y a ?yt . VALUES ?yt {{ {types} }}
  ?x cnkg:offers ?y . FILTER(?x != ?y)
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "https://w3id.org/cnkg/id/entity/"))
}}""",
    )
    assert 0 < len(plain) < MAX_CANDIDATES  # under the cap, every pair comes back
    assert found == {(r["x"]["value"], r["y"]["value"]) for r in plain}
