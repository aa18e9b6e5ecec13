"""Scale run: ingest many synthetic ~60,000-character reports with the default embedder (USE v3) and
report ingest time, characters per second per stage, store and index size, peak memory, and query
latencies of a live server with one report and with all of them, each figure beside its target (issue
16): server memory (API process plus query workers) <= 3 GiB, start-up to the first answered /search
<= 10 s, per-report ingest time of the last 100 reports within 1.2x of the first 100, the whole run
<= 1 h for 1,000 reports, the hot-entity relation lookup (``?x cnkg:offers <the most offered entity>``)
<= 5 ms, and /search, /ask and SPARQL within 1.5x of their 1-report figures.

    python bench/scale.py                  # 1,000 reports (about an hour on 2 cores)
    python bench/scale.py --reports 20     # a quick run
    python bench/scale.py --jobs 2         # the ingest with 2 worker processes (cnkg ingest --jobs 2)
    python bench/scale.py --workdir DIR --reuse   # measure the servers again over DIR's ingested store

The ingest runs in a child process (``cnkg ingest``'s own code path, ``ingest.parallel.ingest_many``:
``--jobs`` workers read, extract and embed, the child alone commits report by report, each an atomic
write that also updates the search indexes); the parent samples the resident memory of the child's
process tree. The 1-report store is copied aside after the first report, and both servers are measured
after the whole ingest, one after the other, so that the ratios compare figures taken under the same
load. Writes bench/results/scale.txt (or --out).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.live import (
    ROOT,
    SERVE_STARTUP_SECONDS,
    bench_parser,
    dir_size,
    percentile,
    tree_rss,
    tree_rss_by_process,
)
from bench.synthetic import write_reports
from kg.search_record import DenseRecord, SearchRecord
from tests.support.processes import cnkg_serve

SEARCHES = [
    "边缘计算市场规模",
    "服务网格 Istio 落地难点",
    "Serverless 冷启动",
    "云成本管理 FinOps 工具",
    "Kubernetes",
]
QUESTIONS = [
    "边缘计算的市场规模是多少？",
    "哪些厂商推出了服务网格产品？",
    "FinOps 是什么？",
    "哪些厂商提供基于Kubernetes的容器云产品？",
]
SPARQL = {
    "count reports": "SELECT (COUNT(?r) AS ?n) WHERE { ?r a cnkg:Report }",
    "entity by label": "SELECT ?e WHERE { VALUES ?l { 'Kubernetes'@en 'Kubernetes'@zh } "
    "?e skos:prefLabel|skos:altLabel ?l }",
    # a FILTER over every label reads all of them: linear in the labels by its form, kept to show it
    "label scan (FILTER STR)": "SELECT ?e WHERE { ?e skos:prefLabel|skos:altLabel ?l "
    "FILTER(STR(?l) = 'Kubernetes') }",
    "passages of an entity": "SELECT ?p WHERE { "
    "?p cnkg:mentions <https://w3id.org/cnkg/id/entity/kubernetes> } "
    "LIMIT 10",
    "facts of a report": "SELECT ?f ?v WHERE { ?f a cnkg:Observation ; cnkg:value ?v } LIMIT 20",
}
HOT_ENTITY = (
    "SELECT ?o (COUNT(?x) AS ?n) WHERE { ?x cnkg:offers ?o } GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1"
)
HOT_PROBE = "sparql hot-entity offers lookup"
REPEAT = 15
PROBE_QUERY = "Kubernetes"  # the /search that tells the server is ready to answer


@dataclass(frozen=True)
class Targets:
    """Issue 16's targets for the 1,000-report run."""

    server_gib: float = 3.0  # API process plus query workers, resident
    first_search_seconds: float = 10.0  # from cnkg serve to the first answered /search
    growth: float = 1.2  # per-report ingest time, last 100 reports over the first 100
    window: int = 100  # reports in each of those windows (a tenth of a smaller run)
    seconds_per_report: float = 3.6  # the whole run <= 1 h for 1,000 reports
    hot_lookup_ms: float = 5.0
    latency_ratio: float = 1.5  # /search, /ask and SPARQL against their 1-report figures


