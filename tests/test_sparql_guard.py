"""The query guard: classification, SERVICE/LOAD refusal that strings and comments cannot fool, size cap,
and folding of using-graph-uri parameters into updates."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.namespaces import PREFIXES
from kg.sparql.errors import PayloadTooLargeError, QueryRefusedError
from kg.sparql.guard import QueryForm, UsingDataset, inspect_query, inspect_update


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", QueryForm.SELECT),
        ("prefix ex: <http://e/> base <http://b/> ask { ?s ex:p ?o }", QueryForm.ASK),
        ("# comment\nCONSTRUCT WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("DESCRIBE <http://e/x>", QueryForm.DESCRIBE),
    ],
)
def test_query_form(query, form):
    assert inspect_query(query, max_chars=1000).form is form


def test_from_is_detected():
    assert inspect_query("SELECT * FROM <http://g/> { ?s ?p ?o }", max_chars=1000).has_dataset
    assert not inspect_query("SELECT ?from { ?from ?p 'FROM' }", max_chars=1000).has_dataset


@pytest.mark.parametrize(
    ("query", "names_graphs"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("SELECT ?graph { ?graph <http://p/GRAPH> 'GRAPH ?g { }' }", False),  # the word, not the pattern
        ("DESCRIBE <http://e/x>", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", False),
        ("SELECT * { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT * { ?s ?p ?o OPTIONAL { graph <http://g/> { ?s ?q ?v } } }", True),
        ("ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }", True),
        ("SELECT * { { SELECT ?g { GRAPH ?g { } } } ?s ?p ?g }", True),
        ("SELECT (EXISTS { GRAPH ?g { ?s ?p ?o } } AS ?in) { ?s ?p ?o }", True),
    ],
)
def test_graph_patterns_are_found_wherever_nested(query: str, names_graphs: bool) -> None:
    # a query that names no graph is run on the store of the default graph alone (kg.store.store_for)
    assert inspect_query(query, max_chars=1000).names_graphs is names_graphs


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        "select * { service silent ?endpoint { ?s ?p ?o } }",
        "SELECT * { SeRvIcE<http://x/>{ ?s ?p ?o } }",
        "SELECT * { SERVIC\\u0045 <http://x/> { ?s ?p ?o } }",
        "SELECT * { OPTIONAL { SERVICE <http://x/> { ?s ?p ?o } } }",
        "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    ],
)
def test_service_refused(query):
    with pytest.raises(QueryRefusedError):
        inspect_query(query, max_chars=1000)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service { ?service ?p 'SERVICE <http://x/> {}' }",
        'SELECT * { ?s ?p """\nSERVICE <http://x/>\n""" }',
        "SELECT * { ?s <http://e/SERVICE> ?o } # SERVICE <http://x/>",
        "PREFIX service: <http://e/> SELECT * { ?s service:SERVICE ?o }",
    ],
)
def test_service_word_elsewhere_is_fine(query):
    operation = inspect_query(query, max_chars=1000)
    assert (operation.text, operation.form, operation.has_dataset) == (query, QueryForm.SELECT, False)


def test_service_allowed_when_enabled():
    query = "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"
    operation = inspect_query(query, max_chars=1000, allow_service=True)
    assert (operation.text, operation.form, operation.has_dataset) == (query, QueryForm.SELECT, False)
    with pytest.raises(QueryRefusedError):
        inspect_query(query, max_chars=1000)


def test_size_cap():
    with pytest.raises(PayloadTooLargeError):
        inspect_query("SELECT * {}" + " " * 100, max_chars=100)


def test_empty_query():
    with pytest.raises(InputError):
        inspect_query("  # nothing\n", max_chars=100)


def test_update_as_query_and_query_as_update():
    with pytest.raises(InputError, match="Update"):
        inspect_query("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }", max_chars=1000)
    with pytest.raises(InputError, match="query"):
        inspect_update("SELECT * {}", max_chars=1000)


def test_load_refused_even_when_service_allowed():
    with pytest.raises(QueryRefusedError, match="LOAD"):
        inspect_update(
            "LOAD <http://127.0.0.1:9/x.ttl> INTO GRAPH <http://g/>", max_chars=1000, allow_service=True
        )


def test_using_parameters_become_using_clauses():
    op = inspect_update(
        "INSERT { GRAPH <http://g/> { ?s a <http://e/C> } } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b ?c }",
        max_chars=1000,
        using=UsingDataset(("http://d/",), ("http://n/",)),
    )
    assert "}  USING <http://d/> USING NAMED <http://n/> WHERE { ?s ?p ?o }" in op.text
    assert op.text.endswith("DELETE WHERE { ?a ?b ?c }")
    ox.Store().update(op.text)  # still valid SPARQL


def test_using_parameters_conflict_with_with():
    with pytest.raises(InputError, match="cannot be combined"):
        inspect_update(
            "WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
            max_chars=1000,
            using=UsingDataset(("x:y",)),
        )


_SEPARATORS = st.sampled_from([" ", "\n", "\t", "#x\n", "", "  "])
_WRAPPERS = st.sampled_from(
    [
        "{}",
        "OPTIONAL {{ {} }}",
        "FILTER EXISTS {{ {} }}",
        "MINUS {{ {} }}",
        "{{ SELECT * {{ {} }} }}",
        "{{ {} }} UNION {{ ?a ?b ?c }}",
        "GRAPH ?g {{ {} }}",
    ]
)
_DECOYS = st.sampled_from(
    [
        "",
        "BIND('SERVICE' AS ?x)",
        "?s <http://e/SERVICE> ?o .",
        "# SERVICE <x:y>\n",
        # escaped local names: the old tokenizer read '\#' as the start of a comment (issue 12)
        "BIND(dcterms:x\\#y AS ?z)",
        "?s0 ?p0 dcterms:x\\#y .",
        "?s0 ?p0 dcterms:x\\'y .",
        "FILTER(?s0 != dcterms:a\\.b\\-c\\~d)",
        "VALUES ?v { dcterms:x\\#y }",
    ]
)


@st.composite
def _service_queries(draw: st.DrawFn) -> str:
    keyword = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in "service")
    if draw(st.booleans()):
        keyword = keyword[:-1] + "\\u0045"
    silent = draw(st.sampled_from(["", "SILENT ", "silent "]))
    clause = (
        f"{keyword}{draw(_SEPARATORS)}{silent}<http://127.0.0.1:1/sparql>{draw(_SEPARATORS)}{{ ?s ?p ?o }}"
    )
    return f"SELECT * {{ {draw(_DECOYS)} {draw(_WRAPPERS).format(clause)} }}"


@settings(max_examples=200, deadline=None)
@given(_service_queries())
def test_every_service_call_oxigraph_would_make_is_refused(query):
    """If Oxigraph would call out (it raises OSError trying to reach 127.0.0.1:1), the guard refused first:
    as SERVICE (403) or as a request its parser cannot read (400), never passed on."""
    try:
        list(ox.Store().query(query, prefixes=PREFIXES))
        calls_out = False
    except OSError:
        calls_out = True
    except SyntaxError:
        calls_out = False
    if calls_out:
        with pytest.raises(InputError):
            inspect_query(query, max_chars=10_000)
