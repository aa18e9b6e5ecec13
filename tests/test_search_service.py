"""``SearchService.search`` on the real reports: response shape, filters, paging, highlights, explain,
the graph boost, and retrieval quality on the evaluation set."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from support.search_data import ROOT, indexed_datadir, needs_corpus, report_texts

from kg.catalog import Catalog
from kg.errors import InputError, NotFoundError
from kg.namespaces import report_iri, rid_of
from kg.search import SearchService
from kg.search.evaluation import answer_spans, first_correct_rank, load_eval_set, summarise

EVAL_SET = ROOT / "tests" / "data" / "retrieval_eval.json"


@functools.cache
def service() -> SearchService:
    return SearchService(indexed_datadir())


def _rid(source: str) -> str:
    return next(r.rid for r in Catalog(indexed_datadir()).reports() if r.source == source)


def test_the_response_has_exactly_the_fields_of_the_contract():
    result = service().search("边缘计算市场规模", k=3)
    assert set(result) == {"query", "mode", "total", "hits"}
    assert len(result["hits"]) == 3
    hit = result["hits"][0]
    assert set(hit) == {"passage", "report", "text", "highlight", "start", "end", "score", "entities"}
    assert all(set(e) == {"iri", "label", "type"} for e in hit["entities"])


def test_offsets_point_at_the_passage_in_the_stored_report_text():
    hit = service().search("KubeEdge捐赠给CNCF", k=1)["hits"][0]
    rid = rid_of(hit["report"])
    assert Catalog(indexed_datadir()).text(rid)[hit["start"] : hit["end"]] == hit["text"]


def test_the_report_filter_still_returns_k_hits_all_from_that_report():
    rid = _rid("service_mesh_2023.md")
    hits = service().search("市场规模", k=8, report="service_mesh_2023.md")["hits"]
    assert len(hits) == 8
    assert {h["report"] for h in hits} == {report_iri(rid)}


def test_an_unknown_report_in_the_filter_is_not_found():
    with pytest.raises(NotFoundError):
        service().search("市场", report="no-such-report.md")


def test_the_type_filter_keeps_passages_mentioning_an_entity_of_that_type():
    hits = service().search("云厂商推出的产品", k=10, type="Vendor")["hits"]
    assert len(hits) == 10
    assert all(any(e["type"] == "Vendor" for e in h["entities"]) for h in hits)


def test_the_second_page_continues_the_first():
    first = service().search("容器", k=5)["hits"]
    both = service().search("容器", k=10)["hits"]
    second = service().search("容器", k=5, offset=5)["hits"]
    assert [h["passage"] for h in first + second] == [h["passage"] for h in both]


def test_k_above_the_cap_is_refused():
    with pytest.raises(InputError, match="100"):
        service().search("容器", k=101)


def test_the_highlight_marks_query_words_and_escapes_the_rest():
    hit = service().search("服务网格 Istio", k=1, mode="bm25")["hits"][0]
    assert "<mark>Istio</mark>" in hit["highlight"] or "<mark>服务网格</mark>" in hit["highlight"]
    plain = hit["highlight"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in plain


def test_explain_gives_the_rank_and_score_of_each_leg():
    hit = service().search("服务网格市场规模", k=1, explain=True)["hits"][0]
    legs = hit["explain"]
    assert legs["bm25"]["rank"] >= 1 and legs["bm25"]["score"] > 0
    assert legs["dense"]["score"] > 0
    assert "boost" in legs["graph"]


def test_an_entity_named_by_its_alias_boosts_passages_that_mention_it():
    hit = service().search("k8s在边缘的发行版", k=1, explain=True)["hits"][0]
    assert "kubernetes" in hit["explain"]["graph"]["entities"]
    assert hit["explain"]["graph"]["boost"] > 0


def test_an_english_question_finds_the_chinese_passage():
    hits = service().search("What is K3s?", k=3)["hits"]
    assert any("K3s由Rancher开源" in h["text"] for h in hits)


def test_bm25_mode_counts_only_passages_with_a_query_term():
    result = service().search("MeshPilot", mode="bm25", k=10)
    assert 0 < result["total"] == len(result["hits"]) < 10


def test_the_evaluation_set_holds_100_questions_40_percent_paraphrases():
    questions = load_eval_set(EVAL_SET)
    assert len(questions) >= 100
    assert sum(q.paraphrase for q in questions) >= 0.4 * len(questions)
    assert len({q.id for q in questions}) == len(questions)


def test_every_answer_is_an_exact_substring_of_its_document():
    texts = report_texts()
    for q in load_eval_set(EVAL_SET):
        if q.document not in texts:
            continue  # the corpus report is not available here
        for answer in q.answers:
            assert answer in texts[q.document], f"{q.id}: {answer!r}"


@needs_corpus
def test_hybrid_recall_at_5_on_the_evaluation_set_stays_above_090():
    catalog = Catalog(indexed_datadir())
    by_source = {r.source: r.rid for r in catalog.reports()}
    ranks = []
    for q in load_eval_set(EVAL_SET):
        rid = by_source[Path(q.document).name]
        spans = answer_spans(catalog.text(rid), q.answers)
        hits = service().ranked_passages(q.question, k=10)
        ranks.append(first_correct_rank([(p.rid, p.start, p.end) for p in hits], rid, spans))
    assert summarise(ranks).recall_at_5 >= 0.90
