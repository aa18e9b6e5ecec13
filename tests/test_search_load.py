"""Loading the search index: what ``SearchIndex.load`` keeps (no shards, no embedding hashes) gives the
same index as assembling every shard read in full, and the content vectors of related reports come
from the keyword index's postings exactly as from the shards' term counts."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest
from support.search_data import SAMPLES, bundle_from_text

from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.related import term_vectors
from kg.search import make_index_updater
from kg.search.index import SearchIndex
from kg.search.keyword import KeywordIndex, TermCounts, _place_among_equals
from kg.search.shards import Shard, read_shard
from kg.tokenize import WordSegmenter

QUERIES = ["边缘计算市场规模", "服务网格 Istio 落地难点", "Serverless 冷启动", "Kubernetes 容器 安全"]


@pytest.fixture(scope="module")
def datadir(tmp_path_factory) -> DataDir:
    datadir = DataDir(tmp_path_factory.mktemp("load") / "data")
    catalog = Catalog(datadir, index_updater=make_index_updater("use3"))
    for path in SAMPLES[:3]:
        catalog.write(bundle_from_text(path.read_text(encoding="utf-8"), path.name))
    return datadir


def _full_shards(datadir: DataDir) -> list[Shard]:
    state = datadir.read_manifest().search
    return [read_shard(datadir.path(state.shards[rid])) for rid in state.order]


def test_the_loaded_index_equals_the_index_of_every_shard_read_in_full(datadir):
    loaded = SearchIndex.load(datadir, datadir.read_manifest())
    assert not hasattr(loaded, "shards")
    whole = SearchIndex.from_shards(_full_shards(datadir), loaded.embedder, loaded.dense)
    assert loaded.passages == whole.passages
    assert loaded.entities == whole.entities
    assert list(loaded.report_rows) == list(whole.report_rows)
    assert all(np.array_equal(loaded.report_rows[r], whole.report_rows[r]) for r in whole.report_rows)
    assert loaded.entity_rows.keys() == whole.entity_rows.keys()
    assert all(np.array_equal(loaded.entity_rows[s], whole.entity_rows[s]) for s in whole.entity_rows)
    assert loaded.keyword.vocabulary == whole.keyword.vocabulary
    segmenter = WordSegmenter.shared()
    for query in QUERIES:
        terms = segmenter.search_terms(query)
        assert np.array_equal(loaded.keyword.scores(terms), whole.keyword.scores(terms))
        assert loaded.keyword.ideal_score(terms) == whole.keyword.ideal_score(terms)


def test_a_shard_read_for_queries_has_no_hashes_and_shares_entities_read_before(datadir):
    state = datadir.read_manifest().search
    first, second = (datadir.path(state.shards[rid]) for rid in state.order[:2])
    full = read_shard(first)
    assert full.hashes and len(full.sentence_hashes) == len(full)
    lean = read_shard(first, hashes=False)
    assert lean.hashes == [] and lean.sentence_hashes == []
    assert lean.passages == full.passages and lean.entities == full.entities
    assert np.array_equal(lean.terms.counts, full.terms.counts)
    again = read_shard(second, hashes=False, known=full.entities)
    shared = set(again.entities) & set(full.entities)
    assert shared  # the sample reports name some of the same entities
    assert all(again.entities[s] is full.entities[s] for s in shared if again.entities[s] == full.entities[s])
    assert again.entities == read_shard(second).entities


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
