"""Question analysis: kinds, linked entities (Chinese, English, abbreviations), relations, measures."""

from __future__ import annotations

import pytest

from kg.lexicon import Lexicon
from kg.qa.question import Question, analyse_question
from kg.surface_matcher import SurfaceMatcher
from kg.tokenize import WordSegmenter


def analyse(text: str) -> Question:
    lexicon = Lexicon.load()
    return analyse_question(text, SurfaceMatcher.from_lexicon(lexicon), WordSegmenter.shared(), lexicon)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2025年私有云容器平台市场规模预计多少？", "number"),
        ("What is the CAGR of the edge computing market?", "number"),
        ("哪些厂商提供基于Kubernetes的容器云产品？", "list"),
        ("Kubernetes的前身是什么？", "relation"),
        ("什么是FinOps？", "definition"),
        ("金融行业为什么采用容器云？", "why"),
        ("企业如何引入容器云？", "how"),
        ("容器与虚拟机有什么区别？", "comparison"),
    ],
)
def test_the_kind_of_a_question_is_recognised(text: str, kind: str):
    assert analyse(text).kind == kind


def test_an_abbreviation_links_to_the_entity():
    assert analyse("K8s的前身是什么？").slugs == ["kubernetes"]


def test_a_two_relation_question_keeps_the_order_of_its_relations():
    question = analyse("哪些厂商提供基于Kubernetes的容器云产品？")
    assert question.predicates == ["offers", "basedOn"]
    assert question.target_types == ("Vendor", "Organization")


def test_the_wanted_type_is_the_noun_after_which():
    assert analyse("博云服务哪些行业？").target_types == ("Industry",)


def test_a_number_question_knows_its_measure_units_and_year():
    question = analyse("2024年中国云成本管理市场规模是多少？")
    assert (question.measure, question.years) == ("size", [2024])
    assert "亿元" in question.units


def test_an_english_question_gets_chinese_hints():
    question = analyse("What was the market size of edge computing in China in 2023?")
    assert question.english and "edge-computing" in question.slugs
    assert "中国" in question.hints