TARGETS = Targets()


def _timed(client: httpx.Client, method: str, path: str, **kwargs: object) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    return (time.perf_counter() - t0) * 1000, response.status_code


def hot_entity(url: str) -> str:
    """The IRI of the entity the most ``cnkg:offers`` triples of the default graph point to (a set: the
    most distinct offerers; empty when there is none)."""
    response = httpx.get(
        url + "/sparql",
        params={"query": HOT_ENTITY},
        headers={"Accept": "application/json"},
        timeout=600,
    )
    response.raise_for_status()
    rows = response.json()["results"]["bindings"]
    return str(rows[0]["o"]["value"]) if rows else ""


def latencies(url: str, hot: str) -> dict[str, tuple[float, float, int]]:
    """name -> (median ms, p95 ms, non-200 answers) of each probe, REPEAT sequential calls after a warm-up;
    ``hot``: the entity IRI of the hot-entity relation lookup."""
    out: dict[str, tuple[float, float, int]] = {}
    queries = dict(SPARQL)
    if hot:
        queries[HOT_PROBE[len("sparql ") :]] = f"SELECT ?x WHERE {{ ?x cnkg:offers <{hot}> }}"
    with httpx.Client(base_url=url, timeout=120) as client:
        has_ask = "/ask" in client.get("/openapi.json").json().get("paths", {})
        probes: list[tuple[str, str, str, dict[str, object]]] = [
            (f"search {q}", "GET", "/search", {"params": {"q": q}}) for q in SEARCHES
        ]
        if has_ask:
            probes += [(f"ask {q}", "GET", "/ask", {"params": {"q": q}}) for q in QUESTIONS]
        probes += [
            (
                f"sparql {name}",
                "GET",
                "/sparql",
                {"params": {"query": q}, "headers": {"Accept": "application/json"}},
            )
            for name, q in queries.items()
        ]
        for name, method, path, kwargs in probes:
            _timed(client, method, path, **kwargs)
            runs = [_timed(client, method, path, **kwargs) for _ in range(REPEAT)]
            ms = [r[0] for r in runs]
            out[name] = (statistics.median(ms), percentile(ms, 95), sum(1 for r in runs if r[1] != 200))
    return out


class _BudgetSpentError(Exception):
    """Raised from the ingest's result callback when --budget-minutes has passed."""


def ingest_child(data: Path, files: list[Path], log: Path, jobs: int, threads: int, deadline: float) -> None:
    """Ingest ``files`` as ``cnkg ingest --jobs JOBS`` does, appending one JSON line per report to ``log``
    (its stage seconds, and ``at``: when it was committed)."""
    from ingest.parallel import FileResult, IngestOptions, ingest_many
    from kg.datadir import DataDir

    with log.open("a", encoding="utf-8") as out:

        def logged(result: FileResult) -> None:
            if result.summary is None:
                raise SystemExit(f"bench/scale.py: {result.error}")
            summary = result.summary
            record = {
                "file": result.path.name,
                "chars": summary.chars,
                "seconds": summary.seconds,
                "stages": summary.stage_seconds,
                "at": time.time(),
            }
            out.write(json.dumps(record) + "\n")
            out.flush()
            if deadline and time.time() > deadline:
                raise _BudgetSpentError

        options = IngestOptions(jobs=jobs, embed_threads=threads)
        with contextlib.suppress(_BudgetSpentError):
            ingest_many(files, DataDir(data), options, on_result=logged)


