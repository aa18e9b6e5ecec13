"""Related reports: which content signal tells reports apart, and how long the index takes to build.

Content similarity is meant to find the report closest in content. A check that needs no judgement:
split every report in two halves (first and second half of its passages) and ask, for each first half,
which second half is closest. A good signal picks the same report's other half, with a clear margin over
the best other report. Measured for TF-IDF over the keyword terms and for the mean of passage
embeddings (USE v3), on the corpus report and the four samples.

Run: python bench/related.py [DATA_DIR]   (default: ingests the corpus report and the samples into a
temporary directory first)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import ROOT
from kg.datadir import DataDir
from kg.related import (
    SparseVector,
    embedding_vectors,
    load_related_index,
    sparse_cosine,
    term_vectors,
)
from kg.search.service import SearchService

CORPUS = ROOT.parent / "shared/corpus/000_70a1e0d4758384e6.txt"


def _half(rid: str, row: int, count: int) -> str:
    return f"{rid}:{'a' if row < count // 2 else 'b'}"


def _halves_check(vectors: dict[str, SparseVector]) -> tuple[float, float, float]:
    """(share of first halves whose nearest second half is their own, mean margin, mean other sim)."""
    unit = vectors
    firsts = sorted(k for k in unit if k.endswith(":a"))
    seconds = sorted(k for k in unit if k.endswith(":b"))
    hits, margins, others = 0, [], []
    for a in firsts:
        rid = a[:-2]
        sims = {b[:-2]: sparse_cosine(unit[a], unit[b]) for b in seconds}
        own = sims.pop(rid)
        best_other = max(sims.values())
        hits += own > best_other
        margins.append(own - best_other)
        others.extend(sims.values())
    return hits / len(firsts), statistics.mean(margins), statistics.mean(others)


def _prepare(data: Path | None) -> DataDir:
    if data is not None:
        return DataDir(data)
    from ingest.pipeline import ingest_path
    from kg.search.updater import make_index_updater

    datadir = DataDir(Path(tempfile.mkdtemp(prefix="cnkg-related-")))
    paths = [CORPUS, *sorted((ROOT / "samples").glob("*.md"))]
    for path in paths:
        if path.is_file():
            ingest_path(path, datadir, index_updater=make_index_updater())
    return datadir


def main() -> None:
    datadir = _prepare(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    search = SearchService(datadir)
    index = search.index()
    reports = len(index.report_rows)
    print(f"reports: {reports}, passages: {len(index)}")
    print("halves check (does a report's first half find its own second half?)")
    print(f"{'signal':<22}{'own half nearest':>18}{'mean margin':>14}{'mean other sim':>16}")
    for name, build in (("tf-idf (jieba terms)", term_vectors), ("mean USE v3 embedding", embedding_vectors)):
        share, margin, other = _halves_check(build(index, _half))
        print(f"{name:<22}{share:>18.2f}{margin:>14.3f}{other:>16.3f}")

    from kg.settings import Settings
    from kg.sparql.engine import LocalEngine

    async def build_once() -> float:
        engine = LocalEngine(Settings(data=datadir.root, query_workers=1))
        await engine.start()
        try:
            started = time.perf_counter()
            related = await load_related_index(engine, search)
            elapsed = time.perf_counter() - started
            for rid in sorted(related.mentions):
                best = related.related(rid, limit=1)
                if best:
                    top = best[0]
                    print(
                        f"  {related.titles.get(rid, rid)[:24]:<26} → {(top['title'] or '')[:24]:<26} "
                        f"score {top['score']:.3f} (entities {top['entitySimilarity']:.3f}, "
                        f"content {top['contentSimilarity']}) shared {top['sharedCount']}"
                    )
            return elapsed
        finally:
            await engine.close()

    print("most related report of each (default score)")
    elapsed = asyncio.run(build_once())
    print(f"related index build (SPARQL + TF-IDF, {reports} reports): {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
