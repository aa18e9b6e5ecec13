"""Load test of a live ``cnkg serve`` on 127.0.0.1: an async client mix of /search, /ask (when the server
has it), /sparql and /entities/{slug}, ramping from 1 to 32 concurrent clients over 60 s and holding 32
for 15 s, while a new report is uploaded (POST /reports, write token) in the middle.

    python bench/load.py [--ramp 60] [--hold 15] [--clients 32]

During the run a checker reads the new report three ways — its passage count in /reports, the SPARQL
count of its passages, and the /search hits of a marker word only it contains — and flags any reading
that is neither "absent" nor "complete" (a half-written report). The per-client limits are lifted for the
run (all clients share 127.0.0.1). Writes bench/results/load.txt.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.live import ROOT, SERVE_STARTUP_SECONDS, bench_parser, percentile
from bench.synthetic import synthetic_report
from kg.namespaces import slug_of
from tests.support.processes import cnkg_serve

CORPUS = (ROOT / "../shared/corpus/000_70a1e0d4758384e6.txt").resolve()
TOKEN = "load-test-token-0123456789"
SEARCHES = [
    "边缘计算市场规模",
    "服务网格落地难点",
    "Serverless 冷启动",
    "容器云厂商",
    "Kubernetes",
    "FinOps 成本优化",
    "云原生安全",
    "微服务架构",
]
QUESTIONS = [
    "边缘计算的市场规模是多少？",
    "Kubernetes的前身是什么？",
    "哪些厂商推出了服务网格产品？",
    "FinOps 是什么？",
]
SPARQL = [
    "SELECT ?e ?l WHERE { ?e skos:prefLabel ?l FILTER(LANG(?l) = 'zh') } LIMIT 20",
    "SELECT ?p WHERE { ?p cnkg:mentions <https://w3id.org/cnkg/id/entity/kubernetes> } LIMIT 10",
    "SELECT ?e (COUNT(?p) AS ?n) WHERE { ?p cnkg:mentions ?e } GROUP BY ?e ORDER BY DESC(?n) LIMIT 10",
    "SELECT ?f ?v ?u WHERE { ?f a cnkg:Observation ; cnkg:value ?v ; cnkg:unit ?u } LIMIT 20",
]
BAND = 4  # clients per reporting band


@dataclass
class Sample:
    endpoint: str
    status: int
    ms: float
    clients: int
    started: float


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    active: int = 0
    checks: list[tuple[float, int, int, int]] = field(default_factory=list)  # t, listed, sparql, search
    anomalies: list[str] = field(default_factory=list)
    upload: tuple[float, float, int] | None = None  # start, end, status
    upload_bytes: int = 0


def prepare_data(workdir: Path) -> Path:
    """Samples + the corpus report, graph and indexes, ingested once with ``cnkg ingest``."""
    data = workdir / "data"
    if (data / "manifest.json").exists():
        return data
    files = sorted(str(p) for p in (ROOT / "samples").glob("*.md"))
    if CORPUS.exists():
        files.append(str(CORPUS))
    subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", "--data", str(data), *files], cwd=ROOT, check=True
    )
    return data


def marker(run_id: str) -> str:
    """A word only this run's uploaded report contains (earlier runs' uploads may share the data)."""
    n, letters = int(run_id), ""
    while n:
        n, digit = divmod(n, 26)
        letters += chr(ord("A") + digit)
    return f"量子枢纽{letters}"


def upload_text(run_id: str) -> bytes:
    """A ~20,000-character report, new for every run, whose passages carry a marker word nothing else
    contains."""
    report = synthetic_report(424242, 20_000).text.replace("\n", f"\n\n本报告编号：{run_id}。\n", 1)
    word = marker(run_id)
    lines = [
        line + f"{word}平台的部署规模持续扩大。" if line and not line.startswith("#") else line
        for line in report.split("\n")
    ]
    return "\n".join(lines).encode("utf-8")


async def one_request(
    client: httpx.AsyncClient, run: Run, rng: random.Random, slugs: list[str], ask: bool
) -> None:
    roll = rng.random()
    if roll < 0.4:
        endpoint, request = (
            "/search",
            client.build_request("GET", "/search", params={"q": rng.choice(SEARCHES)}),
        )
    elif roll < 0.6 and ask:
        endpoint, request = "/ask", client.build_request("GET", "/ask", params={"q": rng.choice(QUESTIONS)})
    elif roll < 0.8:
        endpoint = "/sparql"
        request = client.build_request(
            "GET", "/sparql", params={"query": rng.choice(SPARQL)}, headers={"Accept": "application/json"}
        )
    else:
        endpoint, request = "/entities/{slug}", client.build_request("GET", f"/entities/{rng.choice(slugs)}")
    clients = run.active
    t0 = time.perf_counter()
    try:
        response = await client.send(request)
        status = response.status_code
        if status >= 500 or "Traceback" in response.text:
            run.anomalies.append(
                f"{endpoint} {request.url.query.decode()[:80]} → {status}: {response.text[:200]}"
            )
    except httpx.HTTPError as exc:
        status = 0
        run.errors[f"{endpoint} {type(exc).__name__}"] += 1
    run.samples.append(Sample(endpoint, status, (time.perf_counter() - t0) * 1000, clients, t0))


async def client_loop(
    url: str, run: Run, seed: int, stop: float, slugs: list[str], ask: bool, think: float
) -> None:
    """One client: a request, then a pause of ``think`` seconds on average (uniform 0.5–1.5 ×)."""
    rng = random.Random(seed)
    run.active += 1
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            while time.perf_counter() < stop:
                await one_request(client, run, rng, slugs, ask)
                if think:
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    finally:
        run.active -= 1


async def checker(url: str, run: Run, source: str, stop: float, word: str) -> None:
    """Read the uploaded report three ways until the end; each reading must be all or nothing."""
    final: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.perf_counter() < stop or run.upload is None or time.perf_counter() < run.upload[1] + 3:
            reports = (await client.get("/reports")).json()["reports"]
            mine = [r for r in reports if r["source"] == source]
            listed = mine[0]["counts"]["passages"] if mine else 0
            rid = mine[0]["rid"] if mine else None
            if rid:
                query = (
                    "SELECT (COUNT(?p) AS ?n) WHERE { ?p dcterms:isPartOf "
                    f"<https://w3id.org/cnkg/id/report/{rid}> }}"
                )
                answer = await client.get(
                    "/sparql", params={"query": query}, headers={"Accept": "application/json"}
                )
                in_sparql = int(answer.json()["results"]["bindings"][0]["n"]["value"])
            else:
                in_sparql = 0
            hits = (await client.get("/search", params={"q": word, "mode": "bm25", "k": 100})).json()
            in_search = len([h for h in hits["hits"] if word in h["text"]])
            run.checks.append((time.perf_counter(), listed, in_sparql, in_search))
            if listed:
                final = {"listed": listed}
            for name, value in (("sparql", in_sparql), ("search", in_search)):
                if value and name in final and value != final[name]:
                    run.anomalies.append(f"half-written read: {name} saw {value}, earlier {final[name]}")
                if value:
                    final[name] = value
            if listed and in_sparql and in_sparql != listed:
                run.anomalies.append(
                    f"half-written read: /reports says {listed} passages, SPARQL {in_sparql}"
                )
            await asyncio.sleep(0.2)


async def uploader(url: str, run: Run, at: float, source: str, body: bytes) -> None:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        t0 = time.perf_counter()
        response = await client.post(
            "/reports", files={"file": (source, body)}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        run.upload = (t0, time.perf_counter(), response.status_code)
        if response.status_code not in (200, 201):
            run.anomalies.append(f"upload → {response.status_code}: {response.text[:200]}")


async def drive(
    url: str, clients: int, ramp: float, hold: float, think: float, upload: bool
) -> tuple[Run, float, bool]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        ask = "/ask" in (await client.get("/openapi.json")).json()["paths"]
        slugs = [
            slug_of(e["iri"])
            for e in (await client.get("/entities", params={"limit": 200})).json()["entities"]
        ]
    run = Run()
    start = time.perf_counter()
    end = start + ramp + hold
    tasks = []
    if upload:
        run_id = f"{int(time.time())}"
        source = f"load-upload-{run_id}.md"
        run.upload_bytes = len(body := upload_text(run_id))
        tasks.append(asyncio.create_task(checker(url, run, source, end, marker(run_id))))
        tasks.append(asyncio.create_task(uploader(url, run, start + ramp / 2, source, body)))
    for i in range(clients):
        await asyncio.sleep(max(0.0, start + i * ramp / clients - time.perf_counter()))
        tasks.append(asyncio.create_task(client_loop(url, run, i, end, slugs, ask, think)))
    await asyncio.gather(*tasks)
    return run, time.perf_counter() - start, ask


def _row(name: str, samples: list[Sample], seconds: float | None = None) -> str:
    ms = [s.ms for s in samples if s.status]
    rate = f"{len(samples) / seconds:7.1f}/s" if seconds else " " * 9
    return (
        f"  {name:<18} {len(samples):6d} {rate} {percentile(ms, 50):8.1f} {percentile(ms, 95):8.1f} "
        f"{percentile(ms, 99):8.1f} {max(ms, default=float('nan')):8.1f}"
    )


def report(run: Run, seconds: float, ask: bool, title: str, clients: int) -> str:
    header = (
        f"  {'endpoint':<18} {'n':>6} {'rate':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    by_endpoint: dict[str, list[Sample]] = defaultdict(list)
    for s in run.samples:
        by_endpoint[s.endpoint].append(s)
    lines = [
        f"{title}; /ask {'included' if ask else 'absent on this server'}",
        f"requests: {len(run.samples):,} in {seconds:.1f} s = {len(run.samples) / seconds:.1f} req/s",
        "whole run:",
        header,
    ]
    lines += [_row(name, by_endpoint[name], seconds) for name in sorted(by_endpoint)]
    statuses = Counter((s.endpoint, s.status) for s in run.samples if s.status != 200)
    server_errors = sum(n for (_, status), n in statuses.items() if status >= 500)
    lines.append(
        "non-200 answers: "
        + (", ".join(f"{e} {st}: {n}" for (e, st), n in sorted(statuses.items())) or "none")
    )
    lines.append("client-side errors: " + (", ".join(f"{k}: {n}" for k, n in run.errors.items()) or "none"))
    lines.append(f"5xx answers: {server_errors} (target 0)")
    lines.append(f"by concurrent clients (band of {BAND}, client count when the request started):")
    lines.append(header.replace("endpoint          ", "clients / endpoint"))
    search_16 = [s.ms for s in run.samples if s.endpoint == "/search" and 13 <= s.clients <= 16 and s.status]
    for low in range(1, clients + 1, BAND):
        band = [s for s in run.samples if low <= s.clients < low + BAND]
        for name in sorted(by_endpoint):
            lines.append(
                _row(f"{low:2d}-{low + BAND - 1:2d} {name}", [s for s in band if s.endpoint == name])
            )
    lines.append(
        f"/search p99 at 13-16 clients: {percentile(search_16, 99):.1f} ms "
        f"over {len(search_16)} requests (target < 300 ms)"
    )
    if run.upload:
        t0 = run.samples[0].started if run.samples else run.upload[0]
        lines.append(
            f"upload of a {run.upload_bytes:,}-byte report: status {run.upload[2]}, "
            f"from {run.upload[0] - t0:.1f} s "
            f"to {run.upload[1] - t0:.1f} s of the run"
        )
        seen = [c for c in run.checks if c[1]]
        if seen:
            first = seen[0][0]
            sparql = next((c[0] for c in run.checks if c[2]), None)
            search = next((c[0] for c in run.checks if c[3]), None)
            lines.append(
                f"consistency: {len(run.checks)} three-way readings; "
                f"report listed with {seen[-1][1]} passages; "
                f"SPARQL saw {max(c[2] for c in run.checks)} passages"
                + (f" {sparql - first:+.2f} s after /reports" if sparql else "")
                + f", search saw {max(c[3] for c in run.checks)} marker hits"
                + (f" {search - first:+.2f} s after /reports" if search else "")
            )
    half = [a for a in run.anomalies if a.startswith("half-written")]
    lines.append(f"half-written reads: {len(half)} (target 0)")
    other = [a for a in run.anomalies if not a.startswith("half-written")]
    lines += [f"  anomaly: {a}" for a in (half + other)[:20]]
    return "\n".join(lines)


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ramp", type=float, default=60.0)
    parser.add_argument("--hold", type=float, default=15.0)
    parser.add_argument("--think", type=float, default=1.0, help="Mean pause of a client between requests.")
    parser.add_argument(
        "--saturation", type=float, default=20.0, help="Seconds of the no-pause phase (0: skip)."
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="Keep the data here (default: a temp dir)."
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/load.txt")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cnkg-load-"))
    data = prepare_data(workdir)
    os.environ.update({"CNKG_RATE_LIMIT_PER_MINUTE": "10000000", "CNKG_MAX_CONCURRENT_PER_CLIENT": "256"})
    load = os.getloadavg()[0]
    with cnkg_serve(
        data, token=TOKEN, log=workdir / "serve.log", startup_seconds=SERVE_STARTUP_SECONDS
    ) as server:
        run, seconds, ask = asyncio.run(
            drive(server.url, args.clients, args.ramp, args.hold, args.think, True)
        )
        sections = [
            report(
                run,
                seconds,
                ask,
                f"phase 1: 1→{args.clients} clients over {args.ramp:.0f} s, then {args.clients} for "
                f"{args.hold:.0f} s, each pausing {args.think:.1f} s on average between requests, a report "
                "uploaded in the middle",
                args.clients,
            )
        ]
        if args.saturation:
            run, seconds, ask = asyncio.run(drive(server.url, 16, 0.0, args.saturation, 0.0, False))
            sections.append(
                report(
                    run,
                    seconds,
                    ask,
                    f"phase 2 (capacity): 16 clients, no pause between requests, {args.saturation:.0f} s",
                    16,
                )
            )
    text = "\n\n".join(
        [
            f"cnkg load test on {os.cpu_count()} cores (load average {load:.1f} when it started: the machine "
            "is shared); data: the 4 samples + the corpus report; limits per client lifted",
            *sections,
        ]
    )
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
