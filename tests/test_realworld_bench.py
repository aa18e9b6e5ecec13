"""The scoring rules and the corpus loader of the real-world benches (tests/support/realworld*.py), on real
strings from the kind of documents the corpus holds."""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from types import ModuleType

import pytest
from support import realworld, realworld_scores
from support.realworld import Corpus, CorpusError, splits_for, stable_split
from support.realworld_scores import (
    answer_items,
    best_sentence,
    member_scores,
    quote_in_passage,
    score_facts_and_years,
    type_accuracy,
)

from ingest.pipeline import extract
from ingest.read import read_bytes
from kg.lexicon import Lexicon
from kg.qa import evaluation

UNICOM = (
    "Kubernetes 凭借其快速增长和成熟的开源社区，成为中国联通的自然选择。 中国联通启用 Kubernetes 的云平台"
    "现在托管着 50 个微服务，采用这种全新的开发模式向前推进。 中国联通还使用 Istio 作为其微服务框架， "
    "另外还使用了 Envoy、CoreDNS 和 Fluentd。"
)


# --- passage relevance by evidence quote -------------------------------------------------------------


def test_a_passage_holding_the_whole_quote_is_relevant():
    assert quote_in_passage(UNICOM, "中国联通还使用 Istio 作为其微服务框架")


def test_blanks_case_and_markdown_emphasis_do_not_matter():
    passage = "**Volcano对深度学习框架的支持比较友好**；此外，__Volcano有大量高级调度策略__ 。"
    assert quote_in_passage(passage, "volcano 有大量高级调度策略")


def test_a_quote_cut_by_a_passage_boundary_counts_when_half_of_it_is_there():
    quote = "资源利用率提高了 20-50%， 降低了 IT 基础设施成本，部署时间从几个小时缩短到 5-10 分钟。"
    first_passage = (
        "事实上，Kubernetes 提升了中国联通的运营和开发效率。"
        + "资源利用率提高了 20-50%， 降低了 IT 基础设施成本，"
    )
    second_passage = "部署时间从几个小时缩短到 5-10 分钟。 “这主要是由于 Kubernetes 的自愈和可扩展性"
    assert quote_in_passage(first_passage, quote)  # 27 of the quote's 46 folded characters, in one piece
    assert not quote_in_passage(second_passage, quote)  # 19 of 46


def test_scattered_words_of_the_quote_do_not_make_a_passage_relevant():
    quote = "磐基容器云平台是中国移动信息公司基于Kubernetes构建的企业级PaaS解决方案"
    passage = "中国移动的磐舟平台基于GitOps构建，磐基是企业级的容器云平台，提供Kubernetes和PaaS能力。"
    assert not quote_in_passage(passage, quote)


# --- list members ------------------------------------------------------------------------------------


def test_member_recall_counts_gold_members_named_in_the_answer():
    score = member_scores(["Envoy", "CoreDNS", "Fluentd", "Istio"], "Envoy、CoreDNS、Fluentd")
    assert (score.found, score.members) == (3, 4)


def test_member_precision_counts_answer_items_that_name_no_member():
    score = member_scores(["金融", "电信", "政务"], "金融，电信；制造业, 零售")
    assert (score.matched_items, score.items) == (2, 4)


def test_an_item_longer_than_the_member_still_names_it():
    score = member_scores(["jupyter lab", "tensorboard"], "Jupyter Lab 调试工具、tensorboard")
    assert (score.matched_items, score.items, score.found) == (2, 2, 2)


def test_structured_items_are_used_before_cutting_the_answer():
    response = {"answer": "Envoy、CoreDNS 和 Fluentd", "items": ["Envoy", "CoreDNS", "Fluentd"]}
    assert answer_items(response) == ["Envoy", "CoreDNS", "Fluentd"]
    assert answer_items({"answer": "Envoy、CoreDNS 和 Fluentd。"}) == ["Envoy", "CoreDNS 和 Fluentd"]


# --- the naive baseline's sentence ---------------------------------------------------------------------


def test_the_baseline_answers_with_the_sentence_sharing_most_bigrams():
    passages = [
        "中国联通是中国三大电信运营商之一，为了服务其 3 亿用户，该公司运营着多个数据中心。",
        UNICOM,
    ]
    n, sentence = best_sentence("中国联通使用什么作为其微服务框架？", passages) or (None, "")
    assert n == 1
    assert sentence.startswith("中国联通还使用 Istio 作为其微服务框架")


def test_the_baseline_prefers_the_earlier_passage_on_a_tie():
    passages = ["容器启动很快。", "容器启动很快。"]
    assert best_sentence("容器启动快吗？", passages) == (0, "容器启动很快。")


def test_the_baseline_has_nothing_to_say_without_passages():
    assert best_sentence("中国联通使用什么？", []) is None


