"""Precision and recall of entity, relation and fact extraction against the development sets.

    python bench/extraction.py            # table per document and per type
    python bench/extraction.py --errors   # also list misses and spurious items

Writes the table to bench/results/extraction.txt as well.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.devset import ROOT, Score, document_path, evaluate, load_devsets
from kg.lexicon import Lexicon


def _line(name: str, key: str, s: Score) -> str:
    precision = f"P={s.precision:5.3f} ({s.tp_pred}/{s.pred})"
    return f"  {name:<10} {key:<16} {precision}  R={s.recall:5.3f} ({s.tp_gold}/{s.gold})"


# The lexicon's author checked it against the corpus and the first two sample dev sets; these two
# samples were written afterwards, so they are the cleanest measure of how extraction generalises.
UNSEEN_BY_LEXICON = ("samples/serverless_2024.md", "samples/finops_2025.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list misses and spurious items")
    args = parser.parse_args()
    lexicon = Lexicon.load()
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
            if args.errors:
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
    text = "\n".join(out)
    print(text)
    if not args.errors:
        (ROOT / "bench" / "results" / "extraction.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
