"""Dense index upkeep over a long run of ingests: the whole index file rewritten at every ingest (the
layout before segments) against segments appended and merged by ``MergePolicy`` (kg.search.segments).

Random unit vectors stand in for embeddings (what is measured is writing and merging, not embedding);
each simulated report has ``--rows`` passages of ``--sentences`` sentence vectors each (the synthetic
scale reports average 177 passages and 6.5 sentences a passage). CPU time (all threads) and bytes
written per ingest, first and last tenth of the run, then the time to open the final index (a
reader's start-up).

    python bench/dense_append.py --reports 300
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import bench_parser
from kg.datadir import DataDir
from kg.search.dense import DenseIndex
from kg.search.segments import (
    DEFAULT_MERGE_POLICY,
    SegmentRecord,
    merged_segment,
    open_segment,
    write_segment,
)
from kg.search.vectors import build_hnsw, faiss, stored_rows

DIM = 512
SINGLE_FILE_HNSW_ROWS = 50_000  # the single-file layout switched to HNSW above this many passages


def _report(rng: np.random.Generator, rows: int, sentences: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vectors = rng.normal(size=(rows, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sentence_rows = rng.normal(size=(rows * sentences, DIM)).astype(np.float16)
    indptr = np.arange(0, rows * sentences + 1, sentences, dtype=np.int64)
    return vectors, sentence_rows, indptr


def _written(datadir: DataDir) -> int:
    return sum(p.stat().st_size for p in datadir.root.rglob("*") if p.is_file())


def single_file_run(
    datadir: DataDir, reports: int, rows: int, seed: int
) -> tuple[list[float], list[int], str]:
    """Each ingest reads the whole index file, adds its rows, and writes the whole file again."""
    rng = np.random.default_rng(seed)
    times, written, current = [], [], ""
    for _ in range(reports):
        vectors, _, _ = _report(rng, rows, 1)
        started = time.process_time()
        if current:
            index = faiss.deserialize_index(np.frombuffer(datadir.path(current).read_bytes(), np.uint8))
            if index.ntotal + rows > SINGLE_FILE_HNSW_ROWS and not isinstance(index, faiss.IndexHNSW):
                index = build_hnsw(np.concatenate([stored_rows(index), vectors]))
            else:
                index.add(vectors)
        else:
            index = faiss.IndexFlatIP(DIM)
            index.add(vectors)
        data = faiss.serialize_index(index).tobytes()
        if current:
            os.unlink(datadir.path(current))  # what the data directory's collector does a commit later
        current = datadir.new_artifact("index", "dense", ".faiss", data)
        times.append(time.process_time() - started)
        written.append(len(data))
    return times, written, current


def segment_run(
    datadir: DataDir, reports: int, rows: int, sentences: int, seed: int
) -> tuple[list[float], list[int], list[SegmentRecord]]:
    """Each ingest writes one segment for its rows, then merges the newest segments by the policy."""
    rng = np.random.default_rng(seed)
    times: list[float] = []
    written: list[int] = []
    segments: list[SegmentRecord] = []
    for _ in range(reports):
        vectors, sentence_rows, indptr = _report(rng, rows, sentences)
        before = {f for s in segments for f in s.files}
        started = time.process_time()
        segments.append(write_segment(datadir, vectors, sentence_rows, indptr))
        count = DEFAULT_MERGE_POLICY.merge_plan([s.rows for s in segments])
        if count:
            parts = [open_segment(datadir, s) for s in segments[-count:]]
            segments[-count:] = [merged_segment(datadir, parts)]
        times.append(time.process_time() - started)
        new = {f for s in segments for f in s.files} - before
        written.append(sum(datadir.path(f).stat().st_size for f in new))
    return times, written, segments


def _tenths(times: list[float], written: list[int]) -> str:
    tenth = max(1, len(times) // 10)
    first, last = statistics.mean(times[:tenth]), statistics.mean(times[-tenth:])
    mb = [statistics.mean(written[:tenth]) / 2**20, statistics.mean(written[-tenth:]) / 2**20]
    return (
        f"CPU first tenth {first * 1000:6.0f} ms, last tenth {last * 1000:6.0f} ms ({last / first:4.1f}x); "
        f"median {statistics.median(times[-tenth:]) * 1000:5.0f} ms, slowest {max(times) * 1000:6.0f} ms; "
        f"written {mb[0]:5.1f} MiB -> {mb[1]:5.1f} MiB an ingest; total CPU {sum(times):5.1f} s, "
        f"written {sum(written) / 2**30:4.1f} GiB"
    )


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--reports", type=int, default=300, help="simulated ingests")
    parser.add_argument("--rows", type=int, default=177, help="passages a report")
    parser.add_argument("--sentences", type=int, default=6, help="sentence vectors a passage")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cnkg-dense-") as tmp:
        single, segmented = DataDir(Path(tmp) / "single"), DataDir(Path(tmp) / "segments")
        single_times, single_written, final_file = single_file_run(single, args.reports, args.rows, seed=1)
        segment_times, segment_written, final_segments = segment_run(
            segmented, args.reports, args.rows, args.sentences, seed=1
        )
        started = time.perf_counter()
        faiss.deserialize_index(np.frombuffer(single.path(final_file).read_bytes(), np.uint8))
        single_open = time.perf_counter() - started
        started = time.perf_counter()
        DenseIndex([open_segment(segmented, s) for s in final_segments])
        segment_open = time.perf_counter() - started
    total = args.reports * args.rows
    print(
        f"dense index upkeep: {args.reports} ingests of {args.rows} passages ({total:,} passages), dim {DIM}"
    )
    print(f"  whole file rewritten per ingest: {_tenths(single_times, single_written)}")
    print(f"  segments appended and merged:    {_tenths(segment_times, segment_written)}")
    kinds = ", ".join(f"{s.rows} {s.kind}" for s in final_segments)
    print(f"  final segments: {kinds}")
    print(
        f"  opening the final index: whole file read {single_open * 1000:.0f} ms, segments mapped "
        f"{segment_open * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
