"""Discover a name written with its Latin-script form in brackets: 自动光学检测（AOI）, 网络拓扑感知调度
(Network Topology Aware Scheduling), 核心模拟系统（WRF）.

The bracketed form is a name when it is an acronym (AOI, HPCC), capitals joined by a hyphen or a dot
(OPENI-OCTOPUS, ORANG.CLOUD), a CamelCase word (ModelBooster) or
several capitalised words (Service Level Objective); a single ordinary word (Community, label) is a
translation, not a name. The Chinese words before the bracket are the same entity when they read like a
term: what follows the last function word or common verb, a few characters long and not a word of the
general dictionary (前处理系统 → 系统: a common word, so only WRF is the name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.lexicon import Lexicon
from kg.tokenize import WordSegmenter, has_chinese

__all__ = ["AppositionName", "bracketed_names"]

_LATIN_WORD = r"[A-Za-z][A-Za-z0-9.\-]*"
# a space may stand between a Chinese term and its bracket (节点过滤结果缓存 (PredicateWithCache): dev-write
# +2 right, CDI and PredicateWithCache), not between English words and theirs (Linux Foundation (LF) is
# English apposition, which the Latin organisation rules read)
_SPACE_AFTER_CHINESE = r"(?:(?<=[\u4e00-\u9fff])[ \t])?"
_BRACKETED = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{2,24})"
    + _SPACE_AFTER_CHINESE
    + r"[（(]\s*("
    + _LATIN_WORD
    + r"(?: "
    + _LATIN_WORD
    + r"){0,5})\s*[)）]"
)
_ACRONYM = re.compile(r"[A-Z][A-Z0-9\-]{1,7}")
# capitals joined by a hyphen or a dot (OPENI-OCTOPUS, ORANG.CLOUD): a product's name in capitals
_CAPITALS_COMPOUND = re.compile(r"[A-Z][A-Z0-9]{1,11}(?:[-.][A-Z][A-Z0-9]{1,11}){1,2}")
_CAMEL = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[a-z]+[A-Z][A-Za-z0-9]*")
_CAPITALISED_WORDS = re.compile(r"[A-Z][A-Za-z0-9.\-]*(?: (?:[A-Z][A-Za-z0-9.\-]*|of|and|for|on)){1,5}")
# jieba tags of words a term cannot hold: particles, prepositions, conjunctions, pronouns, numerals,
# localisers, adjectives, adverbs and stray symbols
_FUNCTION_TAGS = frozenset("upcrmfadx")
# a verb this frequent in jieba's general dictionary (引入, 提出, 处理) is a clause's verb, not part of a
# term (感知 in 网络拓扑感知调度, 缺陷 in 自动缺陷分类系统 are rarer)
COMMON_VERB_FREQ = 1000
# a verb opening three words or more (启用/容器/设备/接口) governs the rest; a verb among two words may be
# part of the term (感知/调度)
VERB_OBJECT_MIN_WORDS = 3
TERM_MIN_CHARS = 2
TERM_MAX_CHARS = 8
# head nouns of a term that names a way of working rather than a thing
_CONCEPT_HEAD = re.compile(r"(?:模式|架构|理念|方法|并行|范式|原则|目标|质量)$")
_ORG_HEAD = re.compile(r"(?:基金会|委员会|联盟|协会|研究院|研究所|实验室|大学|学院|公司|集团|促进会|中心)$")


@dataclass(frozen=True)
class AppositionName:
    """One name found: ``label`` is the entity's name (the Chinese term, or the Latin form alone)."""

    surface: str
    label: str
    type: str
    start: int
    end: int


def bracketed_names(
    text: str, base: int, lexicon: Lexicon, segmenter: WordSegmenter
) -> Iterator[AppositionName]:
    """Each name found in ``text`` (offsets plus ``base``), the Chinese term and its Latin form both."""
    for m in _BRACKETED.finditer(text):
        latin = m.group(2)
        if not _is_latin_name(latin) or lexicon.resolve(latin) is not None:
            continue
        term = _term(m.group(1), segmenter)
        if term is not None and lexicon.resolve(term) is not None:
            continue  # 云原生计算基金会（CNCF）: the lexicon has it
        type_ = _type(term or latin)
        label = term or latin
        latin_start = base + m.start(2)
        yield AppositionName(latin, label, type_, latin_start, latin_start + len(latin))
        if term is not None:
            term_end = base + m.end(1)
            yield AppositionName(term, label, type_, term_end - len(term), term_end)


def _is_latin_name(latin: str) -> bool:
    return bool(
        (_ACRONYM.fullmatch(latin) and sum(c.isupper() for c in latin) >= 2)
        or _CAPITALS_COMPOUND.fullmatch(latin)
        or _CAMEL.fullmatch(latin)
        or _CAPITALISED_WORDS.fullmatch(latin)
    )


def _term(chinese: str, segmenter: WordSegmenter) -> str | None:
    """The term at the end of ``chinese``, or None when what is there is not a term."""
    tags = segmenter.pos_tags(chinese)
    frequency = segmenter.word_frequency
    cut = 0
    for i, (word, flag) in enumerate(tags[:-1]):
        if flag[:1] in _FUNCTION_TAGS or (flag == "v" and frequency(word) >= COMMON_VERB_FREQ):
            cut = i + 1
    words = tags[cut:]
    if len(words) >= VERB_OBJECT_MIN_WORDS and words[0][1] == "v":
        words = words[1:]  # 启用容器设备接口: a verb before a noun phrase is the clause's, however rare
    if words and words[-1][0].isascii() and _is_latin_name(words[-1][0]):
        return words[-1][0]  # 业务的SLO（Service Level Objective）: the acronym is the name
    term = "".join(w for w, _f in words)
    if not TERM_MIN_CHARS <= len(term) <= TERM_MAX_CHARS or not has_chinese(term):
        return None
    if len(words) == 1 and segmenter.is_common_word(term):
        return None  # 系统, 社区: a common word before a name is not the name
    return term


def _type(name: str) -> str:
    if _ORG_HEAD.search(name):
        return "Organization"
    if _CONCEPT_HEAD.search(name):
        return "Concept"
    return "Technology"