def _run_ingest(
    data: Path, files: list[Path], log: Path, jobs: int, threads: int, deadline: float = 0.0
) -> tuple[float, int]:
    """Ingest in a child process; (wall seconds, peak RSS of its tree in bytes)."""
    list_file = log.with_suffix(".files")
    list_file.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--jobs",
            str(jobs),
            "--embed-threads",
            str(threads),
            "--deadline",
            str(deadline),
            "--child",
            str(data),
            str(list_file),
            str(log),
        ],
        cwd=ROOT,
    )
    peak = 0
    done = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.5)
        lines = log.read_text(encoding="utf-8").count("\n") if log.exists() else 0
        if lines >= done + 25:
            done = lines
            print(f"  {done} reports ingested, {time.perf_counter() - t0:,.0f} s", flush=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench/scale.py: the ingest child failed with {proc.returncode}")
    return time.perf_counter() - t0, peak


Latencies = dict[str, tuple[float, float, int]]


@dataclass(frozen=True)
class ServerFigures:
    latencies: Latencies
    health_seconds: float  # from cnkg serve to the first answered /health
    search_seconds: float  # from cnkg serve to the first answered /search
    rss: list[int]  # resident bytes of the server and of each of its child processes
    hot: str  # the entity of the hot-entity lookup


def _first_search(url: str) -> None:
    deadline = time.monotonic() + SERVE_STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/search", params={"q": PROBE_QUERY}, timeout=600).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit("bench/scale.py: /search never answered")


def _serve_and_measure(data: Path, workdir: Path, hot: str | None = None) -> ServerFigures:
    """Start a server over ``data`` and measure it; ``hot``: the hot entity (None: this store's own)."""
    with cnkg_serve(
        data, "--query-workers", "2", log=workdir / "serve.log", startup_seconds=SERVE_STARTUP_SECONDS
    ) as server:
        healthy = time.perf_counter()
        _first_search(server.url)
        search_seconds = server.started_seconds + time.perf_counter() - healthy
        hot = hot_entity(server.url) if hot is None else hot
        figures = latencies(server.url, hot)
        rss = tree_rss_by_process(server.process.pid)
        return ServerFigures(figures, server.started_seconds, search_seconds, rss, hot)


def _memory_line(label: str, rss: list[int]) -> str:
    gib = 2**30
    workers = [r for r in rss[1:] if r > 64 * 2**20]  # the query workers; the rest are small helpers
    return (
        f"  {label}: {sum(rss) / gib:.2f} GiB = API process {rss[0] / gib:.2f} GiB + "
        f"{len(workers)} query worker(s) of {', '.join(f'{w / gib:.2f}' for w in workers) or '-'} GiB"
        f" + {len(rss) - 1 - len(workers)} helper(s)"
    )


def _segment_kinds(dense: DenseRecord | None) -> str:
    """The dense index of a manifest's search record, e.g. '2 hnsw + 3 flat segments'."""
    if dense is None:
        return "none"
    if dense.file is not None:
        return f"one {dense.kind} file"  # search format 1
    kinds = [segment.kind for segment in dense.segments]
    return " + ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds))) + " segments"


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=60_000)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="Keep the data here (default: a temp dir)."
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/scale.txt")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="Worker processes of the ingest (cnkg ingest --jobs; 0: one per core).",
    )
    parser.add_argument(
        "--embed-threads",
        type=int,
        default=0,
        help="Threads of USE v3 per process (0: the cores divided among the workers, cnkg's default).",
    )
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=0.0,
        help="Stop ingesting after this long and report on the reports ingested so far (0: no limit).",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Do not generate or ingest: measure the servers again over --workdir's store, with the ingest "
        "figures of the run that built it.",
    )
    parser.add_argument(
        "--hot",
        default=None,
        help="IRI of the entity of the hot-entity lookup (default: the store's most offered one; to compare "
        "runs whose stores rank them differently).",
    )
    parser.add_argument("--deadline", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, metavar=("DATA", "FILES", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        data, file_list, log = (Path(x) for x in args.child)
        listed = [Path(f) for f in file_list.read_text(encoding="utf-8").split("\n") if f]
        ingest_child(data, listed, log, args.jobs, args.embed_threads, args.deadline)
        return
    if args.reuse and not args.workdir:
        raise SystemExit("bench/scale.py: --reuse needs --workdir (the directory of an earlier run)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cnkg-scale-"))
    data, log, summary = workdir / "data", workdir / "ingest.jsonl", workdir / "ingest.summary.json"
    one = workdir / "data-one"
    if args.reuse:
        if not summary.is_file():
            raise SystemExit(f"bench/scale.py: {summary} is missing; run without --reuse first")
        ingest: dict[str, Any] = json.loads(summary.read_text(encoding="utf-8"))
        if not (one / "manifest.json").is_file():
            first = (
                workdir / "reports" / json.loads(log.read_text(encoding="utf-8").split("\n", 1)[0])["file"]
            )
            _run_ingest(one, [first], workdir / "ingest-one.jsonl", 1, args.embed_threads)
    else:
        log.unlink(missing_ok=True)
        shutil.rmtree(one, ignore_errors=True)
        t0 = time.perf_counter()
        files = write_reports(workdir / "reports", args.reports, args.chars)
        generated = time.perf_counter() - t0
        print(f"generated {len(files)} reports in {generated:.1f} s under {workdir}", flush=True)
        first_wall, first_peak = _run_ingest(data, files[:1], log, 1, args.embed_threads)
        shutil.copytree(data, one, ignore=shutil.ignore_patterns(".lock"))
        deadline = time.time() + args.budget_minutes * 60 if args.budget_minutes else 0.0
        rest_wall, rest_peak = _run_ingest(data, files[1:], log, args.jobs, args.embed_threads, deadline)
        ingest = {
            "wall_seconds": first_wall + rest_wall,
            "peak_bytes": max(first_peak, rest_peak),
            "jobs": args.jobs,
        }
        summary.write_text(json.dumps(ingest), encoding="utf-8")
    after = _serve_and_measure(data, workdir, args.hot)
    print(f"latencies with all reports measured (hot entity {after.hot or '-'})", flush=True)
    before = _serve_and_measure(one, workdir, after.hot)
    print("latencies with 1 report measured", flush=True)
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    report_text(args, records, ingest, data, before, after)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _window_means(records: list[dict[str, object]]) -> tuple[int, float, float, float, float]:
    """(window, first and last window's mean per-report seconds, and mean commit intervals)."""
    per_report = [float(r["seconds"]) for r in records]  # type: ignore[arg-type]
    window = max(1, min(TARGETS.window, len(per_report) // 10))
    at = [float(r.get("at", 0.0)) for r in records]  # type: ignore[arg-type]
    gaps = [b - a for a, b in itertools.pairwise(at[1:])]  # report 1 was ingested on its own
    first_gap = statistics.mean(gaps[:window]) if gaps else float("nan")
    last_gap = statistics.mean(gaps[-window:]) if gaps else float("nan")
    return (
        window,
        statistics.mean(per_report[:window]),
        statistics.mean(per_report[-window:]),
        first_gap,
        last_gap,
    )


def report_text(
    args: argparse.Namespace,
    records: list[dict[str, object]],
    ingest: dict[str, Any],
    data: Path,
    before: ServerFigures,
    after: ServerFigures,
) -> None:
    wall, peak = float(ingest["wall_seconds"]), int(ingest["peak_bytes"])
    jobs = int(ingest.get("jobs", 1))
    chars = sum(int(r["chars"]) for r in records)  # type: ignore[call-overload]
    stages: dict[str, float] = {}
    for r in records:
        for stage, seconds in r["stages"].items():  # type: ignore[attr-defined]
            stages[stage] = stages.get(stage, 0.0) + seconds
    window, first, last, first_gap, last_gap = _window_means(records)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    search = SearchRecord.from_json(manifest["search"])
    indexed, dense = len(search.order), search.dense
    n = len(records)
    gib = 2**30
    server_gib = sum(after.rss) / gib
    run_target = TARGETS.seconds_per_report * n
    hot_ms = after.latencies.get(HOT_PROBE, (float("nan"),))[0]
    lines = [
        f"scale run: {n} of {args.reports} synthetic reports ingested"
        + (f" (stopped by the {args.budget_minutes:.0f}-minute budget)" if n < args.reports else "")
        + f", {chars:,} characters "
        f"(~{chars / max(n, 1):,.0f} each), embedder USE v3 with "
        f"{args.embed_threads or 'cores/jobs'} thread(s) per process, ingest --jobs {jobs}, on "
        f"{sys.platform} with 2 shared cores",
        *(
            [
                "  (--reuse: the ingest figures are those of the run that built the store; the servers "
                "were measured again)"
            ]
            if args.reuse
            else []
        ),
        f"total ingest wall time: {wall:,.0f} s ({wall / 3600:.2f} h); target <= 1 h for 1,000 reports, "
        f"{run_target:,.0f} s for {n}: {_verdict(wall <= run_target)}",
        f"  per report (its own stages): first {window} {first:.2f} s, last {window} {last:.2f} s, "
        f"ratio {last / first:.2f}; target <= {TARGETS.growth}: {_verdict(last / first <= TARGETS.growth)}",
        f"  between commits (wall, reports 2..n): first {window} {first_gap:.2f} s, last {window} "
        f"{last_gap:.2f} s, ratio {last_gap / first_gap:.2f}",
        f"  throughput: {chars / wall:,.0f} chars/s overall",
        f"peak memory (RSS of the ingest process tree, workers included): {peak / gib:.2f} GiB",
        "stage            total s      chars/s   (summed over reports: with --jobs > 1 the workers' "
        "stages overlap)",
    ]
    for stage, seconds in stages.items():
        lines.append(f"  {stage:<12} {seconds:10.1f} {chars / seconds if seconds else float('inf'):12,.0f}")
    lines += [
        f"store: {len(manifest['reports'])} reports, {indexed} in the search index, "
        f"graphs {dir_size(data / 'graphs') / 2**20:,.1f} MiB, "
        f"texts {dir_size(data / 'texts') / 2**20:,.1f} MiB, "
        f"index {dir_size(data / 'index') / 2**20:,.1f} MiB "
        f"(dense: {_segment_kinds(dense)}, {dense.count if dense else 0:,} passages)",
        f"server start to the first answered /health: {before.health_seconds:.1f} s with 1 report, "
        f"{after.health_seconds:.1f} s with {n}",
        f"server start to the first answered /search: {before.search_seconds:.1f} s with 1 report, "
        f"{after.search_seconds:.1f} s with {n}; target <= {TARGETS.first_search_seconds:g} s: "
        f"{_verdict(after.search_seconds <= TARGETS.first_search_seconds)}",
        "server memory (resident, API process plus query workers, after the latency probes):",
        _memory_line("1 report", before.rss),
        _memory_line(f"{n} reports", after.rss),
        f"  target <= {TARGETS.server_gib:g} GiB with {n} reports: "
        f"{_verdict(server_gib <= TARGETS.server_gib)}",
        f"hot-entity relation lookup (?x cnkg:offers <{after.hot or '-'}>): median {hot_ms:.1f} ms with "
        f"{n} reports; target <= {TARGETS.hot_lookup_ms:g} ms: {_verdict(hot_ms <= TARGETS.hot_lookup_ms)}",
        f"latency (ms, {REPEAT} sequential calls each)   1 report: median  p95   "
        f"{n} reports: median  p95   ratio (target <= {TARGETS.latency_ratio}×)",
    ]
    missed = 0
    for name in before.latencies:
        b = before.latencies[name]
        a = after.latencies.get(name, (float("nan"), float("nan"), 0))
        ratio = a[0] / b[0]
        met = ratio <= TARGETS.latency_ratio
        missed += not met
        errors = f"  ({b[2]}/{a[2]} non-200)" if b[2] or a[2] else ""
        lines.append(
            f"  {name:<34} {b[0]:8.1f} {b[1]:7.1f}          {a[0]:8.1f} {a[1]:7.1f}   "
            f"{ratio:5.2f}× {_verdict(met)}{errors}"
        )
    lines.append(
        f"  {len(before.latencies) - missed} of {len(before.latencies)} probes within "
        f"{TARGETS.latency_ratio}× of their 1-report figure"
    )
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
