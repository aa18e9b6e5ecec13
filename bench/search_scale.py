"""Search at scale: synthetic collections of 10k and 100k passages made from the real reports' sentences.

    python bench/search_scale.py              # 10k and 100k (about 5 minutes on 2 cores)
    python bench/search_scale.py --sizes 10000

For each size: build time and memory of the keyword index, the dense index (exact or HNSW, as
``VectorIndex.build`` chooses) and the sentence vectors; then p50/p99 latency of ``SearchService.search``
per mode (query embedding, ranking and highlighting included) over the evaluation questions. Before
that, exact vs HNSW search alone at several sizes, which is where ``MergePolicy.hnsw_rows`` comes from.

Passages: 1-6 sentences of the corpus report and the samples, drawn at random until 150-400 characters.
Their term counts and entity mentions are the real ones (of the sentences they are made of). Vectors:
the 10k collection embeds every passage with USE v3; for 100k, embedding 20M characters would take about
6 minutes, so a passage's vector is the normalised mean of its sentences' real USE vectors (random unit
vectors were tried first: they have no neighbourhood structure, and HNSW recall on them says nothing).
Sentence vectors are always real; so are query vectors, and their embedding is inside the measured
latency.
"""

from __future__ import annotations

import gc
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import ROOT, bench_parser
from kg.catalog import PassageRecord
from kg.datadir import DataDir
from kg.namespaces import passage_iri
from kg.search.dense import DenseIndex
from kg.search.embedders import core_count, embedder_from_spec
from kg.search.evaluation import load_eval_set
from kg.search.index import EmbedderInfo, SearchIndex
from kg.search.keyword import TermCounts
from kg.search.segments import DEFAULT_MERGE_POLICY
from kg.search.service import SearchService
from kg.search.shards import EntityInfo, Shard
from kg.search.vectors import HNSW_EF_SEARCH, VectorIndex, faiss
from kg.tokenize import WordSegmenter

RESULTS = ROOT / "bench" / "results" / "search_scale.txt"
SHARD_SIZE = 500  # passages per synthetic report
_SPLIT = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sentence_pool() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.md"))]
    corpus = ROOT.parent / "shared" / "corpus" / "000_70a1e0d4758384e6.txt"
    if corpus.is_file():
        texts.append(corpus.read_text(encoding="utf-8"))
    pool = [m.group().strip() for t in texts for m in _SPLIT.finditer(t)]
    return sorted({s for s in pool if 20 <= len(s) <= 300})


class Pool:
    """Per-sentence tokens, mentions and vectors, computed once and shared by every passage."""

    def __init__(self, sentences: list[str]) -> None:
        segmenter = WordSegmenter.shared()
        self.sentences = sentences
        self.terms = [segmenter.search_terms(s) for s in sentences]
        self.slugs = [
            tuple(dict.fromkeys(m.slug for m in segmenter.matcher.find(s) if not m.contextual))
            for s in sentences
        ]
        lexicon = segmenter.lexicon
        self.entities = {
            slug: EntityInfo(slug=slug, label=entry.label, type=entry.type)
            for slug in {s for slugs in self.slugs for s in slugs}
            if (entry := lexicon.get(slug)) is not None
        }
        self.vectors = embedder_from_spec("use3").embed(sentences)
        self.vectors16 = self.vectors.astype(np.float16)


def synthesize(pool: Pool, size: int, rng: np.random.Generator) -> list[list[int]]:
    """Passages as lists of pool sentence numbers, 150-400 characters each."""
    lengths = np.array([len(s) for s in pool.sentences])
    passages = []
    while len(passages) < size:
        chosen: list[int] = []
        total = 0
        while total < 150 and len(chosen) < 6:
            i = int(rng.integers(len(pool.sentences)))
            if total + lengths[i] > 400 and chosen:
                break
            chosen.append(i)
            total += int(lengths[i])
        passages.append(chosen)
    return passages


