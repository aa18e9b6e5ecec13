"""Serialisation with the row cap: exact counts, truncation flags, every format parses back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, format_by_name
from kg.sparql.results import serialize_solutions, serialize_triples, tsv_from_json


def _store(objects: Iterable[tuple[int, ox.Literal | ox.BlankNode]]) -> ox.Store:
    """A store of the triples ``<http://e/s{n}> <http://e/p> object`` for each (n, object), in that order."""
    store = ox.Store()
    for n, obj in objects:
        store.add(ox.Quad(ox.NamedNode(f"http://e/s{n}"), ox.NamedNode("http://e/p"), obj))
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    # literals with newlines, commas, quotes and tabs: the line counting must not be fooled
    return _store(
        pair
        for i in range(100)
        for pair in ((i, ox.Literal(f'line\n"{i}",\tx', language="zh")), (i, ox.BlankNode(f"b{i}")))
    )


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize(
    ("cap", "rows", "truncated"), [(10, 10, True), (200, 200, False), (1000, 200, False)]
)
def test_select_row_cap(store, fmt, cap, rows, truncated):
    out = serialize_solutions(store.query("SELECT ?s ?o { ?s ?p ?o }"), fmt, row_cap=cap)
    assert out.truncated == truncated
    assert out.rows == rows or (fmt.name == "json" and not truncated and out.rows == -1)  # -1: within the cap
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
    return _store((i % 700, ox.Literal(f'v\n"{i}"', language="zh")) for i in range(2_500))


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


# literal text made of the bytes that shape Oxigraph's JSON, to fool a count that reads JSON as text
_JSONISH = st.text(alphabet='{}[],:"\\ typeoxv\n', max_size=24)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(_JSONISH, min_size=0, max_size=12),
    optional=st.lists(st.booleans(), min_size=12, max_size=12),
    cap=st.integers(min_value=0, max_value=14),
)
def test_json_cut_from_its_bytes_matches_the_tsv_count(values, optional, cap):
    store = ox.Store()
    p, q = ox.NamedNode("http://e/p"), ox.NamedNode("http://e/q")
    for i, value in enumerate(values):
        subject = ox.NamedNode(f"http://e/s{i}")
        store.add(ox.Quad(subject, p, ox.Literal(value)))
        if optional[i]:
            store.add(ox.Quad(subject, q, ox.Literal(value[::-1], language="en")))
    query = "SELECT ?o ?x ?s { ?s <http://e/p> ?o OPTIONAL { ?s <http://e/q> ?x } } ORDER BY ?s"

    def run() -> ox.QuerySolutions:
        result = store.query(query)
        assert isinstance(result, ox.QuerySolutions)
        return result

    out = serialize_solutions(run(), format_by_name("json"), row_cap=cap, rerun=run)
    total = tsv_from_json(run().serialize(format=ox.QueryResultsFormat.JSON) or b"").count(b"\n") - 1
    assert out.truncated is (total > cap) and out.rows in (-1, min(total, cap))
    parsed = json.loads(out.body)
    assert parsed.get("truncated", False) is out.truncated
    full = json.loads(run().serialize(format=ox.QueryResultsFormat.JSON) or b"")
    assert parsed["results"]["bindings"] == full["results"]["bindings"][:cap]  # the first rows, intact


def test_json_with_empty_rows_is_counted_and_cut(store):
    query = "SELECT ?z { ?s ?p ?o OPTIONAL { ?s ?p ?z FILTER(false) } }"
    out = serialize_solutions(
        store.query(query), format_by_name("json"), row_cap=7, rerun=lambda: store.query(query)
    )
    assert (out.rows, out.truncated) == (7, True)
    assert json.loads(out.body)["results"]["bindings"] == [{}] * 7


def test_a_result_within_the_cap_is_the_writers_own_bytes(store):
    query = "SELECT ?s ?o { ?s ?p ?o }"
    out = serialize_solutions(store.query(query), format_by_name("json"), row_cap=1000)
    assert out.body == store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
    assert out.truncated is False
