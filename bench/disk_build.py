"""The full build of the on-disk graph store (the first start after a bulk ingest): before against now.

    python bench/disk_build.py DATA [--runs 2] [--copies 1] [--out bench/results/disk_build.txt]

DATA is a data directory; only its manifest and its report N-Quads files are read, and every store is
built in a scratch directory (DATA is never written). Four ways, each in the same run, best of
``--runs``:

* ``before``: what ``kg.diskstore`` did up to now: one ``bulk_load`` per report file (and one of its
  triples into the default graph, which holds the union of the graphs: ``kg.union``), then ``optimize()``;
* ``now``: ``kg.diskstore.build``: one ``bulk_load`` per ``LOAD_GROUP_BYTES`` of report files read as one
  N-Quads stream, then ``optimize()``;
* ``now, no optimize``: the same without the compaction (what skipping it costs at query time);
* ``one load``: every report file in a single ``bulk_load`` (the fastest build, the most memory).

Each is built in a fresh process. For each: wall and CPU seconds of the build (CPU of the whole process:
the loader's and RocksDB's threads), its peak resident memory, table files and bytes of the store, its
content digest (every way must give the same quads and named graphs), and the latency of a few lookups on
a read-only checkpoint of it, opened as a query worker opens its snapshot (median of ``LOOKUP_REPEAT``
after one warm-up, wall and CPU ms).
``--copies K`` loads every report K times under fresh report ids (a larger store from the same data).
The machine is shared: the load average is printed with the figures; compare CPU seconds first.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg import diskstore
from kg.datadir import DataDir
from kg.namespaces import PREFIXES, report_iri

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "disk_build.txt"
LOOKUP_REPEAT = 9  # runs of each lookup after its warm-up; the median is reported
HOT_ENTITY = (
    "SELECT ?o (COUNT(?x) AS ?n) WHERE { ?x cnkg:offers ?o } GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1"
)
LOOKUPS = {  # the store's own hot entity is filled in for {hot}; the rest as in bench/scale.py
    "offers, any object": "SELECT ?x WHERE { ?x cnkg:offers ?o }",
    "hot-entity offers": "SELECT ?x WHERE { ?x cnkg:offers <{hot}> }",
    "entity by label": "SELECT ?e WHERE { VALUES ?l { 'Kubernetes'@en 'Kubernetes'@zh } "
    "?e skos:prefLabel|skos:altLabel ?l }",
    "passages of an entity": "SELECT ?p WHERE { "
    "?p cnkg:mentions <https://w3id.org/cnkg/id/entity/kubernetes> } LIMIT 10",
    "count reports": "SELECT (COUNT(?r) AS ?n) WHERE { ?r a cnkg:Report }",
}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_before(live: Path, graph_files: dict[str, Path]) -> ox.Store:
    """``kg.diskstore._rebuild`` as it was: one bulk load per report file, then a full compaction (the
    default graph filled one file a load as well, so that every way builds the same store)."""
    shutil.rmtree(live, ignore_errors=True)
    store = ox.Store(str(live))
    diskstore._load_lexicon(store)
    for rid, path in graph_files.items():
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        store.add_graph(ox.NamedNode(report_iri(rid)))
    diskstore._fill_union(store, graph_files, 0)  # a group of 0 bytes: one load a file
    store.optimize()
    store.flush()
    return store


def build_unoptimized(live: Path, graph_files: dict[str, Path]) -> ox.Store:
    return diskstore.build(live, graph_files, optimize=False)


def build_one_load(live: Path, graph_files: dict[str, Path]) -> ox.Store:
    return diskstore.build(live, graph_files, group_bytes=sys.maxsize)


WAYS: dict[str, Callable[[Path, dict[str, Path]], ox.Store]] = {
    "before": build_before,
    "now": diskstore.build,
    "now, no optimize": build_unoptimized,
    "one load": build_one_load,
}


@dataclass
class Built:
    wall: float
    cpu: float
    rss_mib: float  # peak resident memory of the building process
    files: int
    mib: float
    digest: str
    lookups: dict[str, tuple[float, float, int]]  # name -> (median wall ms, median CPU ms, rows)


BLANK_NODE = re.compile(rb"_:[0-9A-Za-z]+")


def digest(store: ox.Store) -> str:
    """Of every quad and every named graph. Each load of the lexicon's Turtle names its blank nodes
    afresh (the report graphs have none), so blank nodes are compared by place only."""
    lines = BLANK_NODE.sub(b"_:b", store.dump(format=ox.RdfFormat.N_QUADS) or b"").splitlines()
    h = hashlib.sha256(b"\n".join(sorted(lines)))
    for graph in sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        h.update(graph.encode())
    return h.hexdigest()


def hot_entity(store: ox.Store) -> str:
    rows = list(store.query(HOT_ENTITY, prefixes=PREFIXES))  # type: ignore[arg-type]
    return str(rows[0]["o"].value) if rows else ""


def lookups(store: ox.Store) -> dict[str, tuple[float, float, int]]:
    hot = hot_entity(store)
    out = {}
    for name, query in LOOKUPS.items():
        query = query.replace("{hot}", hot)
        rows = 0
        walls, cpus = [], []
        for i in range(LOOKUP_REPEAT + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            rows = len(list(store.query(query, prefixes=PREFIXES)))  # type: ignore[arg-type, call-overload]
            if i:  # the first run warms the page cache and the block cache
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
        out[name] = (statistics.median(walls) * 1000, statistics.median(cpus) * 1000, rows)
    return out


def peak_resident_mib() -> float:
    """This process's own peak (VmHWM; ``ru_maxrss`` carries the parent's peak over fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_in_child(way: str, graph_files: dict[str, Path], snapshot: Path) -> tuple[float, float, float]:
    """Build in this (fresh) process and checkpoint the store to ``snapshot`` as a commit does: wall s,
    CPU s (the loader's and RocksDB's threads too), peak resident MiB."""
    live = snapshot.with_suffix(".live")
    t0, c0 = time.perf_counter(), cpu_seconds()
    store = WAYS[way](live, graph_files)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    store.backup(str(snapshot))
    del store
    shutil.rmtree(live)
    return wall, cpu, peak_resident_mib()


