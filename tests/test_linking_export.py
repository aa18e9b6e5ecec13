"""Dataset export (TriG, N-Quads, JSON-LD; whole store or one report) and the VoID description, on two
sample reports: both round-trip to the store's own counts."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from support.server import LiveServer, serve, server_settings

from kg.datadir import DataDir
from kg.errors import InputError, NotFoundError
from kg.export import EXPORT_FORMATS, export_dataset, export_to_file
from kg.namespaces import report_iri
from kg.store import GraphStore

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def datadir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    from ingest.pipeline import ingest_path

    datadir = DataDir(tmp_path_factory.mktemp("export"))
    for name in ("finops_2025.md", "serverless_2024.md"):
        ingest_path(SAMPLES / name, datadir)
    return datadir


@pytest.fixture(scope="module")
def store(datadir: DataDir) -> GraphStore:
    return GraphStore.open(datadir)


@pytest.fixture(scope="module")
def server(datadir: DataDir) -> Iterator[LiveServer]:
    with serve(server_settings(datadir.root)) as live:
        yield live


def _named(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    return {
        q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def _parse(data: bytes, fmt: str) -> list[ox.Quad]:
    return list(ox.parse(data, format=EXPORT_FORMATS[fmt]))


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_whole_store_export_round_trips(datadir, store, fmt):
    out = io.BytesIO()
    summary = export_dataset(datadir, fmt, out)
    quads = _parse(out.getvalue(), fmt)
    assert len(quads) == summary.quads == len(store)
    assert {q.graph_name.value for q in quads} == set(store.graph_names())
    # the ontology's blank nodes (OWL restrictions) get new names when parsed; everything else is identical
    # the store's default graph holds the union of the graphs (kg.union); an export holds the graphs
    assert _named(quads) == _named(q for q in store.oxigraph if not isinstance(q.graph_name, ox.DefaultGraph))


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_one_report_export_is_exactly_its_graph(datadir, store, fmt):
    rid = store.report_ids()[0]
    out = io.BytesIO()
    export_dataset(datadir, fmt, out, report=rid)
    expected = set(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(report_iri(rid))))
    assert set(_parse(out.getvalue(), fmt)) == expected


def test_export_to_file_and_bad_input(datadir, store, tmp_path):
    target = tmp_path / "graph.nq"
    export_to_file(datadir, "nquads", target)
    assert len(_parse(target.read_bytes(), "nquads")) == len(store)
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nq"]  # no temporary file left
    with pytest.raises(InputError):
        export_dataset(datadir, "rdfxml", io.BytesIO())
    with pytest.raises(NotFoundError):
        export_dataset(datadir, "trig", io.BytesIO(), report="no-such-report")


def test_cli_export_writes_trig_and_fails_cleanly(datadir, store, tmp_path):
    target = tmp_path / "all.trig"
    cli = [sys.executable, "-m", "api.cli", "export", "--data", str(datadir.root)]
    done = subprocess.run([*cli, "--format", "trig", "--output", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(_parse(target.read_bytes(), "trig")) == len(store)
    bad = subprocess.run([*cli, "--format", "xml"], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("cnkg: error:") and "Traceback" not in bad.stderr


def _void(server: LiveServer, accept: str, fmt: str) -> rdflib.Graph:
    with server.client() as client:
        response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.text, format=fmt)


def _dataset(graph: rdflib.Graph) -> rdflib.term.Node:
    return next(s for s in graph.subjects(VOID.sparqlEndpoint, None))


def test_void_counts_equal_the_store(server, store):
    graph = _void(server, "text/turtle", "turtle")
    dataset = _dataset(graph)
    assert int(graph.value(dataset, VOID.triples)) == len(store)
    assert str(graph.value(dataset, VOID.sparqlEndpoint)).endswith("/sparql")
    assert str(graph.value(dataset, VOID.uriSpace)) == "https://w3id.org/cnkg/id/"
    subsets = {
        graph.value(s, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name")): s
        for s in graph.objects(dataset, VOID.subset)
    }
    for rid in store.report_ids():
        size = sum(
            1 for _ in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(report_iri(rid)))
        )
        assert int(graph.value(subsets[rdflib.URIRef(report_iri(rid))], VOID.triples)) == size


def test_void_linkset_counts_wikidata_links(server, store):
    graph = _void(server, "text/turtle", "turtle")
    linkset = next(graph.subjects(rdflib.RDF.type, VOID.Linkset))
    links = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s skos:exactMatch ?o "
        "FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/entity/')) } }"
    )
    assert int(graph.value(linkset, VOID.triples)) == int(links[0]["n"].value) > 0
    assert graph.value(linkset, VOID.linkPredicate) == rdflib.SKOS.exactMatch
    partitions = {graph.value(p, VOID["class"]) for p in graph.objects(_dataset(graph), VOID.classPartition)}
    assert rdflib.URIRef("https://w3id.org/cnkg/ontology#Vendor") in partitions


def test_void_as_json_ld_and_n_triples(server, store):
    for accept, fmt in (("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        graph = _void(server, accept, fmt)
        assert int(graph.value(_dataset(graph), VOID.triples)) == len(store)
