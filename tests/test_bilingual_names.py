"""Names an English question gives by their meaning, spelled in Chinese through CC-CEDICT's senses
(kg/qa/bilingual.names_by_meaning), against the names a matcher knows."""

from __future__ import annotations

from kg.qa.bilingual import names_by_meaning
from kg.surface_matcher import SurfaceMatcher

NAMES = SurfaceMatcher(
    {"数据安全法": "data-security-law", "城市大脑": "city-brain", "杭州城市大脑": "hz-city-brain"}, {}
)


def _named(question: str) -> list[tuple[str, str]]:
    return [(question[s:e], slug) for s, e, slug in names_by_meaning(question, NAMES)]


def test_a_law_named_in_english_is_the_chinese_name_its_words_spell() -> None:
    assert _named("Under the Data Security Law, what fine applies?") == [
        ("Data Security Law", "data-security-law")
    ]


def test_the_longest_name_the_words_spell_wins() -> None:
    # Hangzhou → 杭州 (a proper name's definition), City → 城市, Brain → 大脑
    assert _named("Which technologies does the Hangzhou City Brain rely on?") == [
        ("Hangzhou City Brain", "hz-city-brain")
    ]


def test_one_word_alone_is_not_a_name() -> None:
    names = SurfaceMatcher({"数据": "data"}, {})
    assert names_by_meaning("How much data was collected?", names) == []


def test_words_that_spell_no_known_name_give_nothing() -> None:
    assert _named("What does the regulation require of cloud vendors?") == []
