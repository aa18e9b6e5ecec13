"""The on-disk graph store (kg.diskstore): kept by every writer, opened read-only by the query workers,
which answer exactly what in-memory workers answer, follow each commit, cannot write, and survive a
writer killed at any step of a commit."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.datadirs import copied_datadir, graph_only_samples
from support.faults import assert_consistent, run_cnkg

from kg import diskstore
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.errors import CnkgError
from kg.namespaces import LEXICON_GRAPH, report_iri
from kg.sparql.graphs import apply_update
from kg.sparql.guard import QueryForm, inspect_update
from kg.sparql.pool import QueryPool, resolve_graph_store
from kg.sparql.process import WorkerProcess
from kg.sparql.worker import QueryJob, UpdateJob, WorkerSetup
from kg.store import GraphStore

COUNT_REPORTS = QueryJob("SELECT (COUNT(?r) AS ?n) WHERE { ?r a cnkg:Report }", QueryForm.SELECT, "json", 10)
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Path:
    """A data directory with the first two samples (graph only) and no on-disk store yet."""
    return graph_only_samples(tmp_path_factory.mktemp("disk-store") / "data", sample_paths[:2])


@pytest.fixture
def data(two_reports: Path, tmp_path: Path) -> DataDir:
    return copied_datadir(two_reports, tmp_path)


def _per_graph(store: GraphStore) -> list[tuple[str, int]]:
    return [(row["g"].value, int(row["n"].value)) for row in store.select(PER_GRAPH)]


def _named(store: GraphStore) -> set[ox.Quad]:
    return {
        q
        for q in store.oxigraph
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def _snapshots(datadir: DataDir) -> set[str]:
    return {p.name for p in (datadir.root / diskstore.STORE_DIR).glob("snapshot-*")}


def test_the_disk_store_holds_exactly_what_a_memory_worker_loads(data: DataDir) -> None:
    assert resolve_graph_store("auto", data.read_manifest()) == "memory"  # small, no store yet
    snapshot = diskstore.ensure(data, timeout=30)
    assert snapshot.is_dir() and resolve_graph_store("auto", data.read_manifest()) == "disk"
    memory, disk = GraphStore.open(data, "memory"), GraphStore.open(data, "disk")
    assert disk.on_disk and disk.snapshot == snapshot and not memory.on_disk
    assert len(disk) == len(memory) > 1_000
    assert disk.report_ids() == memory.report_ids() and len(disk.report_ids()) == 2
    assert _per_graph(disk) == _per_graph(memory)
    assert _named(disk) == _named(memory)  # the same quads (but the ontology's blank nodes)


def test_a_commit_updates_the_store_and_readers_reopen_the_new_snapshot(
    data: DataDir, sample_paths: list[Path]
) -> None:
    first = diskstore.ensure(data, timeout=30)
    reader = GraphStore.open(data, "disk")
    gone = reader.report_ids()[0]
    Catalog(data).delete(gone)
    assert reader.sync() is True and reader.snapshot != first
    assert gone not in reader.report_ids()
    assert not reader.oxigraph.contains_named_graph(ox.NamedNode(report_iri(gone)))
    assert _per_graph(reader) == _per_graph(GraphStore.open(data, "memory"))
    assert first.is_dir()  # generation N's snapshot stays while N+1 is current
    proc = run_cnkg("ingest", "--no-index", "--data", str(data.root), str(sample_paths[2]))
    assert proc.returncode == 0, proc.stderr
    assert not first.exists()  # and goes when N+2 is committed
    assert reader.sync() is True and len(reader.report_ids()) == 2
    assert _per_graph(reader) == _per_graph(GraphStore.open(data, "memory"))
    assert len(_snapshots(data)) == 2  # the current one and the one before


def test_a_sparql_update_reaches_the_disk_store(data: DataDir) -> None:
    diskstore.ensure(data, timeout=30)
    rid = sorted(data.read_manifest().reports)[0]
    text = f"INSERT DATA {{ GRAPH <{report_iri(rid)}> {{ <urn:x:s> <urn:x:p> 'added' }} }}"
    operation = inspect_update(text, max_chars=10_000, allow_service=False)
    assert apply_update(data, operation, base_iri=None, timeout=120) == [rid]
    store = GraphStore.open(data)  # auto: the data directory keeps a disk store
    assert store.on_disk
    assert store.ask(f"ASK {{ GRAPH <{report_iri(rid)}> {{ <urn:x:s> <urn:x:p> 'added' }} }}")


def test_read_only_workers_cannot_write(data: DataDir) -> None:
    snapshot = diskstore.ensure(data, timeout=30)
    store = GraphStore.open(data, "disk")
    before = len(store)
    with pytest.raises((OSError, RuntimeError)):
        store.oxigraph.update("INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }")
    worker = WorkerProcess(WorkerSetup(data.root, graph_store="disk"))
    try:
        worker.wait_ready(60)
        rid = sorted(data.read_manifest().reports)[0]
        job = UpdateJob(f"CLEAR GRAPH <{report_iri(rid)}>", None, (rid,))
        with pytest.raises(CnkgError):
            worker.execute(job, 60)
    finally:
        worker.stop()
    assert len(GraphStore.open(data, "disk")) == before and store.snapshot == snapshot


def test_pool_workers_answer_from_the_shared_store_and_follow_commits(data: DataDir) -> None:
    async def run() -> tuple[dict[str, object], list[str]]:
        pool = QueryPool(data.root, size=2, spares=1, graph_store="disk")
        await pool.start()  # builds the store: the data directory had none
        try:
            counts = [json.loads((await pool.run(COUNT_REPORTS, timeout=30)).body)]
            Catalog(data).delete(sorted(data.read_manifest().reports)[0])
            for _ in range(3):  # whichever worker answers has reopened the new snapshot
                counts.append(json.loads((await pool.run(COUNT_REPORTS, timeout=30)).body))
            return pool.status(), [c["results"]["bindings"][0]["n"]["value"] for c in counts]
        finally:
            await pool.close()

    status, counts = asyncio.run(run())
    assert status["graph_store"] == "disk" and status["spares"] == 1
    assert counts == ["2", "1", "1", "1"]


@pytest.mark.parametrize("point", ["inside-store-update", "before-store-snapshot", "before-manifest"])
def test_a_writer_killed_inside_a_commit_leaves_the_last_committed_store(
    point: str, data: DataDir, sample_paths: list[Path]
) -> None:
    diskstore.ensure(data, timeout=30)
    before = data.manifest_path.read_bytes()
    graphs = _per_graph(GraphStore.open(data, "disk"))
    args = ("ingest", "--no-index", "--data", str(data.root), str(sample_paths[2]))
    proc = run_cnkg(*args, env={"CNKG_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL
    assert data.manifest_path.read_bytes() == before
    assert _per_graph(GraphStore.open(data, "disk")) == graphs  # readers still see the last commit
    assert_consistent(data)
    dirty = (data.root / diskstore.STORE_DIR / "live.dirty").exists()
    assert dirty == (point == "inside-store-update")
    again = run_cnkg(*args)
    assert again.returncode == 0, again.stderr
    assert not (data.root / diskstore.STORE_DIR / "live.dirty").exists()
    disk = GraphStore.open(data, "disk")
    assert len(disk.report_ids()) == 3
    assert _per_graph(disk) == _per_graph(GraphStore.open(data, "memory"))
    assert len(_snapshots(data)) == 2  # the orphan snapshot of the killed commit was removed
    assert_consistent(data)


def _quads_of_reports(store: ox.Store) -> set[ox.Quad]:
    return {
        q for q in store if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != LEXICON_GRAPH
    }


def _default_is_the_union(store: ox.Store) -> bool:
    """The default graph holds the triples of the named graphs, the lexicon's included (kg.union)."""
    default = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store
        if isinstance(q.graph_name, ox.DefaultGraph)
    }
    named = {
        ox.Triple(q.subject, q.predicate, q.object) for q in store if isinstance(q.graph_name, ox.NamedNode)
    }
    return default == named


