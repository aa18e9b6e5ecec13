"""Time to ingest the corpus report (graph only, no embeddings) and characters per second per stage.

    python bench/ingest.py [--runs 5]

Start-up (loading the lexicon and jieba's dictionary, once per process) is reported apart from the
per-report time. Writes bench/results/ingest.txt.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.pipeline import STAGES, ingest_path
from kg.datadir import DataDir
from kg.tokenize import WordSegmenter
from tests.support.devset import CORPUS_DIR, ROOT

CORPUS = CORPUS_DIR / "000_70a1e0d4758384e6.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"bench/ingest.py: {CORPUS} is not available")
    t0 = time.perf_counter()
    WordSegmenter.shared()
    startup = time.perf_counter() - t0
    totals: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    chars = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            summary = ingest_path(CORPUS, DataDir(Path(tmp)))
        chars = summary.chars
        totals.append(summary.seconds)
        for stage, seconds in summary.stage_seconds.items():
            stages[stage].append(seconds)
    lines = [
        f"corpus report: {chars:,} characters, {args.runs} runs, graph + text written, no embeddings",
        f"start-up (lexicon + jieba dictionary, once per process): {startup:.2f} s",
        f"ingest, median: {statistics.median(totals):.3f} s"
        f"  (min {min(totals):.3f} s, max {max(totals):.3f} s)"
        f"  → {chars / statistics.median(totals):,.0f} chars/s",
        f"start-up + one ingest: {startup + statistics.median(totals):.2f} s (target < 3 s)",
        "stage            median s     chars/s",
    ]
    for stage in STAGES:
        if stages[stage]:
            med = statistics.median(stages[stage])
            lines.append(f"  {stage:<12} {med:10.4f} {chars / med if med else float('inf'):12,.0f}")
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results" / "ingest.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
