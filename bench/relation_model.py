"""The relation-pair classifier experiment (issue 15): train a logistic regression on the dev split's gold
relations over the candidates of bench/relation_pairs.py and cross-validate it by document on dev.

    python bench/relation_model.py            # leave-one-document-out over the dev split
    python bench/relation_model.py --held     # trained on dev-write, judged on the held-out dev documents

Only dev documents are read (their gold relations are the labels); the test split is never read here.
Every dev figure is leave-one-document-out: each dev document is scored by a model trained on the other
dev documents. The threshold is chosen on those predictions (the lowest at which what the classifier adds
to the rules reaches ``TARGET_PRECISION``). Printed: rules alone, classifier alone, its additions, and rules
+ classifier, at that threshold and across thresholds. Measured and dropped (docs/ingest.md): no model is
written and ingestion does not use it.

A candidate is a positive example when the gold relates the two entities by that predicate and the gold's
quote lies in (or overlaps) the candidate's sentence; the same triple in a sentence the quote is not from is
left out of training (it may or may not say it); every other candidate is a negative example.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import bench_parser
from bench.relation_pairs import Candidate, RelationModel, candidates, pair_relations
from ingest.pipeline import Extraction, extract
from ingest.read import read_path
from kg.lexicon import Lexicon
from kg.tokenize import WordSegmenter
from tests.support.devset import Score, resolve_gold_name
from tests.support.realworld import Corpus

# What the classifier adds must reach this precision on the cross-validated dev predictions (issue 15 asks
# >= 0.85 of extraction as a whole); the threshold is the lowest that reaches it.
TARGET_PRECISION = 0.85
# A feature is kept when it occurs in at least this many training documents: a wording of one document is
# that document's, not the genre's. Tried 1, 2, 3 with L2 0.1 / 1 / 3: no setting made the additions right.
MIN_FEATURE_DOCUMENTS = 2
# L2 penalty per weight (on the loss summed over examples); of 0.1 / 1 / 3, 3 gave the cleanest top scores.
L2 = 3.0
# Full-batch Adam: steps and step size (the loss stops falling well before 400 steps at 0.05).
STEPS = 400
STEP_SIZE = 0.05
# A gold quote and a sentence are the same evidence when they share this many characters in a row (a
# sentence the segmenter split inside a quote, or a quote the annotator cut short).
QUOTE_OVERLAP = 12
# Thresholds tried: 0.05 to 0.95 by 0.05.
THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 20))

Triple = tuple[str, str, str]
Gold = tuple[str, set[str], set[str], str]  # predicate, subject slugs, object slugs, quote


@dataclass
class DevDocument:
    id: str
    extraction: Extraction
    golds: list[Gold]
    examples: list[tuple[Candidate, int | None]]  # label 1/0; None: left out of training

    @property
    def rules(self) -> list[Triple]:
        return [(r.subject, r.predicate, r.object) for r in self.extraction.relations]


def _same_evidence(quote: str, sentence: str) -> bool:
    q, s = "".join(quote.split()), "".join(sentence.split())
    if not q or not s:
        return False
    if q in s or s in q:
        return True
    match = SequenceMatcher(None, q, s, autojunk=False).find_longest_match(0, len(q), 0, len(s))
    return match.size >= QUOTE_OVERLAP


def label(c: Candidate, golds: list[Gold]) -> int | None:
    """1 when a gold relation states the candidate from its sentence, None when it states it from another
    sentence only, else 0."""
    matching = [g for g in golds if g[0] == c.predicate and c.subject.slug in g[1] and c.object.slug in g[2]]
    if not matching:
        return 0
    return 1 if any(_same_evidence(g[3], c.sentence.text) for g in matching) else None


def load_dev(corpus: Corpus, lexicon: Lexicon, segmenter: WordSegmenter) -> list[DevDocument]:
    docs = []
    for doc in sorted(corpus.documents_in(("dev",)), key=lambda d: d.id):
        gold = corpus.gold(doc.id)
        if gold is None:
            continue
        ex = extract(read_path(doc.path), lexicon=lexicon, segmenter=segmenter, date=doc.date)

        def resolve(name: str, ex: Extraction = ex, entities: list = gold["entities"]) -> set[str]:
            return resolve_gold_name(name, entities, ex, lexicon)

        golds = [
            (g["predicate"], resolve(g["subject"]), resolve(g["object"]), g.get("quote", ""))
            for g in gold["relations"]
        ]
        found = candidates(ex.passages, ex.entities, ex.mentions, segmenter)
        docs.append(DevDocument(doc.id, ex, golds, [(c, label(c, golds)) for c in found]))
    return docs


def train(docs: Sequence[DevDocument]) -> dict[str, float]:
    """Logistic regression on the labelled candidates of ``docs``: full-batch Adam from zero weights, so
    the same documents always give the same weights."""
    seen_in: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for c, y in d.examples:
            if y is not None:
                for f in c.features:
                    seen_in[f].add(d.id)
    vocabulary = sorted(f for f, where in seen_in.items() if len(where) >= MIN_FEATURE_DOCUMENTS)
    index = {f: k for k, f in enumerate(vocabulary)}
    rows: list[int] = []
    cols: list[int] = []
    labels: list[int] = []
    for d in docs:
        for c, y in d.examples:
            if y is not None:
                kept = [index[f] for f in c.features if f in index]
                rows += [len(labels)] * len(kept)
                cols += kept
                labels.append(y)
    w = _fit(np.array(rows, dtype=int), np.array(cols, dtype=int), np.array(labels, dtype=float), len(index))
    return {f: float(x) for f, x in zip(vocabulary, w, strict=True)}


def _fit(r: np.ndarray, k: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """Weights minimising the logistic loss + L2 over a sparse design (example r[i] has feature k[i])."""
    w, m, v = np.zeros(n), np.zeros(n), np.zeros(n)
    beta1, beta2, eps = 0.9, 0.999, 1e-8  # Adam's usual constants
    for step in range(1, STEPS + 1):
        z = np.bincount(r, weights=w[k], minlength=len(y))
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        grad = np.bincount(k, weights=(p - y)[r], minlength=n) + L2 * w
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        w -= STEP_SIZE * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return w


@dataclass
class Tally(Score):
    """Precision and recall against the gold, matched as tests.support.devset.score_relations matches."""

    def count(self, triples: Sequence[Triple], golds: list[Gold]) -> None:
        def hit(t: Triple, g: Gold) -> bool:
            return t[1] == g[0] and t[0] in g[1] and t[2] in g[2]

        self.pred += len(triples)
        self.tp_pred += sum(any(hit(t, g) for g in golds) for t in triples)
        self.gold += len(golds)
        self.tp_gold += sum(any(hit(t, g) for t in triples) for g in golds)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"  {name:<22} P={self.precision:.3f} ({self.tp_pred}/{self.pred})"
            f"  R={self.recall:.3f} ({self.tp_gold}/{self.gold})  F1={self.f1:.3f}"
        )


def _scored(weights: dict[str, float], doc: DevDocument, with_rules: bool) -> list[tuple[Triple, float]]:
    """What the classifier states on ``doc`` at the lowest threshold tried, with its probability: on its
    own, or deferring to the rules (``with_rules``: only pairs the rules leave unrelated)."""
    ex = doc.extraction
    model = RelationModel(weights=weights, threshold=min(THRESHOLDS))
    known = ex.relations if with_rules else []
    stated = pair_relations(ex.passages, ex.entities, ex.mentions, known, model)
    return [((r.subject, r.predicate, r.object), r.confidence) for r in stated]


def cross_validate(docs: list[DevDocument]) -> dict[str, dict[float, Tally]]:
    """Leave-one-document-out: per threshold, the tallies of the classifier alone, of what it adds to the
    rules, and of rules + classifier."""
    out: dict[str, dict[float, Tally]] = {k: defaultdict(Tally) for k in ("alone", "added", "union")}
    for held in docs:
        weights = train([d for d in docs if d is not held])
        alone = _scored(weights, held, False)
        for t in THRESHOLDS:
            out["alone"][t].count([k for k, p in alone if p >= t], held.golds)
        _count_additions(_scored(weights, held, True), held, out["added"], out["union"])
    return out


def _count_additions(
    scored: list[tuple[Triple, float]],
    doc: DevDocument,
    added: dict[float, Tally],
    union: dict[float, Tally],
) -> None:
    """Per threshold, what the classifier adds to the rules on ``doc``, and rules + classifier."""
    for t in THRESHOLDS:
        more = [k for k, p in scored if p >= t]
        added[t].count(more, doc.golds)
        union[t].count([*doc.rules, *more], doc.golds)


def choose_threshold(added: dict[float, Tally]) -> float | None:
    """The lowest threshold at which the cross-validated additions reach ``TARGET_PRECISION`` with at
    least one right addition; None when no threshold does."""
    return next((t for t in THRESHOLDS if added[t].tp_pred and added[t].precision >= TARGET_PRECISION), None)


def report(docs: list[DevDocument]) -> list[str]:
    labelled = [y for d in docs for _, y in d.examples]
    rules = Tally()
    for d in docs:
        rules.count(d.rules, d.golds)
    cv = cross_validate(docs)
    threshold = choose_threshold(cv["added"])
    chosen = (
        f"threshold {threshold} (the lowest at which the additions reach P >= {TARGET_PRECISION})"
        if threshold is not None
        else f"no threshold makes the additions reach P >= {TARGET_PRECISION}: dropped"
    )
    out = [
        f"dev documents: {len(docs)}; candidates: {len(labelled)} (positive {labelled.count(1)}, "
        f"negative {labelled.count(0)}, left out {labelled.count(None)})",
        f"dev, leave-one-document-out; {chosen}",
        rules.line("rules alone"),
        "",
        "threshold  classifier alone / its additions to the rules / rules + classifier",
    ]
    for t in THRESHOLDS:
        out += [f"{t:.2f}", cv["alone"][t].line("classifier alone")]
        out += [cv["added"][t].line("additions"), cv["union"][t].line("rules + classifier")]
    return out


def held_out(docs: list[DevDocument], held: frozenset[str]) -> list[str]:
    """Trained on the dev-write documents, judged on the held-out ones (tests/data/realworld/
    dev_holdout.json): the rules were not written on those, so what the classifier adds there is what it
    would add on unseen text."""
    write = [d for d in docs if d.id not in held]
    judged = [d for d in docs if d.id in held]
    weights = train(write)
    rules, added, union = Tally(), defaultdict(Tally), defaultdict(Tally)
    for doc in judged:
        rules.count(doc.rules, doc.golds)
        _count_additions(_scored(weights, doc, True), doc, added, union)
    out = [
        f"trained on {len(write)} dev-write documents, judged on {len(judged)} held-out dev documents",
        rules.line("rules alone"),
        "",
        "threshold  its additions to the rules / rules + classifier",
    ]
    for t in THRESHOLDS:
        out += [f"{t:.2f}", added[t].line("additions"), union[t].line("rules + classifier")]
    return out


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--held", action="store_true", help="train on dev-write, judge on dev-held")
    args = parser.parse_args()
    corpus = Corpus()
    docs = load_dev(corpus, Lexicon.load(), WordSegmenter.shared())
    print("\n".join(held_out(docs, corpus.dev_held_out()) if args.held else report(docs)))


if __name__ == "__main__":
    main()
