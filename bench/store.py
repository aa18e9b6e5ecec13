"""The graph store of a query worker: in memory (one copy per worker) against on disk (one per machine).

    python bench/store.py [--runs 15]

Data: the synthetic cloud-market graph of ``bench/sparql.py`` (about 1M triples in 21 report graphs) plus
one report graph that makes an entity hot: mentioned by every passage (60k quads), the ``about`` of 20k
observations, offered by 10 vendors, the shape that makes ``?x cnkg:offers <hot entity>`` walk the
entity's whole quad list in the in-memory store. Each mode is measured in a fresh process doing what a
query worker does (``GraphStore.open`` with the default graph kept apart in memory, then
``kg.sparql.worker.run_query`` on the store ``store_for`` picks, JSON results): time to
load/open, resident memory after opening and after the queries, and the median latency of each query
(the first, cold run reported apart). The disk figures are taken with the page cache warm (the store was
just written; a server's steady state), and its pages held by the page cache are shared by all workers:
they are reported as the store's size on disk, not as any worker's memory.

Also: the cost of one commit that adds a 50k-triple report, with and without the on-disk store (the
store is updated and snapshotted inside the commit), and how long a memory worker takes to reload it.
Writes bench/results/store.txt. Latencies on a shared 2-core machine are noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import Transcript, distinct_size
from bench.sparql import QUERIES, _bundle, synthetic_bundles
from kg import diskstore
from kg.catalog import Catalog, ReportBundle
from kg.datadir import DataDir
from kg.namespaces import CNKG, ENTITY_BASE, report_iri
from kg.sparql.guard import QueryForm, inspect_query
from kg.sparql.worker import QueryJob, run_query
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "store.txt"
HOT = f"{ENTITY_BASE}technology-hot"
HOT_RID = "5e000000000099"
EXTRA_RID = "5e000000000098"
ROW_CAP = 1_000_000
PASSAGES_PER_REPORT = 3000  # as in bench/sparql.py
REPORTS = 20  # as in bench/sparql.py
OBSERVATIONS = 20_000
HOT_VENDORS = 10

HOT_QUERIES: dict[str, str] = {
    "hot: ?x offers <e>": f"SELECT ?x WHERE {{ ?x cnkg:offers <{HOT}> }}",
    "hot: offers + label": f"SELECT ?x ?l WHERE {{ ?x cnkg:offers <{HOT}> ; skos:prefLabel ?l }}",
    "hot: ASK mentions": f"ASK {{ ?p cnkg:mentions <{HOT}> }}",
}


def hot_bundle() -> ReportBundle:
    """A report graph that links the hot entity to every passage and to many observations."""
    g = ox.NamedNode(report_iri(HOT_RID))
    hot = ox.NamedNode(HOT)
    mentions, about, offers = (ox.NamedNode(CNKG + p) for p in ("mentions", "about", "offers"))
    quads = []
    for r in range(1, REPORTS + 1):
        report = report_iri(f"5e0000000000{r:02d}")
        quads += [
            ox.Quad(ox.NamedNode(f"{report}/passage/{n}"), mentions, hot, g)
            for n in range(PASSAGES_PER_REPORT)
        ]
    quads += [ox.Quad(ox.NamedNode(f"{g.value}/fact/{n}"), about, hot, g) for n in range(OBSERVATIONS)]
    quads += [ox.Quad(ox.NamedNode(f"{ENTITY_BASE}vendor-{i}"), offers, hot, g) for i in range(HOT_VENDORS)]
    return _bundle(HOT_RID, "hot entity", quads)


def extra_bundle() -> ReportBundle:
    """One more report of about 50k triples (a large real report), for the commit costs."""
    source = next(b for b in synthetic_bundles(seed=11) if b.rid == "5e000000000001")
    text = source.nquads.replace(report_iri("5e000000000001").encode(), report_iri(EXTRA_RID).encode())
    return dataclasses.replace(
        source, rid=EXTRA_RID, source=f"{EXTRA_RID}.txt", sha256=EXTRA_RID, nquads=text
    )


# -- one worker ----------------------------------------------------------------------------------------
def _memory() -> dict[str, int]:
    """Resident memory of this process, in KiB: total, anonymous (heap) and file-backed."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0])
    return fields


def _rows(body: bytes, form: QueryForm) -> int:
    """Rows of a JSON result (solutions), triples of a Turtle one, 1 for a boolean."""
    if form is QueryForm.ASK:
        return 1
    if form is QueryForm.CONSTRUCT:
        return len(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))
    return len(json.loads(body)["results"]["bindings"])


