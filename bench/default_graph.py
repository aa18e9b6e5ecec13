"""What the default graph costs and buys, on an ingested data directory (e.g. a ``bench/scale.py`` run's).

    PYTHONPATH=CHECKOUT python bench/default_graph.py --data WORKDIR/data [--reports 100] [--runs 15]

Run it once with each checkout to compare (it imports ``kg`` from ``PYTHONPATH``, so the same script
measures the code before and after a change: before, the default graph was pyoxigraph's union view, a
bag; now it is the store's own default graph holding the union as a set, ``kg.union``). On a private
copy of the data directory's graphs (the N-Quads files and a manifest naming them, of the first
``--reports`` reports by id; the search indexes are not needed), it measures:

* the memory store, in a fresh process (what each memory-mode query worker does at start): load wall
  and CPU seconds, peak resident memory, and the hot-entity lookup
  ``SELECT ?x WHERE { ?x cnkg:offers <the most offered entity> }`` through the query worker's code
  (``kg.sparql.worker.run_query``, JSON results): median and rows (and the distinct offerers);
* the on-disk store: building it from the N-Quads (one commit, ``kg.diskstore.ensure``) in a fresh
  process: wall and CPU seconds (all its threads), peak resident memory, the live store's size; the
  hot-entity lookup on it; then commits that replace one report graph (drop + load + snapshot) and that
  delete a report, ``COMMITS`` of each, median.

Latencies and seconds on a shared 2-core machine are noisy: compare figures of runs made under the same
load (the load average is printed), CPU seconds first.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import distinct_size
from kg import diskstore
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.namespaces import report_iri
from kg.sparql.graphs import replace_report_graph
from kg.sparql.guard import QueryForm
from kg.sparql.worker import QueryJob, graph_nquads, run_query
from kg.store import GraphStore

HOT_ENTITY = (
    "SELECT ?o (COUNT(?x) AS ?n) WHERE { GRAPH ?g { ?x cnkg:offers ?o } } "
    "GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1"
)
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
ROW_CAP = 1_000_000
COMMITS = 3  # of each kind: single commits on the shared machine vary by a factor of 2


def _copy(source: Path, into: Path, reports: int | None) -> DataDir:
    """The graph files of the first ``reports`` reports of ``source`` (by id), and a manifest naming
    them only (no search indexes, no graph store)."""
    root = into / "data"
    (root / "graphs").mkdir(parents=True)
    manifest = json.loads((source / "manifest.json").read_bytes())
    kept = dict(sorted(manifest["reports"].items())[:reports])
    for record in kept.values():
        shutil.copy2(source / record["graph_file"], root / record["graph_file"])
    manifest.update(reports=kept, search={}, store={}, retained=[])
    (root / "manifest.json").write_text(json.dumps(manifest))
    return DataDir(root)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lookup(store: GraphStore, hot: str, runs: int) -> tuple[float, int, int]:
    """(median ms, rows, distinct offerers) of the hot-entity lookup."""
    job = QueryJob(f"SELECT ?x WHERE {{ ?x cnkg:offers <{hot}> }}", QueryForm.SELECT, "json", ROW_CAP)
    run_query(store.oxigraph, job)  # warm-up
    samples, body = [], b""
    for _ in range(runs):
        t = time.perf_counter()
        body = run_query(store.oxigraph, job).body
        samples.append((time.perf_counter() - t) * 1000)
    rows = json.loads(body)["results"]["bindings"]
    return statistics.median(samples), len(rows), len({r["x"]["value"] for r in rows})


def _memory_child(root: str, runs: int, conn: Any) -> None:
    wall, cpu = time.perf_counter(), _cpu()
    memory = GraphStore.open(DataDir(Path(root)), "memory")
    loaded = (time.perf_counter() - wall, _cpu() - cpu, _peak_mib())
    row = memory.select(HOT_ENTITY)[0]
    hot, offers = row["o"].value, int(row["n"].value)
    quads, distinct = (int(memory.select(q)[0]["n"].value) for q in (QUADS, DISTINCT))
    conn.send((loaded, hot, offers, quads, distinct, _lookup(memory, hot, runs)))


def _build_child(root: str, conn: Any) -> None:
    wall, cpu = time.perf_counter(), _cpu()
    diskstore.ensure(DataDir(Path(root)), timeout=60)
    conn.send((time.perf_counter() - wall, _cpu() - cpu, _peak_mib()))


def _in_child(target: Any, *args: object) -> Any:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=target, args=(*args, child))
    process.start()
    result = parent.recv()
    process.join()
    return result


def _commits(data: DataDir, disk: GraphStore) -> tuple[float, float, str]:
    """Median seconds of a commit replacing one report graph and of one deleting a report; the last
    replaced graph."""
    rids = sorted(data.read_manifest().reports)
    replaced, deleted = [], []
    graph = ""
    for n in range(COMMITS):
        disk.sync()  # the current snapshot (a commit removes the one of two generations before)
        graph = report_iri(rids[len(rids) // 2 + n])
        extra = f'<urn:x:bench> <urn:x:p> "1" <{graph}> .\n'.encode()
        nquads = graph_nquads(disk.oxigraph, graph) + extra
        t = time.perf_counter()
        replace_report_graph(data, graph, nquads)
        replaced.append(time.perf_counter() - t)
        t = time.perf_counter()
        Catalog(data).delete(rids[n])
        deleted.append(time.perf_counter() - t)
    return statistics.median(replaced), statistics.median(deleted), graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--reports", type=int, default=None, help="the first N reports by id (default: all)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"kg from {Path(diskstore.__file__).parent}; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="cnkg-default-graph-") as tmp:
        data = _copy(args.data, Path(tmp), args.reports)
        manifest = data.read_manifest()
        print(
            f"{len(manifest.reports)} reports, {manifest.triples():,} triples in the report graphs",
            flush=True,
        )

        (wall, cpu, peak), hot, offers, quads, distinct, lookup = _in_child(
            _memory_child, str(data.root), args.runs
        )
        print(f"named graphs (reports and lexicon): {quads:,} quads, {distinct:,} distinct triples")
        print(f"hot entity <{hot}>: {offers} cnkg:offers quads over the report graphs")
        print(
            f"memory store: loaded in {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MiB; "
            f"hot lookup median {lookup[0]:.2f} ms, {lookup[1]} rows, {lookup[2]} offerers",
            flush=True,
        )

        wall, cpu, peak = _in_child(_build_child, str(data.root))
        live = data.path(diskstore.LIVE_DIR)
        print(
            f"disk store: built in {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MiB; "
            f"live store {distinct_size(live) / 2**20:.1f} MiB",
            flush=True,
        )
        disk = GraphStore.open(data, "disk")
        ms, rows, offerers = _lookup(disk, hot, args.runs)
        print(f"disk store: hot lookup median {ms:.2f} ms, {rows} rows, {offerers} offerers", flush=True)

        replaced, deleted, graph = _commits(data, disk)
        print(
            f"commits on the disk store (median of {COMMITS}): replace one report graph {replaced:.2f} s, "
            f"delete one report {deleted:.2f} s; live store after them {distinct_size(live) / 2**20:.1f} MiB"
        )
        disk.sync()
        assert disk.ask(f'ASK {{ GRAPH <{graph}> {{ <urn:x:bench> <urn:x:p> "1" }} }}')


if __name__ == "__main__":
    sys.exit(main())
