"""Precision and recall of entity, relation and fact extraction: on the real-world corpus
(tests/data/realworld, by split and genre), then on the corpus report and the sample reports as a
regression check (the rules were written on those).

    python bench/extraction.py --split test     # dev | test | all (default all: dev and test side by side)
    python bench/extraction.py --errors         # also list misses and spurious items (dev documents only)
    python bench/extraction.py --holdout        # dev in two columns: dev-write (errors listed) and dev-held

Writes the tables to bench/results/extraction.txt as well (not with --errors or --data).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import bench_parser
from ingest.pipeline import extract
from ingest.read import read_path
from kg.errors import InputError
from kg.lexicon import Lexicon
from tests.support.devset import (
    ROOT,
    Score,
    document_path,
    evaluate,
    load_devsets,
    relations_within_reach,
    score_entities,
    score_relations,
)
from tests.support.realworld import (
    DEV_WRITE,
    Corpus,
    CorpusError,
    Document,
    column,
    columns,
    corpus_arguments,
    ratio,
    save_results,
    side_by_side,
    splits_for,
)
from tests.support.realworld_scores import FactScore, score_facts_and_years, type_accuracy


def _line(name: str, key: str, s: Score) -> str:
    precision = f"P={s.precision:5.3f} ({s.tp_pred}/{s.pred})"
    return f"  {name:<10} {key:<16} {precision}  R={s.recall:5.3f} ({s.tp_gold}/{s.gold})"


# The lexicon's author checked it against the corpus and the first two sample dev sets; these two
# samples were written afterwards, so they are the cleanest measure of how extraction generalises.
UNSEEN_BY_LEXICON = ("samples/serverless_2024.md", "samples/finops_2025.md")


def regression(lexicon: Lexicon, errors: bool) -> list[str]:
    """The per-document tables of the corpus report and the samples (the rules were written on these)."""
    out: list[str] = []
    samples_total: dict[str, Score] = defaultdict(Score)
    unseen_total: dict[str, Score] = defaultdict(Score)
    for devset in load_devsets():
        path = document_path(devset["document"])
        if not path.exists():
            out.append(f"{devset['document']}: skipped (file not available)")
            continue
        results = evaluate(devset, lexicon)
        out.append(f"{devset['document']}")
        for kind, per_type in results.items():
            for key in sorted(per_type, key=lambda k: (k != "all", k)):
                out.append(_line(kind, key, per_type[key]))
            if not devset["document"].startswith("corpus/"):
                samples_total[kind].add(per_type["all"])
            if devset["document"] in UNSEEN_BY_LEXICON:
                unseen_total[kind].add(per_type["all"])
            if errors:
                allscore = per_type["all"]
                out.append(f"    missed:   {allscore.missed}")
                out.append(f"    spurious: {allscore.spurious}")
    for title, totals in (
        ("all sample reports", samples_total),
        (f"samples written after the lexicon ({', '.join(UNSEEN_BY_LEXICON)})", unseen_total),
    ):
        if totals:
            out.append(title)
            for kind, s in totals.items():
                out.append(_line(kind, "all", s))
    return out


@dataclass
class Tally:
    """Extraction scores summed over a group of real-world documents."""

    documents: int = 0
    entities: Score = field(default_factory=Score)
    relations: Score = field(default_factory=Score)
    facts: FactScore = field(default_factory=FactScore)
    typed: list[int] = field(default_factory=lambda: [0, 0, 0])  # matched, coarse right, exact right
    reach: list[int] = field(default_factory=lambda: [0, 0])  # gold relations with both entities found, all

    def add(self, other: Tally) -> None:
        self.documents += other.documents
        self.entities.add(other.entities)
        self.relations.add(other.relations)
        self.facts.add(other.facts)
        self.typed = [a + b for a, b in zip(self.typed, other.typed, strict=True)]
        self.reach = [a + b for a, b in zip(self.reach, other.reach, strict=True)]

    def cells(self) -> list[tuple[str, str]]:
        f = self.facts
        return [
            ("documents with gold", str(self.documents)),
            ("entities P", ratio(self.entities.tp_pred, self.entities.pred)),
            ("entities R", ratio(self.entities.tp_gold, self.entities.gold)),
            ("type right, coarse (found entities)", ratio(self.typed[1], self.typed[0])),
            ("type right, exact (found entities)", ratio(self.typed[2], self.typed[0])),
            ("relations P", ratio(self.relations.tp_pred, self.relations.pred)),
            ("relations R", ratio(self.relations.tp_gold, self.relations.gold)),
            ("  gold relations, both entities found", ratio(self.reach[0], self.reach[1])),
            ("facts P (value+unit)", ratio(f.found, f.pred)),
            ("facts R (value+unit)", ratio(f.found, f.gold)),
            ("found facts, year right", ratio(f.year_right, f.found)),
            ("  year stated in the sentence", ratio(f.by_year["stated"][1], f.by_year["stated"][0])),
            ("  year implied (relative wording)", ratio(f.by_year["implied"][1], f.by_year["implied"][0])),
            ("  no year (right = none given)", ratio(f.by_year["none"][1], f.by_year["none"][0])),
        ]


def _listed(title: str, items: list[str]) -> list[str]:
    """One error per line under its title (facts carry their quote or context, too long for one line)."""
    return [f"    {title}: {len(items)}", *(f"      {item}" for item in items)]


def score_document(corpus: Corpus, doc: Document, lexicon: Lexicon) -> tuple[Tally, list[str]]:
    gold = corpus.gold(doc.id)
    if gold is None:
        return Tally(), [f"{doc.id}: no gold"]
    try:
        source = read_path(doc.path)
    except InputError as exc:
        raise CorpusError(str(exc)) from None
    ex = extract(source, lexicon=lexicon, date=doc.date)  # the manifest date, as --date
    entities = score_entities(ex, gold["entities"], lexicon)["all"]
    relations = score_relations(ex, gold, lexicon)["all"]
    facts = score_facts_and_years(ex, gold["facts"])
    tally = Tally(1, entities, relations, facts)
    tally.typed = list(type_accuracy(ex, gold["entities"], lexicon))
    tally.reach = list(relations_within_reach(ex, gold, lexicon))
    errors = [
        f"{doc.id} [{doc.genre}]",
        f"    entities missed:   {entities.missed}",
        f"    entities spurious: {entities.spurious}",
        f"    relations missed:  {relations.missed}",
        f"    relations spurious: {relations.spurious}",
        *_listed("facts missed", facts.missed),
        *_listed("facts spurious", facts.spurious),
        *_listed("facts wrong year", facts.wrong_year),
    ]
    return tally, errors


def realworld(
    corpus: Corpus, splits: tuple[str, ...], lexicon: Lexicon, held: frozenset[str] | None = None
) -> tuple[list[str], list[str]]:
    """The side-by-side tables (overall, then per genre) and the dev documents' errors.

    With ``held`` (dev document ids held out from rule writing), dev is shown as two columns,
    ``dev-write`` and ``dev-held``, and only the dev-write documents' errors are listed.
    """
    overall: dict[str, Tally] = defaultdict(Tally)
    per_genre: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    errors: list[str] = []
    missing_gold: list[str] = []
    for doc in sorted(corpus.documents_in(splits), key=lambda d: d.id):
        tally, doc_errors = score_document(corpus, doc, lexicon)
        if not tally.documents:
            missing_gold.append(doc.id)
            continue
        where = column(doc.id, doc.split, held)
        overall[where].add(tally)
        per_genre[doc.genre][where].add(tally)
        if where in ("dev", DEV_WRITE):
            errors += doc_errors
    docs = corpus.documents_in(splits)
    shown = columns(splits, held)
    out = [
        f"real-world corpus ({corpus.where()}), "
        f"split: {' + '.join(shown)}; "
        + ", ".join(f"{c}: {sum(column(d.id, d.split, held) == c for d in docs)} documents" for c in shown),
        "entities typed as in the gold (existing scoring); type right over gold entities found under any "
        "type, coarse = organisation (Vendor|Organization) / technology-concept-product / industry / policy",
        "",
        "overall",
        *_table(overall, shown),
    ]
    for genre in sorted(per_genre):
        out += ["", f"genre {genre}", *_table(per_genre[genre], shown)]
    if missing_gold:
        out += ["", f"documents without gold (left out): {', '.join(missing_gold)}"]
    return out, errors


def _table(tallies: dict[str, Tally], splits: tuple[str, ...]) -> list[str]:
    labels = [label for label, _ in Tally().cells()]
    cells = {s: dict(tallies[s].cells()) for s in splits}
    return side_by_side([(label, {s: cells[s][label] for s in splits}) for label in labels], splits)


def main() -> None:
    parser = bench_parser(__doc__)
    corpus_arguments(parser, store=False, held="documents")
    parser.add_argument("--errors", action="store_true", help="list misses and spurious items")
    args = parser.parse_args()
    lexicon = Lexicon.load()
    try:
        corpus = Corpus(args.data)
        held = corpus.dev_held_out() if args.holdout else None
        tables, errors = realworld(corpus, splits_for(args.split), lexicon, held)
    except CorpusError as exc:
        sys.exit(f"extraction bench: {exc}")
    out = [f"extraction bench, split: {args.split}", "", *tables]
    if args.errors and errors:
        out += ["", "errors on dev documents (test errors are not shown: the test split is frozen):", *errors]
    out += ["", "=" * 100, "regression check (rules were written on these): corpus report and samples", ""]
    out += regression(lexicon, args.errors)
    text = "\n".join(out)
    print(text)
    if not (args.errors or args.holdout):
        save_results(ROOT / "bench" / "results" / "extraction.txt", text, args.data)


if __name__ == "__main__":
    main()