def mean_vectors(pool: Pool, passages: list[list[int]]) -> np.ndarray:
    """Stand-in passage vectors: the normalised mean of the passage's sentence vectors."""
    vectors = np.zeros((len(passages), pool.vectors.shape[1]), dtype=np.float32)
    for row, ids in enumerate(passages):
        vectors[row] = pool.vectors[ids].sum(axis=0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def build_index(
    pool: Pool, passages: list[list[int]], real_vectors: bool
) -> tuple[SearchIndex, dict[str, float]]:
    timings: dict[str, float] = {}
    gc.collect()
    base = rss_mb()
    started = time.perf_counter()
    shards = []
    for first in range(0, len(passages), SHARD_SIZE):
        rid = f"synthetic{first // SHARD_SIZE:07d}"
        chunk = passages[first : first + SHARD_SIZE]
        records, offset = [], 0
        for n, ids in enumerate(chunk):
            text = "".join(pool.sentences[i] for i in ids)
            slugs = tuple(dict.fromkeys(s for i in ids for s in pool.slugs[i]))
            records.append(
                PassageRecord(passage_iri(rid, n), rid, n, text, offset, offset + len(text), "", slugs)
            )
            offset += len(text) + 1
        terms = TermCounts.from_token_lists([[t for i in ids for t in pool.terms[i]] for ids in chunk])
        shards.append(Shard(rid, records, [""] * len(records), [[]] * len(records), terms, pool.entities))
    timings["passages + term counts"] = time.perf_counter() - started

    started = time.perf_counter()
    if real_vectors:
        vectors = embedder_from_spec("use3").embed([p.text for s in shards for p in s.passages])
        timings["embedding passages (USE v3)"] = time.perf_counter() - started
    else:
        vectors = mean_vectors(pool, passages)
    sentence_ids = [i for ids in passages for i in ids]
    sentences = pool.vectors16[sentence_ids]
    indptr = np.zeros(len(passages) + 1, dtype=np.int64)
    np.cumsum([len(ids) for ids in passages], out=indptr[1:])

    started = time.perf_counter()
    segment = VectorIndex.build(vectors, hnsw=len(vectors) > DEFAULT_MERGE_POLICY.hnsw_rows)
    dense = DenseIndex([segment.with_sentences(sentences, indptr)])
    timings[f"dense index ({segment.kind})"] = time.perf_counter() - started
    del vectors  # the segment holds them (or faiss its own copy)
    started = time.perf_counter()
    index = SearchIndex.from_shards(shards, EmbedderInfo("use3", 512), dense)
    timings["keyword index + passage table"] = time.perf_counter() - started
    gc.collect()
    timings["memory, MB (RSS growth, all indexes + passages)"] = rss_mb() - base
    stored = segment.vectors.nbytes if segment.graph is None else len(faiss.serialize_index(segment.graph))
    timings["dense index file, MB"] = stored / 1e6
    return index, timings


def latencies(index: SearchIndex, questions: list[str]) -> dict[str, tuple[float, float]]:
    service = SearchService(DataDir(Path(tempfile.mkdtemp(prefix="cnkg-scale-"))))
    service._index, service._stamp = index, service.datadir.manifest_stamp()  # serve this in-memory index
    out = {}
    for mode in ("bm25", "dense", "hybrid"):
        for q in questions[:10]:  # warm up
            service.search(q, k=10, mode=mode)
        times = []
        for q in questions:
            started = time.perf_counter()
            service.search(q, k=10, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
        out[mode] = (float(np.percentile(times, 50)), float(np.percentile(times, 99)))
    return out


def flat_vs_hnsw(pool: Pool, query_vectors: np.ndarray, sizes: list[int]) -> list[str]:
    """Dense search alone (one query at a time), exact vs HNSW, on mean-of-sentences passage vectors."""
    lines = [
        "dense search alone: exact (IndexFlatIP) vs HNSW (M=32, efConstruction=80), 512-d mean-of-sentences "
        "passage vectors, one query at a time; recall@10 of HNSW against exact",
        f"{'passages':>9} {'flat ms':>8} {'hnsw build s':>13} "
        + " ".join(f"{f'ef{ef} ms/recall':>16}" for ef in (16, 64, 128, 256)),
    ]
    rng = np.random.default_rng(2)
    for n in sizes:
        rows = mean_vectors(pool, synthesize(pool, n, rng))
        flat = VectorIndex.build(rows)
        started = time.perf_counter()
        hnsw = VectorIndex.build(rows, hnsw=True)
        build = time.perf_counter() - started

        def timed(index: VectorIndex) -> tuple[float, list[set[int]]]:
            found, times = [], []
            for q in query_vectors:
                started = time.perf_counter()
                found.append(set(index.search(q, 10)[0].tolist()))
                times.append(time.perf_counter() - started)
            return float(np.median(times)) * 1000, found

        flat_ms, truth = timed(flat)
        cells = []
        for ef in (16, 64, 128, 256):
            faiss.downcast_index(hnsw.graph).hnsw.efSearch = ef
            ms, found = timed(hnsw)
            recall = np.mean([len(a & b) / 10 for a, b in zip(found, truth, strict=True)])
            cells.append(f"{ms:7.3f} / {recall:4.2f}")
        lines.append(f"{n:>9} {flat_ms:8.2f} {build:13.1f} " + " ".join(f"{c:>16}" for c in cells))
    return lines


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--threshold-sizes", type=int, nargs="*", default=[10_000, 25_000, 50_000, 100_000])
    args = parser.parse_args()
    questions = [q.question for q in load_eval_set(ROOT / "tests" / "data" / "retrieval_eval.json")]
    questions = questions + questions  # 216 timed queries per mode
    started = time.perf_counter()
    pool = Pool(sentence_pool())
    out = [
        f"search at scale: {len(pool.sentences)} real sentences recombined into passages "
        "of 150-400 characters; "
        f"{len(questions)} queries per mode (the evaluation questions, twice), k=10",
        f"cores {core_count()}; HNSW above {DEFAULT_MERGE_POLICY.hnsw_rows} rows a segment, "
        f"efSearch {HNSW_EF_SEARCH}; "
        f"sentence pool prepared in {time.perf_counter() - started:.1f} s",
        "",
    ]
    print("\n".join(out), flush=True)
    query_vectors = embedder_from_spec("use3").embed(questions[:100])
    block = [*flat_vs_hnsw(pool, query_vectors, args.threshold_sizes), ""]
    print("\n".join(block), flush=True)
    out += block
    for size in args.sizes:
        real = size <= 20_000
        passages = synthesize(pool, size, np.random.default_rng(size))
        index, timings = build_index(pool, passages, real)
        block = [
            f"{size:,} passages ({sum(len(p.text) for p in index.passages) / 1e6:.1f}M characters; passage "
            f"vectors {'real (USE v3)' if real else 'mean of real sentence vectors'})"
        ]
        block += [f"  build  {name:<48} {value:8.1f}" for name, value in timings.items()]
        for mode, (p50, p99) in latencies(index, questions).items():
            block.append(f"  query  {mode:<7} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
        print("\n".join(block), flush=True)
        out += [*block, ""]
        del index
        gc.collect()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