def measure(way: str, graph_files: dict[str, Path], scratch: Path) -> Built:
    snapshot = scratch / "snapshot"
    shutil.rmtree(snapshot, ignore_errors=True)
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as child:
        wall, cpu, rss = child.submit(build_in_child, way, graph_files, snapshot).result()
    files = sum(1 for _ in snapshot.glob("*.sst"))
    mib = sum(p.stat().st_size for p in snapshot.iterdir()) / 2**20
    reader = diskstore.open_snapshot(snapshot)  # as a query worker opens it
    built = Built(wall, cpu, rss, files, mib, digest(reader), lookups(reader))
    del reader
    shutil.rmtree(snapshot)
    return built


def copies_of(graph_files: dict[str, Path], copies: int, into: Path) -> dict[str, Path]:
    """Every report ``copies`` times under fresh report ids (its IRIs renamed, its entities shared)."""
    if copies == 1:
        return graph_files
    out = {}
    for rid, path in graph_files.items():
        data = path.read_bytes()
        for k in range(copies):
            copy = f"{rid}c{k}" if k else rid
            out[copy] = into / f"{copy}.nq"
            out[copy].write_bytes(data.replace(rid.encode(), copy.encode()) if k else data)
    return out


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(
    data: Path, graph_files: dict[str, Path], best: dict[str, Built], runs: dict[str, list[float]]
) -> list[str]:
    copies = len(graph_files) // max(1, len(DataDir(data).read_manifest().reports))
    triples = DataDir(data).read_manifest().triples() * copies
    nquads = sum(p.stat().st_size for p in graph_files.values())
    lines = [
        f"{len(graph_files)} report graphs ({nquads / 2**20:.0f} MiB of N-Quads) from {data}; "
        f"pyoxigraph {ox.__version__}",
        f"{triples:,} triples (manifest counts), every report loaded {copies} time(s)",
        "",
        f"{'way':<17} {'wall s':>7} {'CPU s':>7} {'CPU s, every run':>18} {'peak MiB':>9} {'tables':>7} "
        f"{'MiB':>6}  digest",
    ]
    for way, b in best.items():
        every = " ".join(f"{c:.1f}" for c in runs[way])
        lines.append(
            f"{way:<17} {b.wall:7.1f} {b.cpu:7.1f} {every:>18} {b.rss_mib:9.0f} {b.files:7d} {b.mib:6.0f}  "
            f"{b.digest[:16]}"
        )
    same = len({b.digest for b in best.values()}) == 1
    lines += ["", f"same quads and named graphs in every way: {'yes' if same else 'NO'}", ""]
    lines.append(
        f"lookups on a read-only checkpoint, median of {LOOKUP_REPEAT} after a warm-up, "
        "wall ms / CPU ms (rows):"
    )
    lines.append(f"{'lookup':<24}" + "".join(f" {way:>24}" for way in best))
    for name in LOOKUPS:
        cells = []
        for b in best.values():
            wall, cpu, rows = b.lookups[name]
            cells.append(f"{wall:7.1f} / {cpu:6.1f} ({rows})")
        lines.append(f"{name:<24}" + "".join(f" {c:>24}" for c in cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    manifest = DataDir(args.data).read_manifest()
    scratch = Path(tempfile.mkdtemp(prefix="cnkg-disk-build-"))
    try:
        graph_files = {rid: args.data / r.graph_file for rid, r in manifest.reports.items()}
        graph_files = copies_of(graph_files, args.copies, scratch)
        started = loadavg()
        runs: dict[str, list[float]] = {way: [] for way in WAYS}
        best: dict[str, Built] = {}
        for _ in range(args.runs):
            for way in WAYS:  # interleaved: a change of the machine's load falls on every way alike
                built = measure(way, graph_files, scratch)
                runs[way].append(built.cpu)
                print(f"{way}: {built.wall:.1f} s wall, {built.cpu:.1f} s CPU", flush=True)
                if way not in best or built.cpu < best[way].cpu:
                    best[way] = built
        lines = report(args.data, graph_files, best, runs)
        lines += ["", f"load average (1, 5, 15 min) at the start: {started}; at the end: {loadavg()}"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
