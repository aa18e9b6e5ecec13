"""Serialisation with the row cap: exact counts, truncation flags, every format parses back."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from kg.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, format_by_name
from kg.sparql.results import serialize_solutions, serialize_triples


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    p = ox.NamedNode("http://e/p")
    for i in range(100):
        # literals with newlines, commas, quotes and tabs: the line counting must not be fooled
        store.add(ox.Quad(ox.NamedNode(f"http://e/s{i}"), p, ox.Literal(f'line\n"{i}",\tx', language="zh")))
        store.add(ox.Quad(ox.NamedNode(f"http://e/s{i}"), p, ox.BlankNode(f"b{i}")))
    return store


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize(
    ("cap", "rows", "truncated"), [(10, 10, True), (200, 200, False), (1000, 200, False)]
)
def test_select_row_cap(store, fmt, cap, rows, truncated):
    out = serialize_solutions(store.query("SELECT ?s ?o { ?s ?p ?o }"), fmt, row_cap=cap)
    assert (out.rows, out.truncated) == (rows, truncated)
    if fmt.name == "csv":  # lossy, so Oxigraph does not parse it back
        assert len(list(csv.reader(io.StringIO(out.body.decode())))) == rows + 1
    else:
        assert fmt.results is not None
        assert len(list(ox.parse_query_results(out.body, format=fmt.results))) == rows  # type: ignore[arg-type]


def test_json_truncation_field(store):
    out = serialize_solutions(store.query("SELECT ?s { ?s ?p ?o }"), format_by_name("json"), row_cap=3)
    body = json.loads(out.body)
    assert body["truncated"] is True and body["rowCap"] == 3 and len(body["results"]["bindings"]) == 3


def test_literals_survive_the_round_trip(store):
    out = serialize_solutions(
        store.query("SELECT ?o { <http://e/s7> ?p ?o FILTER isLiteral(?o) }"),
        format_by_name("json"),
        row_cap=10,
    )
    binding = json.loads(out.body)["results"]["bindings"][0]["o"]
    assert binding == {"type": "literal", "value": 'line\n"7",\tx', "xml:lang": "zh"}


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_construct_row_cap(store, fmt):
    out = serialize_triples(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), fmt, row_cap=25)
    assert (out.rows, out.truncated) == (25, True)
    assert fmt.rdf is not None
    assert len(list(ox.parse(out.body, format=fmt.rdf))) == 25


@pytest.fixture(scope="module")
def big_store() -> ox.Store:
    """More triples than PRETTY_LIMIT, so Turtle/TriG/N3 take the path without prefixes."""
    store = ox.Store()
    p = ox.NamedNode("http://e/p")
    for i in range(2_500):
        store.add(ox.Quad(ox.NamedNode(f"http://e/s{i % 700}"), p, ox.Literal(f'v\n"{i}"', language="zh")))
    return store


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize(
    ("cap", "rows", "truncated"),
    [(10, 10, True), (2_000, 2_000, True), (2_001, 2_001, True), (2_499, 2_499, True), (2_500, 2_500, False)],
)
def test_large_construct_row_cap(big_store, fmt, cap, rows, truncated):
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    out = serialize_triples(big_store.query(query), fmt, row_cap=cap)
    assert (out.rows, out.truncated) == (rows, truncated)
    assert fmt.rdf is not None
    parsed = {(q.subject, q.predicate, q.object) for q in ox.parse(out.body, format=fmt.rdf)}
    everything = {(t.subject, t.predicate, t.object) for t in big_store.query(query)}
    assert len(parsed) == rows and parsed <= everything
