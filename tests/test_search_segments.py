"""Dense index segments: appended per commit, merged by the policy, memory-mapped by readers, crash-safe,
and searched together exactly as one index would be."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.search_data import SAMPLES, bundle_from_text

from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.search import SearchService, make_index_updater
from kg.search.segments import MergePolicy
from kg.search.vectors import faiss, stored_rows
from kg.search_record import SEARCH_FORMAT, SINGLE_FILE_FORMAT, DenseRecord, SegmentRecord

REPO = Path(__file__).resolve().parent.parent
QUERIES = ["Serverless冷启动怎么解决", "边缘计算市场规模", "which vendors offer a service mesh", "KubeEdge"]
NEVER_MERGE = MergePolicy(tier_ratio=0)


def _bundle(path: Path):
    return bundle_from_text(path.read_text(encoding="utf-8"), path.name)


def _ingest(root: Path, paths: list[Path]) -> DataDir:
    datadir = DataDir(root)
    catalog = Catalog(datadir, index_updater=make_index_updater("use3"))
    for path in paths:
        catalog.write(_bundle(path))
    return datadir


SCORE_ROUNDING = 2e-6  # scores are rounded to 6 decimals; one unit of the last place apart is rounding


def _segments(datadir: DataDir) -> tuple[SegmentRecord, ...]:
    dense = datadir.read_manifest().search.dense
    assert dense is not None
    return dense.segments


def _answers(datadir: DataDir, mode: str) -> list[list[tuple[str, float]]]:
    service = SearchService(datadir)
    return [[(h["passage"], h["score"]) for h in service.search(q, k=10, mode=mode)["hits"]] for q in QUERIES]


@pytest.fixture(scope="module")
def split_and_merged(tmp_path_factory) -> tuple[DataDir, DataDir]:
    """The same three reports indexed as three segments (merging disabled) and as one merged segment."""
    root = tmp_path_factory.mktemp("segments")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.search.updater.MERGE_POLICY", NEVER_MERGE)
        split = _ingest(root / "split", SAMPLES[:3])
    merged = _ingest(root / "merged", SAMPLES[:3])
    return split, merged


def test_each_commit_appends_one_segment_and_rewrites_none(split_and_merged):
    split, _ = split_and_merged
    segments = _segments(split)
    assert len(segments) == 3
    sizes = split.read_manifest().search.sizes
    assert [s.rows for s in segments] == list(sizes.values())
    assert all(s.kind == "flat" for s in segments)


def test_the_policy_merges_segments_of_similar_size_into_one(split_and_merged):
    _, merged = split_and_merged
    segments = _segments(merged)
    assert len(segments) == 1
    assert segments[0].rows == sum(merged.read_manifest().search.sizes.values())
    on_disk = {p.relative_to(merged.root).as_posix() for p in (merged.root / "index/dense").iterdir()}
    # the merged-away segments of the generation before are retained for its readers, older ones removed
    assert on_disk == {f for f in merged.read_manifest().kept_files() if f.startswith("index/dense/")}


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_search_over_several_segments_equals_search_over_one(split_and_merged, mode):
    split, merged = split_and_merged
    in_segments, in_one = _answers(split, mode), _answers(merged, mode)
    # the same passages in the same order; the scores equal up to float32 rounding (a sum over several
    # segments adds in another order than over one: seen 0.420518 against 0.420517)
    assert [[p for p, _ in hits] for hits in in_segments] == [[p for p, _ in hits] for hits in in_one]
    for hits, expected in zip(in_segments, in_one, strict=True):
        assert [s for _, s in hits] == pytest.approx([s for _, s in expected], abs=SCORE_ROUNDING)


def test_merge_plan_tiers_by_size():
    policy = MergePolicy(tier_ratio=2, hnsw_rows=100, max_merged_rows=1000)
    assert policy.merge_plan([50]) == 0
    assert policy.merge_plan([50, 50]) == 2
    assert policy.merge_plan([400, 120, 50]) == 0  # 120 > 2 x 50
    assert policy.merge_plan([400, 100, 50]) == 2
    assert policy.merge_plan([900, 100, 100]) == 2  # 900 + 200 would pass max_merged_rows


def test_exact_segments_are_numpy_memory_maps(split_and_merged):
    split, _ = split_and_merged
    for segment in SearchService(split).index().dense.segments:
        assert isinstance(segment.vectors, np.memmap)
        assert isinstance(segment.sentences, np.memmap)
        assert not segment.vectors.flags.writeable


def test_hnsw_segments_use_their_file_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr("kg.search.updater.MERGE_POLICY", MergePolicy(hnsw_rows=5))
    datadir = _ingest(tmp_path / "data", SAMPLES[:1])
    (record,) = _segments(datadir)
    assert record.kind == "hnsw" and record.graph is not None
    (segment,) = SearchService(datadir).index().dense.segments
    address = stored_rows(segment.graph).__array_interface__["data"][0]
    graph_file = str(datadir.path(record.graph).resolve())
    mapped = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        span, *_, path = line.split(maxsplit=5)
        lo, hi = (int(x, 16) for x in span.split("-"))
        if path.strip() == graph_file:
            mapped.append((lo, hi))
    assert any(lo <= address < hi for lo, hi in mapped)  # the vectors are read from the file's mapping


def test_a_reader_keeps_searching_its_generation_after_its_files_are_removed(tmp_path):
    datadir = _ingest(tmp_path / "data", SAMPLES[:1])
    held = SearchService(datadir).index()
    files = [datadir.path(f) for s in _segments(datadir) for f in s.files]
    query = np.array(held.dense.segments[0].vectors[5])
    expected = held.dense.search(query, 3)
    _ingest(datadir.root, SAMPLES[1:3])  # two more commits: the first generation's files go
    assert files and not any(p.exists() for p in files)
    rows, scores = held.dense.search(query, 3)  # the mappings outlive the unlinked files
    assert rows.tolist() == expected[0].tolist() and np.array_equal(scores, expected[1])


def test_a_crash_between_segment_write_and_commit_keeps_the_previous_index(tmp_path):
    datadir = _ingest(tmp_path / "data", SAMPLES[:1])
    manifest_before = datadir.manifest_path.read_bytes()
    expected = _answers(datadir, "hybrid")
    env = {**os.environ, "CNKG_CRASH_AT": "after-artifact-index/dense", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "api.cli", "ingest", "--data", str(datadir.root), str(SAMPLES[1])]
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=600)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert datadir.manifest_path.read_bytes() == manifest_before
    assert _answers(datadir, "hybrid") == expected  # the segment written before the crash is not used
    named = set(datadir.read_manifest().kept_files())
    assert any(
        p.relative_to(datadir.root).as_posix() not in named for p in (datadir.root / "index").rglob("*.npy")
    )
    _ingest(datadir.root, SAMPLES[1:2])  # the next commit publishes its own files and removes the orphan
    named = set(datadir.read_manifest().kept_files())
    leftover = [p for p in (datadir.root / "index").rglob("*") if p.is_file()]
    assert all(p.relative_to(datadir.root).as_posix() in named for p in leftover)


def test_a_single_file_index_of_the_previous_format_is_read_then_rewritten_as_segments(tmp_path):
    datadir = _ingest(tmp_path / "data", SAMPLES[:1])
    expected = _answers(datadir, "hybrid")
    manifest = datadir.read_manifest()
    state = manifest.search
    flat = faiss.IndexFlatIP(512)
    flat.add(SearchService(datadir).index().dense.vectors)
    with datadir.writing():
        single = datadir.new_artifact("index", "dense", ".faiss", faiss.serialize_index(flat).tobytes())
        kept = [f for f in state.files if not f.startswith("index/dense/")]
        manifest.search = dataclasses.replace(
            state,
            format=SINGLE_FILE_FORMAT,
            dense=DenseRecord(count=flat.ntotal, file=single, kind="flat"),
            files=(*kept, single),
        )
        datadir.commit(manifest)
    assert _answers(datadir, "hybrid") == expected
    _ingest(datadir.root, SAMPLES[1:2])
    state = datadir.read_manifest().search
    assert state.format == SEARCH_FORMAT and state.dense is not None
    assert sum(s.rows for s in state.dense.segments) == state.dense.count
    assert _answers(datadir, "hybrid") != expected  # the second report is searched too