def test_a_build_loading_many_files_at_once_holds_what_one_load_a_file_holds(
    data: DataDir, tmp_path: Path
) -> None:
    manifest = data.read_manifest()
    files = {rid: data.path(record.graph_file) for rid, record in manifest.reports.items()}
    last = tmp_path / "no-final-line-break.nq"  # a file that does not end its last line
    last.write_bytes(b'<urn:x:s> <urn:x:p> "last" <' + report_iri("ffff").encode() + b"> .")
    files["ffff"] = last
    files["eeee"] = tmp_path / "empty.nq"  # a report whose graph holds nothing
    files["eeee"].write_bytes(b"")
    one_a_file = ox.Store()
    for path in files.values():
        one_a_file.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    for group_bytes in (1, 10**9):  # a load a file, and every file in one load
        built = diskstore.build(tmp_path / f"live-{group_bytes}", files, group_bytes=group_bytes)
        assert _quads_of_reports(built) == _quads_of_reports(one_a_file)
        assert len(_quads_of_reports(built)) > 1_000
        assert _default_is_the_union(built)  # the file without a final line break copied from the store
        assert set(built.named_graphs()) == {ox.NamedNode(report_iri(rid)) for rid in files} | {
            ox.NamedNode(LEXICON_GRAPH)
        }
        del built


def test_a_syntax_error_in_a_graph_file_names_the_file(data: DataDir, tmp_path: Path) -> None:
    manifest = data.read_manifest()
    files = {rid: data.path(record.graph_file) for rid, record in manifest.reports.items()}
    broken = tmp_path / "broken.nq"
    broken.write_bytes(b"<urn:x:s> <urn:x:p> .\n")
    files["bbbb"] = broken
    with pytest.raises(SyntaxError, match=r"broken\.nq"):
        diskstore.build(tmp_path / "live", files)


def test_a_live_store_many_reports_behind_catches_up_in_one_commit(data: DataDir) -> None:
    diskstore.ensure(data, timeout=30)
    state_path = data.root / diskstore.STORE_DIR / "live.json"
    state = json.loads(state_path.read_bytes())
    with data.writing():
        live = ox.Store(str(data.root / diskstore.LIVE_DIR))
        for rid in state["reports"]:
            live.remove_graph(ox.NamedNode(report_iri(rid)))
        del live
        state["reports"] = {}  # live holds none of the reports: the commit loads both at once
        state_path.write_text(json.dumps(state))
        data.commit(data.read_manifest())
    assert json.loads(state_path.read_bytes())["reports"].keys() == data.read_manifest().reports.keys()
    assert _per_graph(GraphStore.open(data, "disk")) == _per_graph(GraphStore.open(data, "memory"))
