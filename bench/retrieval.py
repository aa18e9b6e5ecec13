"""Recall@1, Recall@5 and MRR of bm25, dense and hybrid search on tests/data/retrieval_eval.json, and the
embedding throughput of the default embedder.

    python bench/retrieval.py            # the table (also written to bench/results/retrieval.txt)
    python bench/retrieval.py --tune     # also a grid of fusion settings, with 2-fold cross-validation
    python bench/retrieval.py --misses   # list the questions each mode gets wrong

The corpus report and the sample reports are ingested into a temporary data directory with the real
ingest pipeline when it is available (else with the test suite's sentence-aligned passage cutter).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.catalog import Catalog, PassageRecord  # noqa: E402
from kg.datadir import DataDir  # noqa: E402
from kg.namespaces import report_iri  # noqa: E402
from kg.search import DEFAULT_FUSION, FusionConfig, SearchService, make_index_updater  # noqa: E402
from kg.search.embedders import Use3Embedder  # noqa: E402
from kg.search.evaluation import (  # noqa: E402
    EvalQuestion,
    Metrics,
    answer_spans,
    first_correct_rank,
    load_eval_set,
    summarise,
)

EVAL_SET = ROOT / "tests" / "data" / "retrieval_eval.json"
CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "bench" / "results" / "retrieval.txt"


def document_path(document: str) -> Path:
    return CORPUS / document.split("/", 1)[1] if document.startswith("corpus/") else ROOT / document


def build_datadir(documents: Sequence[str]) -> tuple[DataDir, str]:
    """Ingest the documents into a fresh data directory; returns it and how passages were made."""
    datadir = DataDir(Path(tempfile.mkdtemp(prefix="cnkg-retrieval-")))
    updater = make_index_updater("use3")
    try:
        from ingest.pipeline import ingest_path

        for document in documents:
            ingest_path(document_path(document), datadir, index_updater=updater)
        return datadir, "ingest pipeline"
    except Exception as exc:  # the pipeline (or the lexicon it needs) is not there yet
        print(f"ingest pipeline unavailable ({type(exc).__name__}: {exc}); using the test passage cutter")
    from tests.test_search_support import bundle_from_text

    datadir = DataDir(Path(tempfile.mkdtemp(prefix="cnkg-retrieval-")))
    catalog = Catalog(datadir, index_updater=updater)
    for document in documents:
        text = document_path(document).read_text(encoding="utf-8")
        catalog.write(bundle_from_text(text, document_path(document).name))
    return datadir, "test passage cutter"


class Judge:
    """Where each question's answers sit in the stored texts of the data directory."""

    def __init__(self, datadir: DataDir, questions: Sequence[EvalQuestion]) -> None:
        catalog = Catalog(datadir)
        by_source = {r.source: r for r in catalog.reports()}
        self.targets: dict[str, tuple[str, list[tuple[int, int]]]] = {}
        for q in questions:
            record = by_source[Path(q.document).name]
            spans = answer_spans(catalog.text(record.rid), q.answers)
            if not spans:
                raise SystemExit(f"{q.id}: no answer found in the stored text of {q.document}")
            self.targets[q.id] = (report_iri(record.rid), spans)

    def rank(self, q: EvalQuestion, hits: Sequence[PassageRecord]) -> int | None:
        report, spans = self.targets[q.id]
        return first_correct_rank([(report_iri(h.rid), h.start, h.end) for h in hits], report, spans)


def evaluate(
    service: SearchService, judge: Judge, questions: Sequence[EvalQuestion], mode: str
) -> dict[str, int | None]:
    return {q.id: judge.rank(q, service.ranked_passages(q.question, k=10, mode=mode)) for q in questions}


def table(ranks: dict[str, dict[str, int | None]], questions: Sequence[EvalQuestion]) -> list[str]:
    subsets = {
        "all": questions,
        "paraphrase": [q for q in questions if q.paraphrase],
        "shared-words": [q for q in questions if not q.paraphrase],
        "english": [q for q in questions if q.lang == "en"],
    }
    lines = [f"{'subset':<13} {'n':>4}  {'mode':<7} {'R@1':>6} {'R@5':>6} {'MRR':>6}"]
    for name, subset in subsets.items():
        for mode, per_question in ranks.items():
            m = summarise([per_question[q.id] for q in subset])
            lines.append(
                f"{name:<13} {m.questions:>4}  {mode:<7} "
                f"{m.recall_at_1:6.3f} {m.recall_at_5:6.3f} {m.mrr:6.3f}"
            )
    return lines


def throughput(texts: Sequence[str]) -> tuple[float, int]:
    embedder = Use3Embedder()  # threads = core count
    embedder.embed(["预热"])
    started = time.perf_counter()
    embedder.embed(list(texts))
    seconds = time.perf_counter() - started
    return sum(len(t) for t in texts) / seconds, embedder.threads


