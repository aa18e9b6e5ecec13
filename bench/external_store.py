"""External stores per report: load an ingested data directory into ``oxigraph serve`` and into Debian's
Virtuoso through cnkg's own external-store mode (``--store``: SPARQL 1.1 Update),
and report the load time, the store's disk and memory per report, and a few query latencies.

    python bench/external_store.py --reports 40           # ingest 40 synthetic reports (graph only), load
    python bench/external_store.py --data DIR              # load an ingested data directory

Each store is private to the run (free ports of 127.0.0.1, files in a temporary directory). The lexicon
is loaded first, from a data directory with no report, so that the per-report figures are what the
reports add: (after − lexicon only) / reports. Virtuoso is checkpointed before its files are measured.
Writes bench/results/external_store.txt (or --out).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.live import bench_parser, dir_size
from bench.synthetic import write_reports
from kg.datadir import DataDir
from kg.settings import Settings
from kg.sparql.external import ExternalEngine
from tests.support.processes import cnkg
from tests.support.stores import STORES, ExternalStore, external_store

LATENCY_CALLS = 15
QUERIES = {
    "count reports": "SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/cnkg/ontology#Report> }",
    "hot entity: who offers it": (
        "SELECT ?x WHERE { ?x <https://w3id.org/cnkg/ontology#offers> ?p . "
        "?p <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(STR(?l) = 'Kubernetes') }"
    ),
    "passages mentioning Kubernetes": (
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p <https://w3id.org/cnkg/ontology#mentions> "
        "<https://w3id.org/cnkg/id/entity/kubernetes> }"
    ),
}


def _rss_mib(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _mirror(store: ExternalStore, data: Path) -> float:
    """Seconds cnkg's external engine takes to bring ``store`` up to the data directory ``data``."""

    async def run() -> float:
        engine = ExternalEngine(Settings(data=data, **store.settings))  # type: ignore[arg-type]
        started = time.perf_counter()
        await engine.published()
        elapsed = time.perf_counter() - started
        await engine.close()
        return elapsed

    return asyncio.run(run())


def _latency_ms(store: ExternalStore, query: str) -> float:
    with httpx.Client(timeout=60) as client:
        times = []
        for _ in range(LATENCY_CALLS):
            started = time.perf_counter()
            response = client.post(
                store.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
            )
            response.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(name: str, data: Path, reports: int, work: Path) -> list[str]:
    empty = work / f"{name}-empty"
    DataDir(empty).read_manifest()  # an empty data directory: the lexicon only
    root = work / f"{name}-store"
    lines = [f"{name}:"]
    with external_store(name, root) as store:
        lexicon_s = _mirror(store, empty)
        store.flush()
        disk0, used0, (rss0, _) = dir_size(root), store.bytes_in_use(), _rss_mib(store.pid)
        load_s = _mirror(store, data)
        store.flush()
        disk1, used1, (rss1, peak) = dir_size(root), store.bytes_in_use(), _rss_mib(store.pid)
        lines += [
            f"  lexicon only: loaded in {lexicon_s:.1f} s; disk {disk0 / 2**20:.1f} MiB, "
            f"resident {rss0:.0f} MiB",
            f"  {reports} reports: loaded in {load_s:.1f} s = {load_s / reports:.2f} s per report",
            f"  disk {disk1 / 2**20:.1f} MiB: {(disk1 - disk0) / 2**20 / reports:.2f} MiB per report",
            *(
                [f"  in use {used1 / 2**20:.1f} MiB: {(used1 - used0) / 2**20 / reports:.2f} MiB per report"]
                if used0 is not None and used1 is not None
                else []
            ),
            f"  resident {rss1:.0f} MiB (peak {peak:.0f} MiB): {(rss1 - rss0) / reports:.2f} MiB per report",
        ]
        for label, query in QUERIES.items():
            lines.append(
                f"  query {label}: median {_latency_ms(store, query):.1f} ms ({LATENCY_CALLS} calls)"
            )
    return lines


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument(
        "--reports", type=int, default=40, help="synthetic reports to ingest (without --data)"
    )
    parser.add_argument("--data", type=Path, help="an ingested data directory to load")
    parser.add_argument("--stores", nargs="+", default=list(STORES), choices=STORES)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "external_store.txt")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cnkg-external-bench-") as tmp:
        work = Path(tmp)
        data = args.data
        if data is None:
            data = work / "data"
            paths = write_reports(work / "reports", args.reports)
            subprocess.run(cnkg("ingest", "--data", str(data), "--no-index", *map(str, paths)), check=True)
        manifest = DataDir(data).read_manifest()
        reports = len(manifest.reports)
        quads = sum(1 for path in (data / "graphs").glob("*.nq") for _ in path.open("rb"))
        nquads_mib = dir_size(data / "graphs") / 2**20
        lines = [
            f"external stores: {reports} reports ({quads:,} quads, {nquads_mib:.1f} MiB of N-Quads) loaded "
            "through cnkg's external-store mode, on 2 shared cores",
            "load average (1, 5, 15 min) at the start: {:.1f}, {:.1f}, {:.1f} (noisy above 2)".format(
                *os.getloadavg()
            ),
        ]
        for name in args.stores:
            lines += measure(name, data, reports, work)
            print("\n".join(lines), flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
