"""Recall@1, Recall@5 and MRR of bm25, dense and hybrid search: on the answerable questions of the
real-world corpus (tests/data/realworld), by split, genre, question kind and language; then, as a
regression check, on tests/data/retrieval_eval.json over the corpus report and the sample reports (the
rules were written on these), with the embedding throughput of the default embedder.

    python bench/retrieval.py --split test   # dev | test | all (default all: dev and test side by side)
    python bench/retrieval.py --tune         # also a grid of fusion settings on the regression set
    python bench/retrieval.py --misses       # list the questions each mode misses (real-world: dev only)
    python bench/retrieval.py --store DIR    # keep the real-world store in DIR (reused by a later run)

Real-world: one store holds every document of the corpus (a researcher's store, whatever the split);
a passage is relevant when it holds one of the question's evidence quotes (see
tests/support/realworld_scores.quote_in_passage). Regression set: the corpus report and the sample reports are
ingested into a temporary data directory with the real ingest pipeline when it is available (else with
the test suite's sentence-aligned passage cutter).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import ROOT, bench_parser
from kg.catalog import Catalog, PassageRecord
from kg.datadir import DataDir
from kg.namespaces import report_iri
from kg.search import DEFAULT_FUSION, FusionConfig, SearchService, make_index_updater
from kg.search.embedders import Use3Embedder
from kg.search.evaluation import (
    EvalQuestion,
    Metrics,
    answer_spans,
    first_correct_rank,
    load_eval_set,
    summarise,
)
from tests.support.realworld import (
    NO_GENRE,
    Corpus,
    CorpusError,
    Question,
    build_corpus_store,
    corpus_arguments,
    save_results,
    side_by_side,
    splits_for,
)
from tests.support.realworld_scores import quote_in_passage

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
    from tests.support.search_data import bundle_from_text

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


MODES = ("bm25", "dense", "hybrid")
DEPTH = 10  # hits looked at per question (MRR counts the first relevant one within them)


class QuoteJudge:
    """Relevance on the real-world corpus: a hit is relevant when it comes from a document of the
    question's evidence and holds one of that document's evidence quotes."""

    def __init__(self, datadir: DataDir, corpus: Corpus) -> None:
        by_source = {r.source: r.rid for r in Catalog(datadir).reports()}
        self.rid = {doc.id: by_source[doc.path.name] for doc in corpus.documents.values()}

    def rank(self, q: Question, hits: Sequence[PassageRecord]) -> int | None:
        quotes: dict[str, list[str]] = {}
        for e in q.evidence:
            quotes.setdefault(self.rid[e.document], []).append(e.quote)
        for rank, hit in enumerate(hits, 1):
            if any(quote_in_passage(hit.text, quote) for quote in quotes.get(hit.rid, ())):
                return rank
        return None


def realworld_subsets(questions: Sequence[Question]) -> dict[str, list[Question]]:
    subsets: dict[str, list[Question]] = {"all": list(questions)}
    for genre in sorted({q.genre for q in questions} - {NO_GENRE}):
        subsets[f"genre {genre}"] = [q for q in questions if q.genre == genre]
    for kind in sorted({q.kind for q in questions}):
        subsets[f"kind {kind}"] = [q for q in questions if q.kind == kind]
    for lang in ("zh", "en"):
        subsets[f"lang {lang}"] = [q for q in questions if q.lang == lang]
    return subsets


def realworld_table(
    ranks: dict[str, dict[str, int | None]], questions: Sequence[Question], splits: Sequence[str]
) -> list[str]:
    rows: list[tuple[str, dict[str, str]]] = []
    by_split = {s: [q for q in questions if q.split == s] for s in splits}
    names = list(realworld_subsets(questions))
    per_split = {s: realworld_subsets(by_split[s]) for s in splits}
    for name in names:
        for mode in MODES:
            cells = {}
            for s in splits:
                subset = per_split[s].get(name, [])
                if subset:
                    m = summarise([ranks[mode][q.id] for q in subset])
                    cells[s] = f"{m.questions:<5} {m.recall_at_1:5.3f} {m.recall_at_5:5.3f} {m.mrr:5.3f}"
            rows.append((f"{name:<28} {mode}", cells))
    header = [("", {s: f"{'n':<5} {'R@1':>5} {'R@5':>5} {'MRR':>5}" for s in splits})]
    return side_by_side(header + rows, splits, width=30)


def realworld(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The real-world tables and the dev questions each mode misses."""
    corpus = Corpus(args.data)
    splits = splits_for(args.split)
    questions = [q for q in corpus.questions_in(splits) if q.answerable and q.evidence]
    datadir, build_seconds = build_corpus_store(corpus, args.store)
    service = SearchService(datadir)
    judge = QuoteJudge(datadir, corpus)
    ranks = {
        mode: {
            q.id: judge.rank(q, service.ranked_passages(q.question, k=DEPTH, mode=mode)) for q in questions
        }
        for mode in MODES
    }
    out = [
        f"real-world corpus ({corpus.where()}), split: {args.split}; store: all {len(corpus.documents)} "
        f"documents, {len(service.index())} passages (ingest {build_seconds:.0f} s)",
        "answerable questions with evidence, per split: "
        + ", ".join(f"{s} {sum(q.split == s for q in questions)}" for s in splits),
        f"relevant = the passage holds an evidence quote (folded; a quote cut by a passage boundary counts "
        f"when one passage holds half of it); hybrid = {describe(DEFAULT_FUSION)}",
        "",
        *realworld_table(ranks, questions, splits),
    ]
    misses = []
    for mode in MODES:
        missed = [q for q in questions if q.split == "dev" and (ranks[mode][q.id] or DEPTH + 1) > 5]
        misses.append(f"{mode} misses in the top 5, dev ({len(missed)}):")
        misses += [f"  {q.id:<28} [{q.kind}] {q.question}" for q in missed]
    return out, misses