def tune(service: SearchService, judge: Judge, questions: Sequence[EvalQuestion]) -> list[str]:
    """Score a grid of fusion settings; pick on one half of the questions, report on the other."""
    grid: list[FusionConfig] = []
    weights, boosts = (0.3, 0.4, 0.5, 0.6, 0.7), (0.0, 0.05, 0.1, 0.2)
    norms = itertools.product(("max", "ideal"), ("max", "minmax", "raw"))
    for (kn, dn), w, boost in itertools.product(list(norms), weights, boosts):
        grid.append(FusionConfig("weighted", w, kn, dn, 60.0, boost))  # type: ignore[arg-type]
    for w, boost, k in itertools.product((0.3, 0.5, 0.7), (0.0, 0.05, 0.1), (10.0, 60.0)):
        grid.append(FusionConfig("rrf", w, rrf_k=k, graph_boost=boost))

    def score(config: FusionConfig, subset: Sequence[EvalQuestion]) -> Metrics:
        service.fusion = config
        ranks = evaluate(service, judge, subset, "hybrid")
        return summarise(list(ranks.values()))

    def key(m: Metrics) -> tuple[float, float, float]:
        return (m.mrr, m.recall_at_5, m.recall_at_1)

    results = [(config, score(config, questions)) for config in grid]
    results.sort(key=lambda r: key(r[1]), reverse=True)
    lines = ["fusion grid, all questions (best 12 by MRR):"]
    for config, m in results[:12]:
        lines.append(
            f"  {describe(config):<44} R@1 {m.recall_at_1:.3f}  R@5 {m.recall_at_5:.3f}  MRR {m.mrr:.3f}"
        )
    folds = [questions[0::2], questions[1::2]]
    for i, (train, test) in enumerate([(folds[0], folds[1]), (folds[1], folds[0])]):
        best = max(grid, key=lambda c: key(score(c, train)))
        m = score(best, test)
        lines.append(
            f"fold {i + 1}: chosen on {len(train)} questions {describe(best)}; on the other {len(test)}: "
            f"R@1 {m.recall_at_1:.3f} R@5 {m.recall_at_5:.3f} MRR {m.mrr:.3f}"
        )
    service.fusion = DEFAULT_FUSION
    return lines


def describe(config: FusionConfig) -> str:
    if config.method == "rrf":
        return f"rrf w_bm25={config.bm25_weight} k={config.rrf_k:g} boost={config.graph_boost}"
    return (
        f"weighted bm25/{config.keyword_norm} dense/{config.dense_norm} w_bm25={config.bm25_weight} "
        f"boost={config.graph_boost}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tune", action="store_true", help="evaluate a grid of fusion settings")
    parser.add_argument(
        "--misses", action="store_true", help="list the questions each mode misses in the top 5"
    )
    args = parser.parse_args()
    questions = [q for q in load_eval_set(EVAL_SET) if document_path(q.document).is_file()]
    documents = sorted({q.document for q in questions})
    started = time.perf_counter()
    datadir, how = build_datadir(documents)
    build_seconds = time.perf_counter() - started
    service = SearchService(datadir)
    index = service.index()
    judge = Judge(datadir, questions)
    ranks = {mode: evaluate(service, judge, questions, mode) for mode in ("bm25", "dense", "hybrid")}
    corpus_rows = [p.text for p in index.passages if p.rid == _rid_of(datadir, "000_70a1e0d4758384e6.txt")]
    chars_per_second, threads = throughput(corpus_rows or [p.text for p in index.passages])
    out = [
        f"retrieval evaluation: {len(questions)} questions "
        f"({sum(q.paraphrase for q in questions)} paraphrases, "
        f"{sum(q.lang == 'en' for q in questions)} in English) over {len(documents)} documents",
        f"passages: {len(index)} from the {how}; embedder {index.embedder.name if index.embedder else '-'}; "
        f"hybrid = {describe(DEFAULT_FUSION)}, depth {DEFAULT_FUSION.depth}",
        f"indexing (segmentation + embedding + index build): {build_seconds:.1f} s",
        "",
        *table(ranks, questions),
        "",
        f"embedding throughput, use3 with threads={threads} (core count), corpus report passages: "
        f"{chars_per_second:,.0f} characters/s",
    ]
    if args.tune:
        out += ["", *tune(service, judge, questions)]
    print("\n".join(out))
    if args.misses:
        for mode, per_question in ranks.items():
            missed = [q for q in questions if (per_question[q.id] or 99) > 5]
            print(f"\n{mode} misses ({len(missed)}):")
            for q in missed:
                print(f"  {q.id:<12} {'P' if q.paraphrase else ' '} {q.question}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(out) + "\n", encoding="utf-8")


def _rid_of(datadir: DataDir, source: str) -> str | None:
    return next((r.rid for r in Catalog(datadir).reports() if r.source == source), None)


if __name__ == "__main__":
    main()
