"""Q&A quality and latency: the share of tests/data/qa_set.json answered correctly (overall and per kind),
the share of unanswerable questions declined, and the /ask latency on the corpus report.

    python bench/qa.py            # the figures (also written to bench/results/qa.txt)
    python bench/qa.py --misses   # also every question answered wrongly, with the answer given

Correct means: every expected string appears in the answer and in the text of its cited evidence (any one
of a group's alternatives; case, blanks and Markdown emphasis ignored). Everything goes through the real
HTTP application (``api.app.create_app``: routing, validation, the SPARQL engine's worker processes, JSON),
driven in process by Starlette's TestClient, after a real ingest (graph + search indexes) of the corpus
report and the four sample reports. Latency is measured on a data directory holding the corpus report
alone, over its questions, after one warm-up pass.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from ingest.pipeline import ingest_path  # noqa: E402
from kg.datadir import DataDir  # noqa: E402
from kg.qa.evaluation import QAItem, is_correct, load_qa_set  # noqa: E402
from kg.search import make_index_updater  # noqa: E402
from kg.settings import Settings  # noqa: E402

QA_SET = ROOT / "tests" / "data" / "qa_set.json"
CORPUS = ROOT.parent / "shared" / "corpus" / "000_70a1e0d4758384e6.txt"
RESULTS = ROOT / "bench" / "results" / "qa.txt"
LATENCY_ROUNDS = 3


def build(paths: list[Path]) -> DataDir:
    datadir = DataDir(Path(tempfile.mkdtemp(prefix="cnkg-qa-bench-")))
    updater = make_index_updater("use3")
    for path in paths:
        ingest_path(path, datadir, index_updater=updater)
    return datadir


def client_for(datadir: DataDir) -> TestClient:
    settings = Settings(data=datadir.root, rate_limit_per_minute=100_000, max_concurrent_per_client=64)
    return TestClient(create_app(settings))


def evaluate(items: list[QAItem], client: TestClient, show_misses: bool) -> list[str]:
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    for item in items:
        response = client.get("/ask", params={"q": item.question})
        response.raise_for_status()
        body = response.json()
        ok = is_correct(body, item.expected, answerable=item.answerable)
        total[item.kind] += 1
        right[item.kind] += ok
        english = item.question.isascii()
        if english:
            total["(english)"] += 1
            right["(english)"] += ok
        if not ok:
            misses.append(
                f"  {item.id} [{item.kind}] {item.question} -> {body['answer'][:80]}"
                f" (expected {item.expected})"
            )
    answerable = [k for k in total if k not in ("none", "(english)")]
    n_ans = sum(total[k] for k in answerable)
    ok_ans = sum(right[k] for k in answerable)
    lines = [
        f"answered correctly (answerable questions): {ok_ans}/{n_ans} = {ok_ans / n_ans:.3f}",
        f"unanswerable declined: {right['none']}/{total['none']} = "
        f"{right['none'] / max(total['none'], 1):.3f}",
        f"all questions handled correctly: {ok_ans + right['none']}/{len(items)} = "
        f"{(ok_ans + right['none']) / len(items):.3f}",
        "",
        "kind          n  correct",
    ]
    for kind in [*sorted(answerable, key=lambda k: -total[k]), "none", "(english)"]:
        if total[kind]:
            lines.append(f"{kind:<12}{total[kind]:>3}  {right[kind] / total[kind]:.3f}")
    if show_misses and misses:
        lines += ["", "misses:", *misses]
    return lines


def latency(items: list[QAItem], client: TestClient) -> list[str]:
    questions = [i.question for i in items if i.report.startswith("corpus/")]
    for q in questions:  # warm-up: models, caches, worker processes
        client.get("/ask", params={"q": q}).raise_for_status()
    times = []
    for _ in range(LATENCY_ROUNDS):
        for q in questions:
            t = time.perf_counter()
            client.get("/ask", params={"q": q}).raise_for_status()
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p90 = times[int(0.9 * (len(times) - 1))]
    return [
        f"/ask latency, corpus report only, {len(questions)} questions x {LATENCY_ROUNDS} rounds "
        f"(HTTP app in process, embedded SPARQL engine):",
        f"  p50 {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, max {times[-1]:.1f} ms",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--misses", action="store_true", help="list the questions answered wrongly")
    args = parser.parse_args()
    if not CORPUS.is_file():
        sys.exit(f"corpus report not found at {CORPUS}")
    items = load_qa_set(QA_SET)
    samples = sorted((ROOT / "samples").glob("*.md"))
    english = sum(1 for i in items if i.question.isascii())
    out = [
        f"Q&A evaluation: {len(items)} questions ({sum(not i.answerable for i in items)} unanswerable, "
        f"{english} in English) over the corpus report and {len(samples)} sample reports",
        "",
    ]
    with client_for(build([CORPUS, *samples])) as client:
        out += evaluate(items, client, args.misses)
    out.append("")
    with client_for(build([CORPUS])) as client:
        out += latency(items, client)
    text = "\n".join(out)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
