"""Fit the decline models of /ask on the real-world corpus's DEV split, the way kg/qa/reading.py's
DECLINE and DECLINE_EN were chosen, and print them beside the models in use.

    python bench/qa_decline.py --store DIR   # reuse (or build) the real-world store in DIR

Every single-part dev question (not the held-out ones of dev_holdout.json) is answered with declines off,
its decline features recorded (best dense cosine, best focus share, top passage's hybrid score, asked unit
stated, open question, cosine margin, best selection score, share of the question's entities its report
names).
Positives: answerable questions answered right; negatives: unanswerable ones (an
answerable question answered wrong is left out: declining it costs nothing). One class-balanced logistic
regression per question language over the features that language's model uses, with its 5-fold
cross-validated AUC, then a table of bias shifts: answerable-correct kept and unanswerable declined on the
same questions (the Chinese model in use keeps round 7's weights with `named` added: docs/qa.md, round 10).
The test split is never read here. The bias in use was then chosen end to end (bench/qa.py
on dev: the best answerable-correct keeping dev's declines).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import bench_parser
from kg.datadir import DataDir
from kg.qa.evaluation import is_correct
from kg.qa.parts import split_parts
from kg.qa.reading import DECLINE, DECLINE_EN, DeclineModel
from kg.qa.service import QuestionAnswerer
from kg.qa.source import store_select
from kg.search.service import SearchService
from kg.store import GraphStore
from tests.support.realworld import Corpus, CorpusError, build_corpus_store, corpus_arguments

FEATURES = ("dense", "focus", "passage", "unit", "open", "margin", "score", "named")
MODEL_FEATURES = {  # which features each language's model reads (the focus and unit are Chinese-text ones)
    "zh": ("dense", "focus", "passage", "unit", "open", "margin", "named"),
    "en": ("dense", "open", "margin", "score"),
}
L2 = 0.01  # ridge penalty on the standardised weights
STEPS = 3000  # gradient steps (full batch)
RATE = 0.1  # step size
FOLDS = 5
SHIFTS = (-1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5)


@dataclass(frozen=True)
class Recorder(DeclineModel):
    """A decline model that never declines and keeps the features it was asked about."""

    seen: list[tuple[float, ...]] = field(default_factory=list)

    def confidence(self, *features: Any, **named: Any) -> float:
        """Records the features in DeclineModel.confidence's order (FEATURES); never declines."""
        names = FEATURES[len(features) :]
        self.seen.append(tuple(float(f) for f in features) + tuple(float(named.get(n, 0.0)) for n in names))
        return 1.0


@dataclass(frozen=True)
class Row:
    lang: str
    answerable: bool
    correct: bool
    x: tuple[float, ...]


def record(corpus: Corpus, store: Path | None) -> list[Row]:
    datadir, _ = build_corpus_store(corpus, store)
    answerer = QuestionAnswerer(SearchService(DataDir(datadir.root)))
    select = store_select(GraphStore.open(datadir))
    recorder = Recorder()
    answerer.decline = answerer.decline_en = recorder
    held = corpus.dev_held_out_questions()  # they judge the models in totals: never fitted on
    rows = []
    for q in corpus.questions:
        if q.split != "dev" or q.id in held or len(split_parts(" ".join(q.question.split()))) > 1:
            continue
        recorder.seen.clear()
        response = asyncio.run(answerer.ask(q.question, select))
        if len(recorder.seen) == 1:  # answered from the passages (a graph answer asks no decline)
            correct = q.answerable and is_correct(response, q.expected, answerable=True)
            rows.append(Row(q.lang, q.answerable, correct, recorder.seen[0]))
    return rows


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Class-balanced logistic regression; weights and bias on the raw features."""
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / scale
    weights, bias = np.zeros(z.shape[1]), 0.0
    positives = y.sum()
    balance = np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * (len(y) - positives)))
    for _ in range(STEPS):
        error = (1 / (1 + np.exp(-(z @ weights + bias))) - y) * balance
        weights -= RATE * (z.T @ error / len(y) + L2 * weights)
        bias -= RATE * error.mean()
    raw = weights / scale
    return raw, float(bias - raw @ mean)


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    return float(np.mean([(p > n) + 0.5 * (p == n) for p in pos for n in neg]))


def _named(names: tuple[str, ...], weights: np.ndarray) -> str:
    return ", ".join(f"{n} {w:.2f}" for n, w in zip(names, weights, strict=True))


def report(rows: list[Row], lang: str, current: DeclineModel) -> None:
    names = MODEL_FEATURES[lang]
    columns = [FEATURES.index(n) for n in names]
    mine = [r for r in rows if r.lang == lang]
    kept = [r for r in mine if r.correct or not r.answerable]
    x = np.array([[r.x[c] for c in columns] for r in kept])
    y = np.array([1.0 if r.answerable else 0.0 for r in kept])
    held_out = np.zeros(len(kept))
    for fold in range(FOLDS):
        test = np.arange(len(kept)) % FOLDS == fold
        w, b = fit(x[~test], y[~test])
        held_out[test] = x[test] @ w + b
    weights, bias = fit(x, y)
    right, unanswered = int(y.sum()), int(len(y) - y.sum())
    print(
        f"{lang}: {len(kept)} single-part dev questions ({right} answered right, {unanswered} unanswerable)"
    )
    print(f"  fitted: bias {bias:.2f}, {_named(names, weights)}")
    print(f"  cross-validated AUC {auc(held_out, y):.3f}")
    in_use = np.array([getattr(current, n) for n in names])
    print(f"  in use: bias {current.bias:.2f}, {_named(names, in_use)}")
    correct = np.array([r.correct for r in mine])
    unanswerable = np.array([not r.answerable for r in mine])
    everything = np.array([[r.x[c] for c in columns] for r in mine])
    for name, w, b in (("fitted", weights, bias), ("in use", in_use, current.bias)):
        for shift in SHIFTS:
            answers = everything @ w + b + shift >= 0
            right = f"{int((answers & correct).sum())}/{int(correct.sum())}"
            declined = f"{int((~answers & unanswerable).sum())}/{int(unanswerable.sum())}"
            print(f"  {name} bias {b + shift:+.2f}: answered right {right}, declined {declined}")


def main() -> int:
    parser = bench_parser(__doc__)
    corpus_arguments(parser, store=True)
    args = parser.parse_args()
    try:
        corpus = Corpus(args.data)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rows = record(corpus, args.store)
    report(rows, "zh", DECLINE)
    report(rows, "en", DECLINE_EN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
