"""Q&A quality and latency. First on the real-world corpus (tests/data/realworld), by split: answerable
questions answered correctly, unanswerable ones declined, per kind, per genre, in English, list-member
recall and precision, /ask p50/p95 latency, each beside a naive baseline run on the same questions in the
same run. Then, as a regression check (the rules were written on these), the share of
tests/data/qa_set.json answered correctly over the corpus report and the sample reports, and the /ask
latency on the corpus report.

    python bench/qa.py --split test   # dev | test | all (default all: dev and test side by side)
    python bench/qa.py --misses       # also the regression set's misses
    python bench/qa.py --store DIR    # keep the real-world store in DIR (reused by a later run)
    python bench/qa.py --holdout      # dev in two columns: dev-write (misses listed) and dev-held, the
                                      # questions held out from rule writing (counts only), written to
                                      # bench/results/qa_holdout.txt

The naive baseline takes the top-3 hybrid passages of /search, cuts them into sentences and answers with
the sentence sharing the most character bigrams with the question, citing its passage; it never declines.
Real-world errors are printed by kind: every dev miss with its answer, counts only for test (frozen).

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
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServerSettings
from bench.live import ROOT, bench_parser, percentile
from kg.datadir import DataDir
from kg.qa.evaluation import QAItem, is_correct, load_qa_set
from tests.support.realworld import (
    DEV_WRITE,
    NO_GENRE,
    Corpus,
    CorpusError,
    Question,
    build_corpus_store,
    build_store,
    column,
    columns,
    corpus_arguments,
    ratio,
    save_results,
    side_by_side,
    splits_for,
)
from tests.support.realworld_scores import MemberScore, best_sentence, member_scores

QA_SET = ROOT / "tests" / "data" / "qa_set.json"
CORPUS = ROOT.parent / "shared" / "corpus" / "000_70a1e0d4758384e6.txt"
RESULTS = ROOT / "bench" / "results" / "qa.txt"
HOLDOUT_RESULTS = ROOT / "bench" / "results" / "qa_holdout.txt"
LATENCY_ROUNDS = 3
BASELINE_PASSAGES = 3  # top hybrid passages the naive baseline picks its sentence from
WARM_UP_QUESTIONS = 5  # asked before timing: models, caches and worker processes load on first use


def client_for(datadir: DataDir) -> TestClient:
    settings = ServerSettings(data=datadir.root, rate_limit_per_minute=100_000, max_concurrent_per_client=64)
    return TestClient(create_app(settings), base_url="http://localhost")  # an allowed host name


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


@dataclass(frozen=True)
class Outcome:
    question: Question
    response: dict  # the /ask response
    correct: bool
    milliseconds: float
    baseline: dict  # the baseline's answer, shaped like an /ask response
    baseline_correct: bool


def baseline_answer(client: TestClient, question: str) -> dict:
    """The naive baseline: the best bigram-sharing sentence of the top hybrid passages of /search."""
    response = client.get("/search", params={"q": question, "mode": "hybrid", "k": BASELINE_PASSAGES})
    response.raise_for_status()
    hits = response.json()["hits"]
    picked = best_sentence(question, [h["text"] for h in hits])
    if picked is None:
        return {"answer": "", "answered": True, "evidence": []}
    n, sentence = picked
    return {"answer": sentence, "answered": True, "evidence": [{"text": hits[n]["text"]}]}


def run_questions(questions: Sequence[Question], client: TestClient) -> list[Outcome]:
    for q in questions[:WARM_UP_QUESTIONS]:
        client.get("/ask", params={"q": q.question}).raise_for_status()
    outcomes = []
    for q in questions:
        started = time.perf_counter()
        response = client.get("/ask", params={"q": q.question})
        milliseconds = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        body = response.json()
        base = baseline_answer(client, q.question)
        outcomes.append(
            Outcome(
                q,
                body,
                is_correct(body, q.expected, answerable=q.answerable),
                milliseconds,
                base,
                is_correct(base, q.expected, answerable=q.answerable),
            )
        )
    return outcomes


def _share(outcomes: Sequence[Outcome], right: Callable[[Outcome], bool]) -> str:
    return ratio(sum(right(o) for o in outcomes), len(outcomes))


def _members(outcomes: Sequence[Outcome], baseline: bool) -> MemberScore:
    scores = [
        member_scores(o.question.members, o.baseline if baseline else o.response)
        for o in outcomes
        if o.question.members
    ]
    return MemberScore(
        *(sum(getattr(m, f) for m in scores) for f in ("found", "members", "matched_items", "items"))
    )


def realworld_table(
    outcomes: Sequence[Outcome], splits: Sequence[str], column_of: Callable[[Question], str]
) -> list[str]:
    """One row per figure and answerer (system = /ask, baseline), one column per split (or part of dev:
    ``column_of``)."""
    by_split = {s: [o for o in outcomes if column_of(o.question) == s] for s in splits}
    groups: list[tuple[str, Callable[[Outcome], bool]]] = [
        ("answerable, correct", lambda o: o.question.answerable),
        ("unanswerable, declined", lambda o: not o.question.answerable),
        ("all questions handled right", lambda o: True),
    ]
    answerable = [o for o in outcomes if o.question.answerable]
    for kind in sorted({o.question.kind for o in answerable}):
        groups.append((f"kind {kind}", lambda o, k=kind: o.question.answerable and o.question.kind == k))
    for genre in sorted({o.question.genre for o in answerable} - {NO_GENRE}):
        groups.append((f"genre {genre}", lambda o, g=genre: o.question.answerable and o.question.genre == g))
    groups.append(("English, answerable", lambda o: o.question.answerable and o.question.lang == "en"))
    groups.append(("English, unanswerable", lambda o: not o.question.answerable and o.question.lang == "en"))
    rows: list[tuple[str, dict[str, str]]] = []
    for label, member in groups:
        for who, right in (("system", _system_right), ("baseline", _baseline_right)):
            rows.append(
                (
                    f"{label:<32} {who}",
                    {s: _share([o for o in by_split[s] if member(o)], right) for s in splits},
                )
            )
    for who, baseline in (("system", False), ("baseline", True)):
        scores = {s: _members(by_split[s], baseline) for s in splits}
        rows.append(
            (f"{'list members, recall':<32} {who}", {s: ratio(m.found, m.members) for s, m in scores.items()})
        )
        rows.append(
            (
                f"{'list members, precision':<32} {who}",
                {s: ratio(m.matched_items, m.items) for s, m in scores.items()},
            )
        )
    rows.append(
        (
            f"{'/ask latency p50 / p95':<32} system",
            {
                s: f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f} ms"
                for s in splits
                if (ms := [o.milliseconds for o in by_split[s]])
            },
        )
    )
    return side_by_side(rows, splits)


def _system_right(o: Outcome) -> bool:
    return o.correct


def _baseline_right(o: Outcome) -> bool:
    return o.baseline_correct


def realworld_errors(
    outcomes: Sequence[Outcome], splits: Sequence[str], column_of: Callable[[Question], str]
) -> list[str]:
    """The system's errors by kind: every dev (or dev-write) miss with the answer given; for test and the
    held-out dev questions, counts only."""
    lines = []
    for split in splits:
        missed = [o for o in outcomes if column_of(o.question) == split and not o.correct]
        kinds = Counter(o.question.kind for o in missed)
        lines.append(
            f"{split} errors by kind ({len(missed)}): "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        )
        if split not in ("dev", DEV_WRITE):
            continue
        for kind in sorted(kinds):
            lines.append(f"  {kind}:")
            for o in missed:
                if o.question.kind == kind:
                    lines.append(
                        f"    {o.question.id} {o.question.question} -> "
                        f"{' '.join(o.response['answer'].split())[:100]} (expected {o.question.expected})"
                    )
    return lines


def realworld(args: argparse.Namespace) -> list[str]:
    corpus = Corpus(args.data)
    held = corpus.dev_held_out_questions() if args.holdout else None
    splits = columns(splits_for(args.split), held)

    def column_of(q: Question) -> str:
        return column(q.id, q.split, held)

    questions = corpus.questions_in(splits_for(args.split))
    datadir, build_seconds = build_corpus_store(corpus, args.store)
    with client_for(datadir) as client:
        outcomes = run_questions(questions, client)
    counts = ", ".join(_counts([q for q in questions if column_of(q) == s], s) for s in splits)
    return [
        f"real-world corpus ({corpus.where()}), split: {args.split}; store: all {len(corpus.documents)} "
        f"documents (ingest {build_seconds:.0f} s)",
        f"questions: {counts}",
        "system = GET /ask through the HTTP app; baseline = best bigram sentence of the top-"
        f"{BASELINE_PASSAGES} hybrid passages (never declines); both scored with kg.qa.evaluation.is_correct",
        "",
        *realworld_table(outcomes, splits, column_of),
        "",
        *realworld_errors(outcomes, splits, column_of),
    ]


def _counts(questions: Sequence[Question], split: str) -> str:
    unanswerable = sum(not q.answerable for q in questions)
    english = sum(q.lang == "en" for q in questions)
    return f"{split} {len(questions)} ({unanswerable} unanswerable, {english} in English)"


def regression(show_misses: bool) -> list[str]:
    """qa_set.json over the corpus report and the samples, and the /ask latency on the corpus report."""
    if not CORPUS.is_file():
        return [f"corpus report not found at {CORPUS}: regression check skipped"]
    items = load_qa_set(QA_SET)
    samples = sorted((ROOT / "samples").glob("*.md"))
    english = sum(1 for i in items if i.question.isascii())
    out = [
        f"Q&A evaluation: {len(items)} questions ({sum(not i.answerable for i in items)} unanswerable, "
        f"{english} in English) over the corpus report and {len(samples)} sample reports",
        "",
    ]
    with client_for(build_store([CORPUS, *samples])) as client:
        out += evaluate(items, client, show_misses)
    out.append("")
    with client_for(build_store([CORPUS])) as client:
        out += latency(items, client)
    return out


def main() -> None:
    parser = bench_parser(__doc__)
    corpus_arguments(parser, store=True, held="questions")
    parser.add_argument("--misses", action="store_true", help="list the regression set's misses")
    args = parser.parse_args()
    try:
        rw = realworld(args)
    except CorpusError as exc:
        sys.exit(f"Q&A bench: {exc}")
    out = [
        f"Q&A bench, split: {args.split}",
        "",
        *rw,
        "",
        "=" * 100,
        "regression check (rules were written on these): qa_set.json over the corpus report and samples",
        "",
        *regression(args.misses),
    ]
    text = "\n".join(out)
    print(text)
    save_results(HOLDOUT_RESULTS if args.holdout else RESULTS, text, args.data)


if __name__ == "__main__":
    main()