# --- facts with their years, entity types --------------------------------------------------------------

REPORT = (
    "预计2020年末基于容器的私有云平台市场规模将会达到15.2亿元，到2025年将会超过60亿元。"
    "目前该市场的增速约为33%。"
)


def test_facts_match_on_value_and_unit_and_then_count_the_right_years():
    ex = extract(read_bytes(REPORT.encode("utf-8"), "report.txt"))
    gold = [
        {"value": "15.2", "value_max": None, "unit": "亿元", "year": 2020, "year_stated": True},
        {"value": "60", "value_max": None, "unit": "亿元", "year": 2025, "year_stated": True},
        {
            "value": "33",
            "value_max": None,
            "unit": "%",
            "year": 2021,
            "year_stated": False,
        },  # 目前, dated 2021
        {
            "value": "47.2",
            "value_max": None,
            "unit": "%",
            "year": 2021,
            "year_stated": True,
        },  # not in the text
    ]
    score = score_facts_and_years(ex, gold)
    assert (score.found, score.gold, score.pred) == (3, 4, 3)
    assert score.year_right == 2
    assert score.by_year == {"stated": [2, 2], "implied": [1, 0], "none": [0, 0]}


def test_type_accuracy_is_over_entities_found_under_any_type():
    ex = extract(read_bytes("中国联通还使用 Istio 作为其微服务框架。".encode(), "case.txt"))
    gold = [
        {"name": "Istio", "type": "Product"},  # found as a Technology: coarse right, exact wrong
        {"name": "Fluentd", "type": "Technology"},  # not in the text: not counted
    ]
    assert type_accuracy(ex, gold, Lexicon.load()) == (1, 1, 0)


# --- the corpus loader ---------------------------------------------------------------------------------


def _corpus(tmp_path: Path, questions: list[dict]) -> Path:
    (tmp_path / "docs").mkdir()
    documents = []
    for doc_id, split in (("case-a", "dev"), ("case-b", "test")):
        (tmp_path / "docs" / f"{doc_id}.md").write_text(
            "中国联通还使用 Istio 作为其微服务框架。", encoding="utf-8"
        )
        documents.append(
            {
                "id": doc_id,
                "file": f"docs/{doc_id}.md",
                "format": "md",
                "genre": "case-study",
                "split": split,
                "repository": "kubernetes/website",
                "commit": "0" * 40,
                "path": f"content/{doc_id}.md",
                "licence": "CC-BY-4.0",
            }
        )
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": documents}), encoding="utf-8")
    (tmp_path / "questions.json").write_text(json.dumps({"questions": questions}), encoding="utf-8")
    return tmp_path


def _question(qid: str, documents: list[str], **extra: object) -> dict:
    return {
        "id": qid,
        "documents": documents,
        "kind": "factoid" if documents else "none",
        "question": "中国联通使用什么作为其微服务框架？",
        "answerable": bool(documents),
        "expected": [["Istio"]] if documents else [],
        **extra,
    }


def test_questions_take_the_split_of_their_documents(tmp_path: Path):
    corpus = Corpus(_corpus(tmp_path, [_question("a", ["case-a"]), _question("b", ["case-b"])]))
    assert [q.id for q in corpus.questions_in(splits_for("dev"))] == ["a"]
    assert [q.id for q in corpus.questions_in(splits_for("test"))] == ["b"]
    assert [d.id for d in corpus.documents_in(splits_for("all"))] == ["case-a", "case-b"]
    assert corpus.questions[0].genre == "case-study" and corpus.questions[0].lang == "zh"


def test_unanswerable_questions_take_their_split_field_else_their_documents_else_a_stable_one(
    tmp_path: Path,
):
    questions = [
        _question("rw-case-a-11", [], split="test"),
        _question("rw-case-b-12", []),
        _question("rw-elsewhere-13", []),
    ]
    corpus = Corpus(_corpus(tmp_path, questions))
    assert [q.split for q in corpus.questions[:2]] == ["test", "test"]
    assert corpus.questions[2].split == stable_split("rw-elsewhere-13") in ("dev", "test")


def test_a_question_across_both_splits_is_left_out_of_every_split(tmp_path: Path):
    corpus = Corpus(_corpus(tmp_path, [_question("x", ["case-a", "case-b"])]))
    assert corpus.questions[0].split == "mixed"
    assert corpus.questions_in(splits_for("all")) == []


def test_a_question_naming_an_unknown_document_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CorpusError, match="not in the manifest"):
        Corpus(_corpus(tmp_path, [_question("x", ["case-z"])]))


def test_a_missing_corpus_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CorpusError, match=r"manifest\.json not found"):
        Corpus(tmp_path)


@pytest.mark.parametrize("module", [realworld, realworld_scores, evaluation], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
