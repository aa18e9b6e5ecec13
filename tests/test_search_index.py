"""Index maintenance: files in the manifest, per-report add and delete, the embedding cache, embedder
records, HNSW, and reloading by the manifest stamp."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from support.search_data import SAMPLES, bundle_from_text

from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.search import SearchService, make_index_updater
from kg.search import updater as updater_module
from kg.search.embedders import Use3Embedder
from kg.search.embedding_cache import EmbeddingCache
from kg.search.segments import MergePolicy
from kg.search.shards import read_shard
from kg.search.updater import EmbedderMismatchError
from kg.search.vectors import VectorIndex
from kg.search_record import EmbedderInfo

SERVERLESS = next(p for p in SAMPLES if p.name == "serverless_2024.md")
EDGE = next(p for p in SAMPLES if p.name == "edge_computing_2024.md")


def _bundle(path):
    return bundle_from_text(path.read_text(encoding="utf-8"), path.name)


@pytest.fixture
def datadir(tmp_path) -> DataDir:
    return DataDir(tmp_path / "data")


@pytest.fixture
def catalog(datadir) -> Catalog:
    return Catalog(datadir, index_updater=make_index_updater("use3"))


def test_every_index_file_is_named_in_the_manifest_and_survives_garbage_collection(datadir, catalog):
    catalog.write(_bundle(SERVERLESS))
    catalog.write(_bundle(EDGE))
    state = datadir.read_manifest().search
    on_disk = {
        p.relative_to(datadir.root).as_posix() for p in (datadir.root / "index").rglob("*") if p.is_file()
    }
    manifest = datadir.read_manifest()
    # its own files, and the previous generation's it retains for readers still loading that one
    assert on_disk == {f for f in manifest.kept_files() if f.startswith("index/")}
    assert set(state.files) <= on_disk
    assert state.embedder == EmbedderInfo(name="use3", dim=512)


def test_a_deleted_report_no_longer_appears_in_results(datadir, catalog):
    serverless = catalog.write(_bundle(SERVERLESS)).record
    catalog.write(_bundle(EDGE))
    catalog.delete(serverless.rid)
    hits = SearchService(datadir).search("Serverless市场规模", k=20)["hits"]
    assert hits
    assert all(serverless.rid not in h["report"] for h in hits)


def test_reindexing_unchanged_passages_embeds_nothing(datadir, catalog, monkeypatch):
    bundle = _bundle(SERVERLESS)
    catalog.write(bundle)
    calls: list[int] = []
    original = Use3Embedder.embed

    def counting(self, texts):
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(Use3Embedder, "embed", counting)
    catalog.write(dataclasses.replace(bundle, pipeline="search-test-2"))  # replaces the report
    assert calls == []


def test_indexing_with_another_embedder_than_recorded_is_refused(datadir, catalog):
    catalog.write(_bundle(SERVERLESS))
    manifest = datadir.read_manifest()
    with pytest.raises(EmbedderMismatchError, match="use3"):
        make_index_updater("st:some-model")(datadir, manifest, [_bundle(EDGE)], [])


def test_querying_with_another_embedder_than_recorded_is_refused(datadir, catalog):
    catalog.write(_bundle(SERVERLESS))
    with pytest.raises(EmbedderMismatchError, match="reembed"):
        SearchService(datadir, embedder="st:some-model").search("冷启动")


def test_a_running_service_sees_a_report_added_by_another_writer(datadir, catalog):
    catalog.write(_bundle(SERVERLESS))
    service = SearchService(datadir)
    assert service.search("KubeEdge", k=5, mode="bm25")["total"] == 0
    catalog.write(_bundle(EDGE))
    assert service.search("KubeEdge", k=5, mode="bm25")["total"] > 0


def test_hnsw_finds_the_nearest_rows_like_exact_search():
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(2000, 64)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    hnsw = VectorIndex.build(rows, hnsw=True)
    exact = VectorIndex.build(rows)
    assert (hnsw.kind, exact.kind) == ("hnsw", "flat")
    query = rows[123] + 0.05 * rng.normal(size=64).astype(np.float32)
    assert set(hnsw.search(query, 10)[0][:5]) == set(exact.search(query, 10)[0][:5])


def test_a_large_index_is_searched_through_hnsw_segments(datadir, catalog, monkeypatch):
    monkeypatch.setattr("kg.search.updater.MERGE_POLICY", MergePolicy(hnsw_rows=10))
    catalog.write(_bundle(SERVERLESS))
    catalog.write(_bundle(EDGE))
    dense = datadir.read_manifest().search.dense
    assert dense is not None and {s.kind for s in dense.segments} == {"hnsw"}
    service = SearchService(datadir)
    assert dense.count == len(service.index())
    top = service.search("KubeEdge是谁开源的", k=1, mode="dense")["hits"][0]
    assert "KubeEdge" in top["text"]


def test_adding_a_report_appends_a_segment_without_reading_other_shards(datadir, catalog, monkeypatch):
    monkeypatch.setattr("kg.search.updater.MERGE_POLICY", MergePolicy(tier_ratio=0))  # never merge
    catalog.write(_bundle(SERVERLESS))
    first = datadir.read_manifest().search
    assert first.sizes == {rid: len(read_shard(datadir.path(f))) for rid, f in first.shards.items()}
    read: list[str] = []

    def counting_read(path):
        read.append(path.name)
        return read_shard(path)

    monkeypatch.setattr("kg.search.updater.read_shard", counting_read)
    catalog.write(_bundle(EDGE))
    assert read == []  # the first report's shard was not needed to add the second
    state = datadir.read_manifest().search
    assert state.dense is not None and first.dense is not None
    assert state.dense.segments[0] == first.dense.segments[0]  # kept, not rewritten
    assert len(state.dense.segments) == 2
    # the segments hold exactly the vectors a rebuild from the cache would hold, in passage order
    index = SearchService(datadir).index()
    cache = EmbeddingCache.load(datadir, state.vectors, 512)
    rebuilt = cache.lookup(_passage_hashes(datadir))
    assert np.array_equal(index.dense.vectors, rebuilt)


def test_a_writer_of_many_reports_keeps_its_embedding_cache_between_commits(datadir, monkeypatch):
    """cnkg ingest of many files keeps the cache (its hashes, not its vectors) from one commit to the
    next instead of reading every hash again; what it writes is what a writer reading the cache writes."""
    loads: list[tuple[str, ...]] = []
    real_load = EmbeddingCache.load.__func__

    def counting_load(cls, datadir, segments, dim):
        loads.append(tuple(segments))
        return real_load(cls, datadir, segments, dim)

    monkeypatch.setattr(EmbeddingCache, "load", classmethod(counting_load))
    keeping = Catalog(datadir, index_updater=make_index_updater("use3", keep_cache=True))
    samples = [p for p in SAMPLES if p not in (SERVERLESS, EDGE)][:3]
    for path in samples:
        keeping.write(_bundle(path))
    assert len(loads) == 1  # the first commit reads the (empty) cache; the next ones keep it
    kept = updater_module._KEPT_CACHES[datadir.root.resolve()]
    assert all(isinstance(block, Path) or block.size == 0 for block in kept._blocks)  # no vectors held

    state = datadir.read_manifest().search
    assert kept.segments == state.vectors
    index = SearchService(datadir).index()
    hashes = _passage_hashes(datadir)
    from_files = EmbeddingCache.load(datadir, state.vectors, 512).lookup(hashes)
    assert np.array_equal(kept.lookup(hashes), from_files)
    assert np.array_equal(index.dense.vectors, from_files)

    # another writer commits in between: the kept cache no longer matches the manifest and is not used
    Catalog(datadir, index_updater=make_index_updater("use3")).write(_bundle(SERVERLESS))
    between = datadir.read_manifest().search.vectors
    loads.clear()
    keeping.write(_bundle(EDGE))
    assert loads == [between]
    index = SearchService(datadir).index()
    assert len(index.report_rows) == len(samples) + 2
    rebuilt = EmbeddingCache.load(datadir, datadir.read_manifest().search.vectors, 512)
    assert np.array_equal(index.dense.vectors, rebuilt.lookup(_passage_hashes(datadir)))


def _passage_hashes(datadir) -> list[str]:
    """The embedding hashes of every passage, in passage-row order (the search index keeps none)."""
    state = datadir.read_manifest().search
    return [h for rid in state.order for h in read_shard(datadir.path(state.shards[rid])).hashes]
