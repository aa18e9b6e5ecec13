"""Scale run: ingest many synthetic ~60,000-character reports with the default embedder (USE v3) and
report ingest time, characters per second per stage, store and index size, peak memory, and query
latencies of a live server with one report and with all of them.

    python bench/scale.py                  # 1,000 reports (over an hour on 2 cores)
    python bench/scale.py --reports 20     # a quick run
    python bench/scale.py --workdir DIR --reuse   # measure the servers again over DIR's ingested store

The ingest runs in a child process (``cnkg ingest``'s own code path, one report after another, each an
atomic write that also updates the search indexes); the parent samples the resident memory of the child's
process tree. Writes bench/results/scale.txt (or --out).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.live import ROOT, SERVE_STARTUP_SECONDS, dir_size, percentile, tree_rss, tree_rss_by_process
from bench.synthetic import write_reports
from tests.support.processes import cnkg_serve

SEARCHES = [
    "边缘计算市场规模",
    "服务网格 Istio 落地难点",
    "Serverless 冷启动",
    "云成本管理 FinOps 工具",
    "Kubernetes",
]
QUESTIONS = ["边缘计算的市场规模是多少？", "哪些厂商推出了服务网格产品？", "FinOps 是什么？"]
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
REPEAT = 15


def _timed(client: httpx.Client, method: str, path: str, **kwargs: object) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    return (time.perf_counter() - t0) * 1000, response.status_code


def latencies(url: str) -> dict[str, tuple[float, float, int]]:
    """name -> (median ms, p95 ms, non-200 answers) of each probe, REPEAT sequential calls after a warm-up."""
    out: dict[str, tuple[float, float, int]] = {}
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
            for name, q in SPARQL.items()
        ]
        for name, method, path, kwargs in probes:
            _timed(client, method, path, **kwargs)
            runs = [_timed(client, method, path, **kwargs) for _ in range(REPEAT)]
            ms = [r[0] for r in runs]
            out[name] = (statistics.median(ms), percentile(ms, 95), sum(1 for r in runs if r[1] != 200))
    return out


def ingest_child(data: Path, files: list[Path], log: Path, threads: int, deadline: float) -> None:
    """Ingest ``files`` one by one, as ``cnkg ingest`` does, appending one JSON line per report to ``log``."""
    import kg.search.updater as updater_module
    from ingest.pipeline import ingest_path
    from kg.datadir import DataDir
    from kg.search.embedders import embedder_from_spec

    embed_seconds = [0.0]

    class TimedEmbedder:
        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

        def embed(self, texts: list[str]) -> object:
            t0 = time.perf_counter()
            try:
                return self.inner.embed(texts)  # type: ignore[attr-defined]
            finally:
                embed_seconds[0] += time.perf_counter() - t0

    models: dict[tuple[str, int], TimedEmbedder] = {}

    def timed_spec(spec: str, threads: int = 0) -> TimedEmbedder:
        if (spec, threads) not in models:
            models[spec, threads] = TimedEmbedder(embedder_from_spec(spec, threads))
        return models[spec, threads]

    updater_module.embedder_from_spec = timed_spec  # type: ignore[assignment]
    index_seconds = [0.0]

    def index_updater(*args: object) -> None:
        t0 = time.perf_counter()
        try:
            updater_module.update_indexes(*args, threads=threads)  # type: ignore[arg-type]
        finally:
            index_seconds[0] += time.perf_counter() - t0

    datadir = DataDir(data)
    with log.open("a", encoding="utf-8") as out:
        for path in files:
            if deadline and time.time() > deadline:
                break
            embed_seconds[0] = index_seconds[0] = 0.0
            summary = ingest_path(path, datadir, index_updater=index_updater)
            stages = dict(summary.stage_seconds)
            stages["index"] = index_seconds[0] - embed_seconds[0]
            stages["embed"] = embed_seconds[0]
            stages["write"] = stages.get("write", 0.0) - index_seconds[0]
            record = {"file": path.name, "chars": summary.chars, "seconds": summary.seconds, "stages": stages}
            out.write(json.dumps(record) + "\n")
            out.flush()


def _run_ingest(
    data: Path, files: list[Path], log: Path, threads: int, deadline: float = 0.0
) -> tuple[float, int]:
    """Ingest in a child process; (wall seconds, peak RSS of its tree in bytes)."""
    list_file = log.with_suffix(".files")
    list_file.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
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


def _serve_and_measure(data: Path, workdir: Path) -> tuple[Latencies, float, list[int]]:
    """(latencies, seconds until /health answered, resident bytes of the server and of each child)."""
    with cnkg_serve(
        data, "--query-workers", "2", log=workdir / "serve.log", startup_seconds=SERVE_STARTUP_SECONDS
    ) as server:
        figures = latencies(server.url)
        rss = tree_rss_by_process(server.process.pid)
        return figures, server.started_seconds, rss


def _memory_line(label: str, rss: list[int]) -> str:
    gib = 2**30
    workers = [r for r in rss[1:] if r > 64 * 2**20]  # the query workers; the rest are small helpers
    return (
        f"  {label}: {sum(rss) / gib:.2f} GiB = API process {rss[0] / gib:.2f} GiB + "
        f"{len(workers)} query worker(s) of {', '.join(f'{w / gib:.2f}' for w in workers) or '-'} GiB"
        f" + {len(rss) - 1 - len(workers)} helper(s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=60_000)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="Keep the data here (default: a temp dir)."
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/scale.txt")
    parser.add_argument(
        "--embed-threads",
        type=int,
        default=0,
        help="Threads of USE v3 (0: the core count, cnkg's default; 1 is faster on a shared machine).",
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
        "figures of the run that built it (a one-report store for the 'before' figures is built beside it).",
    )
    parser.add_argument("--deadline", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, metavar=("DATA", "FILES", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        data, files, log = (Path(x) for x in args.child)
        listed = [Path(f) for f in files.read_text(encoding="utf-8").split("\n") if f]
        ingest_child(data, listed, log, args.embed_threads, args.deadline)
        return
    if args.reuse and not args.workdir:
        raise SystemExit("bench/scale.py: --reuse needs --workdir (the directory of an earlier run)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cnkg-scale-"))
    data, log, summary = workdir / "data", workdir / "ingest.jsonl", workdir / "ingest.summary.json"
    if args.reuse:
        if not summary.is_file():
            raise SystemExit(f"bench/scale.py: {summary} is missing; run without --reuse first")
        ingest = json.loads(summary.read_text(encoding="utf-8"))
        first = workdir / "reports" / json.loads(log.read_text(encoding="utf-8").split("\n", 1)[0])["file"]
        one = workdir / "data-one"
        if not (one / "manifest.json").is_file():
            _run_ingest(one, [first], workdir / "ingest-one.jsonl", args.embed_threads)
        before, before_start, before_rss = _serve_and_measure(one, workdir)
        print("latencies with 1 report measured", flush=True)
    else:
        log.unlink(missing_ok=True)
        t0 = time.perf_counter()
        files = write_reports(workdir / "reports", args.reports, args.chars)
        generated = time.perf_counter() - t0
        print(f"generated {len(files)} reports in {generated:.1f} s under {workdir}", flush=True)
        first_wall, first_peak = _run_ingest(data, files[:1], log, args.embed_threads)
        before, before_start, before_rss = _serve_and_measure(data, workdir)
        print("latencies with 1 report measured", flush=True)
        deadline = time.time() + args.budget_minutes * 60 if args.budget_minutes else 0.0
        rest_wall, rest_peak = _run_ingest(data, files[1:], log, args.embed_threads, deadline)
        ingest = {"wall_seconds": first_wall + rest_wall, "peak_bytes": max(first_peak, rest_peak)}
        summary.write_text(json.dumps(ingest), encoding="utf-8")
    after, after_start, after_rss = _serve_and_measure(data, workdir)
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    report_text(
        args,
        records,
        float(ingest["wall_seconds"]),
        int(ingest["peak_bytes"]),
        data,
        before,
        after,
        (before_start, before_rss, after_start, after_rss),
    )


def report_text(
    args: argparse.Namespace,
    records: list[dict[str, object]],
    wall: float,
    peak: int,
    data: Path,
    before: Latencies,
    after: Latencies,
    server: tuple[float, list[int], float, list[int]],
) -> None:
    chars = sum(int(r["chars"]) for r in records)  # type: ignore[call-overload]
    stages: dict[str, float] = {}
    for r in records:
        for stage, seconds in r["stages"].items():  # type: ignore[attr-defined]
            stages[stage] = stages.get(stage, 0.0) + seconds
    per_report = [float(r["seconds"]) for r in records]  # type: ignore[arg-type]
    tenth = max(1, len(per_report) // 10)
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    indexed = len(manifest["search"].get("order", []))
    dense = manifest["search"].get("dense", {})
    lines = [
        f"scale run: {len(records)} of {args.reports} synthetic reports ingested"
        + (
            f" (stopped by the {args.budget_minutes:.0f}-minute budget)"
            if len(records) < args.reports
            else ""
        )
        + f", {chars:,} characters "
        f"(~{chars / max(len(records), 1):,.0f} each), embedder USE v3 with "
        f"{args.embed_threads or 'core-count'} thread(s), on {sys.platform} with 2 shared cores",
        *(
            [
                "  (--reuse: the ingest figures are those of the run that built the store; the servers "
                "were measured again, the 'before' one over a fresh one-report store)"
            ]
            if args.reuse
            else []
        ),
        f"total ingest wall time: {wall:,.0f} s ({wall / 3600:.2f} h; target < 2 h for 1,000 reports)",
        f"  per report: first tenth {statistics.mean(per_report[:tenth]):.1f} s, "
        f"last tenth {statistics.mean(per_report[-tenth:]):.1f} s "
        "(growth shows index work that scales with n)",
        f"  throughput: {chars / wall:,.0f} chars/s overall",
        f"peak memory (RSS of the ingest process tree): {peak / 2**30:.2f} GiB (target < 8 GiB)",
        "stage            total s      chars/s",
    ]
    for stage, seconds in stages.items():
        lines.append(f"  {stage:<12} {seconds:10.1f} {chars / seconds if seconds else float('inf'):12,.0f}")
    lines += [
        f"store: {len(manifest['reports'])} reports, {indexed} in the search index, "
        f"graphs {dir_size(data / 'graphs') / 2**20:,.1f} MiB, "
        f"texts {dir_size(data / 'texts') / 2**20:,.1f} MiB, "
        f"index {dir_size(data / 'index') / 2**20:,.1f} MiB "
        f"(dense {dense.get('kind')}, {dense.get('count', 0):,} passages)",
        f"server start (query workers and search index loaded): {server[0]:.1f} s with 1 report, "
        f"{server[2]:.1f} s with {len(records)}",
        "server memory (resident, after the latency probes; each query worker holds its own copy of the "
        "graph):",
        _memory_line("1 report", server[1]),
        _memory_line(f"{len(records)} reports", server[3]),
        f"latency (ms, {REPEAT} sequential calls each)   1 report: median  p95   "
        f"{len(records)} reports: median  p95"
        "   ratio",
    ]
    for name in before:
        b, a = before[name], after.get(name, (float("nan"), float("nan"), 0))
        errors = f"  ({b[2]}/{a[2]} non-200)" if b[2] or a[2] else ""
        lines.append(
            f"  {name:<34} {b[0]:8.1f} {b[1]:7.1f}          {a[0]:8.1f} {a[1]:7.1f}   "
            f"{a[0] / b[0]:5.2f}×{errors}"
        )
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
