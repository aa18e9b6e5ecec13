"""Loading the search index: the tables written beside the dense segments (``kg.search.table``) give
the same index as assembling every shard read in full; a data directory from before tables is read
from its shards and gets its tables at its next ingest; and the content vectors of related reports
come from the keyword index's postings exactly as from the shards' term counts."""

from __future__ import annotations

import math
import shutil
from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np
import pytest
from support.search_data import SAMPLES, bundle_from_text

from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.related import term_vectors
from kg.search import make_index_updater
from kg.search.index import SearchIndex
from kg.search.keyword import KeywordIndex, TermCounts, _place_among_equals
from kg.search.segments import MergePolicy
from kg.search.shards import Shard, read_shard
from kg.search.table import Table
from kg.tokenize import WordSegmenter

QUERIES = ["边缘计算市场规模", "服务网格 Istio 落地难点", "Serverless 冷启动", "Kubernetes 容器 安全"]
NEVER_MERGE = MergePolicy(tier_ratio=0)  # a segment (and a table) per report


def _write(datadir: DataDir, paths) -> None:
    catalog = Catalog(datadir, index_updater=make_index_updater("use3"))
    for path in paths:
        catalog.write(bundle_from_text(path.read_text(encoding="utf-8"), path.name))


@pytest.fixture(scope="module")
def datadir(tmp_path_factory) -> DataDir:
    datadir = DataDir(tmp_path_factory.mktemp("load") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.search.updater.MERGE_POLICY", NEVER_MERGE)
        _write(datadir, SAMPLES[:3])
    return datadir


def _full_shards(datadir: DataDir) -> list[Shard]:
    state = datadir.read_manifest().search
    return [read_shard(datadir.path(state.shards[rid])) for rid in state.order]


def _assert_same_index(loaded: SearchIndex, whole: SearchIndex) -> None:
    assert list(loaded.passages) == list(whole.passages)
    assert [loaded.passages[row] for row in range(len(whole))] == list(whole.passages)
    assert list(loaded.entities.items()) == list(whole.entities.items())  # the same order too
    assert list(loaded.report_rows) == list(whole.report_rows)
    assert all(np.array_equal(loaded.report_rows[r], whole.report_rows[r]) for r in whole.report_rows)
    assert set(loaded.entity_rows) == set(whole.entity_rows)
    assert all(np.array_equal(loaded.entity_rows[s], whole.entity_rows[s]) for s in whole.entity_rows)
    assert loaded.keyword.vocabulary == whole.keyword.vocabulary
    for ours, theirs in zip(loaded.keyword.postings(), whole.keyword.postings(), strict=True):
        assert np.array_equal(ours, theirs)
    segmenter = WordSegmenter.shared()
    for query in QUERIES:
        terms = segmenter.search_terms(query)
        assert np.array_equal(loaded.keyword.scores(terms), whole.keyword.scores(terms))
        assert loaded.keyword.ideal_score(terms) == whole.keyword.ideal_score(terms)


def test_the_index_loaded_from_its_tables_equals_the_index_of_every_shard_read_in_full(datadir):
    manifest = datadir.read_manifest()
    segments = manifest.search.dense.segments
    assert len(segments) == 3 and all(record.table for record in segments)
    loaded = SearchIndex.load(datadir, manifest)
    assert len(loaded.keyword.parts) == 3  # one keyword part per table, none merged at load
    whole = SearchIndex.from_shards(_full_shards(datadir), loaded.embedder, loaded.dense)
    _assert_same_index(loaded, whole)


def test_a_table_read_back_from_its_file_is_the_table_written(datadir, tmp_path):
    table = Table.from_shards(_full_shards(datadir))
    path = tmp_path / "t.pack"
    path.write_bytes(table.to_bytes())
    again = Table.open(path)
    assert again.rids == table.rids and again.entities == table.entities and again.slugs == table.slugs
    assert [again.passage(r) for r in range(len(again))] == [table.passage(r) for r in range(len(table))]
    assert again.postings.vocabulary == table.postings.vocabulary
    for name in ("indptr", "rows", "counts", "lengths"):
        assert np.array_equal(getattr(again.postings, name), getattr(table.postings, name))


def test_a_data_directory_from_before_tables_is_read_from_shards_and_gets_tables_at_its_next_ingest(
    datadir, tmp_path
):
    old = DataDir(tmp_path / "old")
    shutil.copytree(datadir.root, old.root)
    with old.writing():  # the manifest as written before tables: the segments name none
        manifest = old.read_manifest()
        dense = manifest.search.dense
        assert dense is not None
        untabled = tuple(replace(record, table=None) for record in dense.segments)
        manifest.search = replace(manifest.search, dense=replace(dense, segments=untabled))
        old.commit(manifest)
    loaded = SearchIndex.load(old, old.read_manifest())
    _assert_same_index(loaded, SearchIndex.from_shards(_full_shards(old), loaded.embedder, loaded.dense))

    _write(old, SAMPLES[3:4])
    manifest = old.read_manifest()
    assert manifest.search.dense is not None
    assert all(record.table for record in manifest.search.dense.segments)
    tabled = SearchIndex.load(old, manifest)
    _assert_same_index(tabled, SearchIndex.from_shards(_full_shards(old), tabled.embedder, tabled.dense))


def test_a_shard_read_for_queries_has_no_hashes(datadir):
    state = datadir.read_manifest().search
    first = datadir.path(state.shards[state.order[0]])
    full = read_shard(first)
    assert full.hashes and len(full.sentence_hashes) == len(full)
    lean = read_shard(first, hashes=False)
    assert lean.hashes == [] and lean.sentence_hashes == []
    assert lean.passages == full.passages and lean.entities == full.entities
    assert np.array_equal(lean.terms.counts, full.terms.counts)


def _reference_vectors(shards: list[Shard], index: SearchIndex, key) -> dict[str, dict[int, float]]:
    """TF-IDF by its definition, from the shards' own term counts."""
    ids = index.keyword.vocabulary
    df: Counter[int] = Counter()
    tf: dict[str, Counter[int]] = defaultdict(Counter)
    for shard in shards:
        terms = shard.terms
        for row in range(len(shard)):
            group = tf[key(shard.rid, row, len(shard))]
            for j in range(int(terms.indptr[row]), int(terms.indptr[row + 1])):
                term = ids[terms.vocabulary[int(terms.indices[j])]]
                df[term] += 1
                group[term] += int(terms.counts[j])
    n = len(index)
    return {
        k: {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in sorted(counts.items())}
        for k, counts in tf.items()
    }


@pytest.mark.parametrize(
    "key",
    [
        lambda rid, _row, _n: rid,  # by report, the default
        lambda rid, row, n: f"{rid}/{2 * row // n}",  # halves, as bench/related.py splits reports
        lambda rid, row, _n: "even" if row % 2 == 0 else rid,  # groups out of row order
    ],
    ids=["report", "halves", "interleaved"],
)
def test_term_vectors_from_the_keyword_index_are_tf_idf_over_the_shards_term_counts(datadir, key):
    index = SearchIndex.load(datadir, datadir.read_manifest())
    expected = _reference_vectors(_full_shards(datadir), index, key)
    vectors = term_vectors(index, key)
    assert list(vectors) == list(expected)
    for k, vector in vectors.items():
        assert list(vector) == list(expected[k])  # the same terms, ascending
        assert list(vector.values()) == pytest.approx(list(expected[k].values()), rel=1e-12)


def test_the_keyword_index_numbers_terms_by_first_appearance_and_keeps_their_counts():
    parts = [
        TermCounts.from_token_lists([["容器", "云", "云"], []]),
        TermCounts.from_token_lists([]),
        TermCounts.from_token_lists([["安全", "容器"], ["云"]]),
    ]
    index = KeywordIndex.build(parts)
    assert index.vocabulary == {"容器": 0, "云": 1, "安全": 2}
    assert index.size == 4
    indptr, rows, counts = index.postings()
    assert [
        (rows[indptr[t] : indptr[t + 1]].tolist(), counts[indptr[t] : indptr[t + 1]].tolist())
        for t in range(3)
    ] == [
        ([0, 2], [1, 1]),
        ([0, 3], [2, 1]),
        ([2], [1]),
    ]
    assert KeywordIndex.build([]).size == 0
    assert not KeywordIndex.build([TermCounts.from_token_lists([[]])]).scores(["云"]).any()


def test_a_passage_without_terms_has_length_zero_wherever_it_stands():
    counts = TermCounts.from_token_lists([["云"], [], ["容器", "云", "云"], []])
    assert counts.lengths().tolist() == [1, 0, 3, 0]


@pytest.mark.parametrize("bound", [7, 70_000])  # a radix sort of 16-bit keys, and wider ones
def test_each_value_s_place_among_equal_values_before_it(bound):
    values = np.random.default_rng(16).integers(0, bound, 5_000).astype(np.int32)
    seen: Counter[int] = Counter()
    expected = []
    for value in values.tolist():
        expected.append(seen[value])
        seen[value] += 1
    assert _place_among_equals(values, bound).tolist() == expected


def test_postings_from_many_parts_are_each_term_s_entries_in_row_order():
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(300)]
    parts = [
        TermCounts.from_token_lists(
            [list(rng.choice(words, int(rng.integers(0, 12)))) for _ in range(int(rng.integers(0, 30)))]
        )
        for _ in range(40)
    ]
    index = KeywordIndex.build(parts)
    expected: dict[int, list[tuple[int, int]]] = defaultdict(list)
    offset = 0
    for part in parts:
        for row in range(len(part)):
            for j in range(int(part.indptr[row]), int(part.indptr[row + 1])):
                term = index.vocabulary[part.vocabulary[int(part.indices[j])]]
                expected[term].append((offset + row, int(part.counts[j])))
        offset += len(part)
    indptr, rows, counts = index.postings()
    for term in range(len(index.vocabulary)):
        lo, hi = int(indptr[term]), int(indptr[term + 1])
        assert list(zip(rows[lo:hi].tolist(), counts[lo:hi].tolist(), strict=True)) == expected[term]
