"""The default graph is the set union of the named graphs (kg.union), in memory and on disk: a triple
two report graphs state is one triple of the default graph, stays there while any graph states it, and
leaves with the last one; GRAPH ?g and the protocol's datasets still see the graphs one by one."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import pytest
from support.datadirs import copied_datadir, graph_only_samples
from support.faults import run_cnkg

from kg import diskstore
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.namespaces import report_iri
from kg.sparql.graphs import merge_report_graph, replace_report_graph
from kg.sparql.guard import QueryForm, inspect_query
from kg.sparql.worker import QueryJob, graph_nquads, run_query
from kg.store import Backend, GraphStore
from kg.union import triples_of

SHARED = ("urn:x:shared", "urn:x:says", "urn:x:both")  # a triple both report graphs state
SHARED_PATTERN = "<urn:x:shared> <urn:x:says> <urn:x:both>"
DEFAULT_ROWS = f"SELECT * WHERE {{ {SHARED_PATTERN} }}"
GRAPH_ROWS = f"SELECT ?g WHERE {{ GRAPH ?g {{ {SHARED_PATTERN} }} }}"
ALL_DEFAULT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
ALL_NAMED = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
# the ways a store is opened: in memory, in memory with the default graph also kept apart (a query
# worker's), on disk
APART = "memory, default graph apart"
BACKENDS: tuple[str, ...] = ("memory", APART, "disk")


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Path:
    """Two sample reports (graph only), each graph also stating SHARED; no on-disk store yet."""
    root = graph_only_samples(tmp_path_factory.mktemp("union") / "data", sample_paths[:2])
    datadir = DataDir(root)
    for rid in datadir.read_manifest().reports:
        graph = report_iri(rid)
        merge_report_graph(datadir, graph, f"{SHARED_PATTERN} <{graph}> .\n".encode())
    return root


@pytest.fixture
def data(two_reports: Path, tmp_path: Path) -> DataDir:
    return copied_datadir(two_reports, tmp_path)


def _open(data: DataDir, backend: str) -> GraphStore:
    if backend == "disk":
        diskstore.ensure(data, timeout=60)
    if backend == APART:
        return GraphStore.open(data, "memory", default_graph_apart=True)
    return GraphStore.open(data, cast(Backend, backend))


def _rows(store: GraphStore, sparql: str) -> list[tuple[str, ...]]:
    return [tuple(str(term) for term in row.values()) for row in store.select(sparql)]


def assert_default_is_the_union(store: GraphStore) -> None:
    """Every triple of a named graph is in the default graph exactly once, and nothing else is; so in the
    store of the default graph alone, when the store keeps one."""
    default = _rows(store, ALL_DEFAULT)
    assert len(default) == len(set(default))
    assert set(default) == set(_rows(store, ALL_NAMED))
    if store.default_only is not None:
        apart = [tuple(str(t) for t in (q.subject, q.predicate, q.object)) for q in store.default_only]
        assert len(apart) == len(default) and set(apart) == set(default)
        assert not list(store.default_only.named_graphs())


def _rids(data: DataDir) -> list[str]:
    return sorted(data.read_manifest().reports)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_triple_two_reports_state_is_one_triple_of_the_default_graph(data: DataDir, backend: str) -> None:
    store = _open(data, backend)
    assert store.on_disk == (backend == "disk")
    assert len(store.select(DEFAULT_ROWS)) == 1
    count = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {SHARED_PATTERN} }}")
    assert count[0]["n"].value == "1"  # COUNT is not inflated by the reports that state it
    graphs = sorted(row["g"].value for row in store.select(GRAPH_ROWS))
    assert graphs == [report_iri(rid) for rid in _rids(data)]  # once per graph with GRAPH ?g
    assert_default_is_the_union(store)
    # len() counts the quads of the named graphs (an export's), not the default graph's copies
    default = len(store.select(ALL_DEFAULT))
    assert len(store) == len(store.oxigraph) - default > default


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_triple_stays_until_the_last_report_stating_it_is_deleted(data: DataDir, backend: str) -> None:
    store = _open(data, backend)
    first, second = _rids(data)
    Catalog(data).delete(first)
    assert store.sync() is True
    assert len(store.select(DEFAULT_ROWS)) == 1
    assert [row["g"].value for row in store.select(GRAPH_ROWS)] == [report_iri(second)]
    assert_default_is_the_union(store)
    Catalog(data).delete(second)
    assert store.sync() is True
    assert store.select(DEFAULT_ROWS) == [] and store.select(GRAPH_ROWS) == []
    assert_default_is_the_union(store)  # only the lexicon is left, in both


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_changed_report_takes_away_only_what_no_other_graph_states(data: DataDir, backend: str) -> None:
    store = _open(data, backend)
    rids = _rids(data)
    for n, rid in enumerate(rids):
        graph = report_iri(rid)
        kept = [q for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
        kept = [q for q in kept if q.subject != ox.NamedNode(SHARED[0])]
        replace_report_graph(data, graph, ox.serialize(kept, format=ox.RdfFormat.N_QUADS) or b"")
        assert store.sync() is True
        assert len(store.select(DEFAULT_ROWS)) == (1 if n == 0 else 0)
        assert_default_is_the_union(store)


@pytest.mark.parametrize("backend", BACKENDS)
def test_worker_jobs_read_the_set_and_protocol_datasets_keep_their_meaning(
    data: DataDir, backend: str
) -> None:
    store = _open(data, backend)
    first, second = (report_iri(rid) for rid in _rids(data))

    def rows(query: str, **dataset: tuple[str, ...] | bool) -> int:
        names_graphs = inspect_query(query, max_chars=10_000).names_graphs  # as the server's guard says
        job = QueryJob(query, QueryForm.SELECT, "json", 1000, names_graphs=names_graphs, **dataset)  # type: ignore[arg-type]
        ran_on = store.store_for(job.reads_default_graph_only)
        assert (ran_on is not store.oxigraph) == (
            store.default_only is not None and not (names_graphs or dataset)
        )
        return len(json.loads(run_query(ran_on, job).body)["results"]["bindings"])

    assert rows(DEFAULT_ROWS) == 1
    assert rows(GRAPH_ROWS) == 2
    assert rows(DEFAULT_ROWS, default_graphs=(first,)) == 1  # default-graph-uri: that graph only
    assert rows(GRAPH_ROWS, default_graphs=(), named_graphs=(second,)) == 1  # named-graph-uri
    assert rows(f"SELECT * FROM <{second}> WHERE {{ {SHARED_PATTERN} }}", has_dataset=True) == 1
    assert rows(f"SELECT * FROM NAMED <{first}> WHERE {{ {SHARED_PATTERN} }}", has_dataset=True) == 0
    assert (
        rows(f"SELECT ?g FROM NAMED <{first}> WHERE {{ GRAPH ?g {{ {SHARED_PATTERN} }} }}", has_dataset=True)
        == 1
    )
    # the Graph Store's default graph (GET ?default: this CONSTRUCT) is the set, the shared triple once
    job = QueryJob("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT, "ntriples", 10**6)
    lines = run_query(store.oxigraph, job).body.decode().splitlines()
    assert len(lines) == len(set(lines)) and lines.count(f"{SHARED_PATTERN} .") == 1
    # a report graph read back (Graph Store GET, an update's diff) holds its own quads only
    lines = graph_nquads(store.oxigraph, first).decode().splitlines()
    assert lines and all(line.endswith(f"<{first}> .") for line in lines)


def test_a_store_rebuilt_after_a_crash_keeps_the_union(data: DataDir, sample_paths: list[Path]) -> None:
    diskstore.ensure(data, timeout=60)
    args = ("ingest", "--no-index", "--data", str(data.root), str(sample_paths[2]))
    proc = run_cnkg(*args, env={"CNKG_CRASH_AT": "inside-store-update"})
    assert proc.returncode == -signal.SIGKILL
    assert (data.root / diskstore.STORE_DIR / "live.dirty").exists()
    again = run_cnkg(*args)  # finds live.dirty: rebuilds the live store from the N-Quads files
    assert again.returncode == 0, again.stderr
    store = GraphStore.open(data, "disk")
    assert len(store.report_ids()) == 3
    assert len(store.select(DEFAULT_ROWS)) == 1 and len(store.select(GRAPH_ROWS)) == 2
    assert_default_is_the_union(store)
    Catalog(data).delete(_rids(data)[0])  # and the rebuilt store is maintained like any other
    store.sync()
    assert_default_is_the_union(store)


def test_a_store_of_the_former_format_is_rebuilt(data: DataDir) -> None:
    diskstore.ensure(data, timeout=60)
    state = data.root / diskstore.STORE_DIR / "live.json"
    state.write_text(state.read_text().replace(f'"format": {diskstore.STORE_FORMAT}', '"format": 1'))
    live = data.root / diskstore.LIVE_DIR
    store = ox.Store(str(live))
    store.remove_graph(ox.DefaultGraph())  # what a format-1 store holds: no union
    del store
    Catalog(data).delete(_rids(data)[0])  # the next commit
    reader = GraphStore.open(data, "disk")
    assert len(reader.select(DEFAULT_ROWS)) == 1
    assert_default_is_the_union(reader)


BLANK = "<urn:x:blank> <urn:x:of>"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_blank_node_of_a_report_is_the_same_node_in_the_default_graph(data: DataDir, backend: str) -> None:
    store = _open(data, backend)
    graph = report_iri(_rids(data)[0])
    merge_report_graph(
        data, graph, f"_:b {BLANK} <{graph}> .\n<urn:x:s> <urn:x:has> _:b <{graph}> .\n".encode()
    )
    graph_file = data.read_manifest().reports[_rids(data)[0]].graph_file
    assert triples_of(data.path(graph_file), graph) is None
    assert store.sync() is True
    same = (
        f"ASK {{ GRAPH <{graph}> {{ ?b {BLANK} }} ?b {BLANK} . <urn:x:s> <urn:x:has> ?b FILTER isBlank(?b) }}"
    )
    assert store.ask(same)
    assert len(store.select(f"SELECT ?b WHERE {{ ?b {BLANK} }}")) == 1
    assert_default_is_the_union(store)  # the lexicon's blank nodes (OWL restrictions) as well
    Catalog(data).delete(_rids(data)[0])
    store.sync()
    assert store.select(f"SELECT ?b WHERE {{ ?b {BLANK} }}") == []
    assert_default_is_the_union(store)


def test_a_reloaded_lexicon_leaves_no_former_blank_node_behind(data: DataDir) -> None:
    diskstore.ensure(data, timeout=60)
    state = data.root / diskstore.STORE_DIR / "live.json"
    held = json.loads(state.read_text())
    state.write_text(json.dumps({**held, "lexicon": "an older ontology"}))
    Catalog(data).delete(_rids(data)[0])  # the next commit reloads the lexicon graph
    store = GraphStore.open(data, "disk")
    assert_default_is_the_union(store)


def test_only_canonical_report_files_are_cut_into_triples(tmp_path: Path) -> None:
    path = tmp_path / "g.nq"
    graph = ox.NamedNode("urn:g")
    objects = [ox.NamedNode("urn:o"), ox.Literal('a < b" <urn:g> .\n<c> .', language="en")]  # a graph name?
    quads = [ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), o, graph) for o in objects]
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    triples = triples_of(path, "urn:g")
    assert triples is not None
    assert [t.object for t in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)] == objects
    for odd in (
        "<urn:s> <urn:p> <urn:o> <urn:g> .",  # no final line break
        "# a comment\n<urn:s> <urn:p> <urn:o> <urn:g> .\n",
        "<urn:s> <urn:p> <urn:o> <urn:g>.\n",  # not the form pyoxigraph writes
        "<urn:s> <urn:p> _:b <urn:g> .\n",  # a blank node: copied from the store, which keeps it
        "<urn:s> <urn:p> <urn:o> <urn:other> .\n",  # another graph's quad
        "<urn:s> <urn:p> <urn:o> .\n<urn:s> <urn:p> <urn:o> <urn:g> .\n",  # a triple of the default graph
    ):
        path.write_text(odd)
        assert triples_of(path, "urn:g") is None, odd
