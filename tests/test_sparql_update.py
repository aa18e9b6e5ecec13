"""SPARQL Update semantics on a copy of the data directory: only report graphs change, the default graph
is the read-only union, and what changed is persisted atomically."""

from __future__ import annotations

import pytest
from support.server import RID, make_datadir

from kg.datadir import DataDir
from kg.namespaces import LEXICON_GRAPH, report_iri
from kg.sparql.errors import ReadOnlyGraphError
from kg.sparql.graphs import apply_update, report_rid
from kg.sparql.guard import inspect_update
from kg.store import GraphStore

GRAPH = report_iri(RID)


@pytest.fixture
def datadir(tmp_path) -> DataDir:
    return make_datadir(tmp_path)


def _update(datadir: DataDir, text: str) -> list[str]:
    return apply_update(
        datadir, inspect_update(text, max_chars=10_000), base_iri="http://127.0.0.1/sparql", timeout=30
    )


def test_where_sees_the_union_and_changes_are_persisted(datadir):
    changed = _update(
        datadir,
        f"INSERT {{ GRAPH <{GRAPH}> {{ ?e cnkg:mentionedIn <{GRAPH}> }} }} "
        "WHERE { ?p cnkg:mentions ?e . ?e skos:prefLabel ?label }",  # labels live in the lexicon graph
    )
    assert changed == [RID]
    store = GraphStore.open(datadir)
    assert store.ask(f"ASK {{ GRAPH <{GRAPH}> {{ ent:kubernetes cnkg:mentionedIn <{GRAPH}> }} }}")
    assert not store.ask(f"ASK {{ GRAPH <{LEXICON_GRAPH}> {{ ?e cnkg:mentionedIn ?r }} }}")


def test_relative_iris_resolve_against_the_endpoint(datadir):
    _update(datadir, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://e/s> <http://e/p> <test> }} }}")
    assert GraphStore.open(datadir).ask("ASK { <http://e/s> <http://e/p> <http://127.0.0.1/test> }")


def test_unchanged_update_writes_nothing(datadir):
    before = datadir.read_manifest().generation
    assert _update(datadir, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ <urn:x> <urn:y> <urn:z> }} }}") == []
    assert datadir.read_manifest().generation == before


@pytest.mark.parametrize(
    "text",
    [
        "DELETE WHERE { ?s ?p ?o }",
        f"DROP GRAPH <{LEXICON_GRAPH}>",
        "CREATE GRAPH <http://e/new> ; INSERT DATA { GRAPH <http://e/new> { <urn:a> <urn:b> <urn:c> } }",
        f"INSERT DATA {{ GRAPH <{report_iri('0' * 16)}> {{ <urn:a> <urn:b> <urn:c> }} }}",
    ],
)
def test_refused_updates_leave_the_directory_untouched(datadir, text):
    before = datadir.read_manifest().to_json()
    with pytest.raises(ReadOnlyGraphError):
        _update(datadir, text)
    assert datadir.read_manifest().to_json() == before


def test_clearing_a_report_graph_empties_it(datadir):
    assert _update(datadir, f"CLEAR GRAPH <{GRAPH}>") == [RID]
    assert not GraphStore.open(datadir).ask(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert RID in datadir.read_manifest().reports  # the report (text, indexes) stays


def test_report_rid():
    assert report_rid(GRAPH) == RID
    assert report_rid(LEXICON_GRAPH) is None
