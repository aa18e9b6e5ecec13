"""BM25 over jieba search terms: ranking, per-report merging, and the query's ideal score."""

from __future__ import annotations

import itertools

import numpy as np
from support.search_data import SAMPLES, cut_passages

from kg.search.keyword import KeywordBuilder, KeywordIndex, TermCounts
from kg.tokenize import WordSegmenter

MESH = next(p for p in SAMPLES if p.name == "service_mesh_2023.md")


def _passages() -> list[str]:
    text = MESH.read_text(encoding="utf-8")
    return [text[s:e] for s, e in cut_passages(text)]


def _counts(passages: list[str]) -> TermCounts:
    segmenter = WordSegmenter.shared()
    return TermCounts.from_token_lists([segmenter.search_terms(p) for p in passages])


def test_the_passage_holding_rare_query_terms_ranks_first():
    passages = _passages()
    index = KeywordIndex.build([_counts(passages)])
    scores = index.scores(WordSegmenter.shared().search_terms("MeshPilot的前身LoomProxy"))
    assert "LoomProxy" in passages[int(np.argmax(scores))]


def test_an_alias_in_the_query_meets_the_name_in_the_passage():
    passages = _passages()
    index = KeywordIndex.build([_counts(passages)])
    scores = index.scores(WordSegmenter.shared().search_terms("k8s"))  # the text says K8s and Kubernetes
    best = passages[int(np.argmax(scores))]
    assert "K8s" in best or "Kubernetes" in best


def test_merging_per_report_counts_equals_indexing_all_passages_at_once():
    passages = _passages()
    whole = KeywordIndex.build([_counts(passages)])
    parts = KeywordIndex.build([_counts(passages[:5]), _counts(passages[5:])])
    terms = WordSegmenter.shared().search_terms("金融行业服务网格的市场份额")
    assert np.allclose(whole.scores(terms), parts.scores(terms))


def test_an_index_over_stored_runs_scores_as_one_built_over_all_their_passages():
    """Runs stored apart (a table each) are weighed with the document frequencies and average length
    of all of them: the same scores, bit for bit, as one index over every passage."""
    passages = _passages()
    cuts = [0, 3, 4, 11, len(passages)]
    runs = [_counts(passages[lo:hi]) for lo, hi in itertools.pairwise(cuts)]
    whole = KeywordIndex.build(runs)
    stored = []
    for run in runs:
        builder = KeywordBuilder()
        builder.add(run)
        stored.append(builder.finish())
    apart = KeywordIndex(stored)
    assert len(apart.parts) == 4 and apart.size == whole.size == len(passages)
    for query in ("金融行业服务网格的市场份额", "Istio 流量治理", "zzz-unknown"):
        terms = WordSegmenter.shared().search_terms(query)
        assert np.array_equal(apart.scores(terms), whole.scores(terms))
        assert apart.ideal_score(terms) == whole.ideal_score(terms)
        assert [apart.document_frequency(t) for t in terms] == [whole.document_frequency(t) for t in terms]
    assert apart.vocabulary == whole.vocabulary
    for ours, theirs in zip(apart.postings(), whole.postings(), strict=True):
        assert np.array_equal(ours, theirs)


def test_terms_no_passage_has_score_nothing_but_raise_the_ideal_score():
    index = KeywordIndex.build([_counts(_passages())])
    assert not index.scores(["zzz-unknown"]).any()
    assert index.ideal_score(["istio", "zzz-unknown"]) > index.ideal_score(["istio"])
