"""Names an English question gives by their meaning, spelled in Chinese through CC-CEDICT's senses
(kg/qa/bilingual.names_by_meaning), or writes in pinyin (names_by_sound), against the names a matcher
knows."""

from __future__ import annotations

from kg.qa.bilingual import names_by_meaning, names_by_sound
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


SOUNDS = SurfaceMatcher({"小红书": "xiaohongshu", "顺丰": "sf-express", "鹏城实验室": "peng-cheng-lab"}, {})


def _sounded(question: str) -> list[tuple[str, str]]:
    return [(question[s:e], slug) for s, e, slug in names_by_sound(question, SOUNDS)]


def test_a_company_written_in_pinyin_is_the_chinese_name_its_syllables_read() -> None:
    assert _sounded("How much did Xiaohongshu's training throughput improve?") == [
        ("Xiaohongshu", "xiaohongshu")
    ]
    assert _sounded("Shunfeng (SF) chose an edge platform") == [("Shunfeng", "sf-express")]


def test_pinyin_spelling_only_part_of_a_name_or_no_name_gives_nothing() -> None:
    # 鹏城 alone is not a name the matcher knows; Long is one syllable; English words read as no name
    assert _sounded("Which lab is Peng Cheng?") == []
    assert _sounded("The Long March of Dance and Open China") == []
    assert _sounded("how much did xiaohongshu improve?") == []  # a name is written capitalised


def test_a_word_that_cannot_be_read_in_pinyin_costs_one_pass_not_a_search() -> None:
    # xi-an or xian at every step, then a tail no syllable reads: 2**120 ways to try for the start alone
    from kg.qa.bilingual import _readings

    assert _readings("xian" * 120 + "vv") == []
    assert ["xiao", "hong", "shu"] in _readings("xiaohongshu")
    assert _readings("p") == []  # CC-CEDICT reads the letter P, but a syllable has a vowel