def regression(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The tables on tests/data/retrieval_eval.json (corpus report and samples) and their misses."""
    questions = [q for q in load_eval_set(EVAL_SET) if document_path(q.document).is_file()]
    documents = sorted({q.document for q in questions})
    started = time.perf_counter()
    datadir, how = build_datadir(documents)
    build_seconds = time.perf_counter() - started
    service = SearchService(datadir)
    index = service.index()
    judge = Judge(datadir, questions)
    ranks = {mode: evaluate(service, judge, questions, mode) for mode in MODES}
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
    misses = []
    for mode, per_question in ranks.items():
        missed = [q for q in questions if (per_question[q.id] or 99) > 5]
        misses.append(f"{mode} misses ({len(missed)}):")
        misses += [f"  {q.id:<12} {'P' if q.paraphrase else ' '} {q.question}" for q in missed]
    return out, misses


def main() -> None:
    parser = bench_parser(__doc__)
    corpus_arguments(parser, store=True)
    parser.add_argument("--tune", action="store_true", help="evaluate a grid of fusion settings")
    parser.add_argument(
        "--misses", action="store_true", help="list the questions each mode misses in the top 5"
    )
    args = parser.parse_args()
    try:
        rw_out, rw_misses = realworld(args)
    except CorpusError as exc:
        sys.exit(f"retrieval bench: {exc}")
    reg_out, reg_misses = regression(args)
    out = [
        f"retrieval bench, split: {args.split}",
        "",
        *rw_out,
        "",
        "=" * 100,
        "regression check (rules were written on these): corpus report and samples",
        "",
        *reg_out,
    ]
    print("\n".join(out))
    if args.misses:
        print("\n".join(["", *rw_misses, "", "regression set:", *reg_misses]))
    save_results(RESULTS, "\n".join(out), args.data)


def _rid_of(datadir: DataDir, source: str) -> str | None:
    return next((r.rid for r in Catalog(datadir).reports() if r.source == source), None)


if __name__ == "__main__":
    main()