def _worker(root: str, backend: str, runs: int, conn: Connection) -> None:
    started = time.perf_counter()
    # as a pool's query worker: in memory it keeps the default graph apart as well (kg.store.store_for)
    store = GraphStore.open(DataDir(Path(root)), backend, default_graph_apart=True)  # type: ignore[arg-type]
    opened = time.perf_counter() - started
    after_open = _memory()
    timings: dict[str, tuple[float, float, int]] = {}
    for name, query in {**QUERIES, **HOT_QUERIES}.items():
        operation = inspect_query(query, max_chars=len(query))  # the guard's verdict, as the server has it
        job = QueryJob(query, operation.form, "json", ROW_CAP, names_graphs=operation.names_graphs)
        samples = []
        body = b""
        for _ in range(runs + 1):
            t = time.perf_counter()
            body = run_query(store.store_for(job.reads_default_graph_only), job).body
            samples.append((time.perf_counter() - t) * 1000)
        rows = _rows(body, job.form)
        timings[name] = (samples[0], statistics.median(samples[1:]), rows)
    conn.send((opened, len(store), after_open, _memory(), timings))


def measure(root: Path, backend: str, runs: int) -> tuple[float, int, dict[str, int], dict[str, int], dict]:  # type: ignore[type-arg]
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_worker, args=(str(root), backend, runs, child))
    process.start()
    result = parent.recv()
    process.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    transcript = Transcript()
    say = transcript.say

    with tempfile.TemporaryDirectory(prefix="cnkg-bench-store-") as tmp:
        root = Path(tmp)
        datadir = DataDir(root)
        catalog = Catalog(datadir)
        for bundle in [*synthetic_bundles(), hot_bundle()]:
            catalog.write(bundle)
        triples = datadir.read_manifest().triples()
        nquads = sum(
            datadir.path(r.graph_file).stat().st_size for r in datadir.read_manifest().reports.values()
        )
        say(
            f"data: {triples:,} triples in {len(datadir.read_manifest().reports)} report graphs "
            f"({nquads / 2**20:.0f} MiB of N-Quads), hot entity <{HOT}>"
        )

        started = time.perf_counter()
        diskstore.ensure(datadir, timeout=60)
        build = time.perf_counter() - started
        store_bytes = distinct_size(root / diskstore.STORE_DIR / "live")
        say(
            f"disk store built from the N-Quads (one commit): {build:.1f} s, "
            f"{store_bytes / 2**20:.0f} MiB on disk"
        )

        results = {backend: measure(root, backend, args.runs) for backend in ("memory", "disk")}
        say()
        say(
            f"{'worker':<10}{'open s':>9}{'triples':>12}{'RSS open MiB':>14}"
            f"{'RSS after MiB':>15}{'anon MiB':>10}"
        )
        for backend, (opened, count, before, after, _) in results.items():
            say(
                f"{backend:<10}{opened:>9.2f}{count:>12,}{before['VmRSS'] / 1024:>14.0f}"
                f"{after['VmRSS'] / 1024:>15.0f}{after['RssAnon'] / 1024:>10.0f}"
            )
        mem_open, disk_open = results["memory"][0], results["disk"][0]
        mem_rss, disk_rss = results["memory"][3]["VmRSS"], results["disk"][3]["VmRSS"]
        say(
            f"open: disk/memory {disk_open / mem_open:.4f}; worker RSS after queries: disk/memory "
            f"{disk_rss / mem_rss:.3f}"
        )
        say()
        say(
            f"{'query (median ms, first run in brackets)':<34}{'memory':>16}{'disk':>16}"
            f"{'disk/mem':>10}{'rows':>8}"
        )
        ratios = []
        for name in {**QUERIES, **HOT_QUERIES}:
            mcold, mmed, mrows = results["memory"][4][name]
            dcold, dmed, drows = results["disk"][4][name]
            ratios.append(dmed / mmed)
            flag = "" if mrows == drows else "  ROWS DIFFER"
            say(
                f"{name:<34}{mmed:>8.2f} ({mcold:>5.1f}){dmed:>8.2f} ({dcold:>5.1f})"
                f"{dmed / mmed:>10.2f}{mrows:>8}{flag}"
            )
        say(f"geometric mean disk/memory over {len(ratios)} queries: {statistics.geometric_mean(ratios):.2f}")

        say()
        extra = extra_bundle()
        started = time.perf_counter()
        catalog.write(extra)
        with_store = time.perf_counter() - started
        catalog.delete(EXTRA_RID)
        manifest = datadir.read_manifest()
        manifest.store = {}
        with datadir.writing():
            datadir.commit(manifest)
        memory_store = GraphStore.open(datadir, "memory")
        started = time.perf_counter()
        catalog.write(dataclasses.replace(extra, sha256="again"))
        without_store = time.perf_counter() - started
        started = time.perf_counter()
        memory_store.sync()
        reload = time.perf_counter() - started
        say(
            f"commit of one {extra.counts['triples']:,}-triple report: {with_store:.2f} s with the disk "
            f"store (updated + snapshot), {without_store:.2f} s without; a memory worker reloads it in "
            f"{reload:.2f} s (every worker, each)"
        )
    say(
        "(2-core machine shared with other jobs: latencies noisy, ratios from the same run; "
        f"runs={args.runs})"
    )
    RESULTS.write_text("\n".join(transcript.lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
