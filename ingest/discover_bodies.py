"""Government bodies named by their jurisdiction: 市人民政府, 市统计部门, 国家安全机关, 国务院电信主管部门.

Legal prose names a body by the level of government it belongs to (市, 区, 省, 国家, 国务院, 中央) and the
field it governs, closed by a body word (部门, 机关, 委员会, 机构, 人民政府). The field may be a verb or a
phrase (市统计部门, 市政务服务数据管理部门), which the suffix rule of ``ingest/discover.py`` rejects as a
phrase; the jurisdiction standing as a word of its own (jieba) is what marks it a name here. Words of
relation or quantity (有关, 各, 其他, 等) make it a role (国务院有关部门), and a verb of what a body does
(国家支持…, 国家鼓励…) a clause, not a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.tokenize import WordSegmenter

__all__ = ["abbreviated_by", "jurisdiction_bodies"]

# the levels of government a body is named after, each a word of its own in jieba's segmentation
JURISDICTIONS = frozenset({"国务院", "国家", "中央", "省", "自治区", "市", "区", "县"})
# a place named with its level of government (杭州市, 西湖区, 浙江省): jieba's tag for place names
_PLACE_TAG = "ns"
_PLACE_LEVEL = re.compile(r"(?:市|区|省|县|自治区)$")
# a place's own name is two characters or more (杭州市, 西湖区); 城市, 城区 are common nouns jieba also
# tags as places
PLACE_MIN_CHARS = 3
# the levels written as one character before a body (市人民政府), the short form of a place's body
_ONE_CHAR_LEVELS = frozenset({"省", "市", "区", "县"})
# the word that closes a body's name (jieba keeps 主管部门 and 人民政府 as one word)
BODY_WORDS = "部门|机关|委员会|机构|人民政府"
BODY_SUFFIX = re.compile(f"(?:{BODY_WORDS})$")
# a jurisdiction alone before 人民政府 is the body (市人民政府); before another body word it is generic
# (国家机关, 市部门)
_GOVERNMENT = "人民政府"
# the longest field between jurisdiction and body word: 8 characters in the dev documents
# (市政务服务数据管理部门), 10 leaves room for a longer field without reaching into a clause
FIELD_MAX_CHARS = 10
# words that make the name a role or a set rather than one body (国务院有关部门, 国家安全等部门)
_NOT_IN_FIELD = re.compile(r"有关|相关|其他|其它|以上|以下|[各等和或的及与本级]")
# jieba POS of words that cannot stand in a field: preposition, conjunction, particle, pronoun, adverb,
# numeral, measure word
_NOT_FIELD_TAGS = frozenset("pcurdmq")
# what a state or a body does in legal prose: after the jurisdiction they make a clause (国家鼓励科研机构)
ACTS = frozenset(
    {
        "支持",
        "鼓励",
        "建立",
        "加强",
        "推动",
        "促进",
        "制定",
        "采取",
        "开展",
        "组织",
        "负责",
        "依照",
        "依据",
        "根据",
        "应当",
        "会同",
        "设立",
        "指导",
        "统筹",
        "协调",
        "实施",
        "培育",
        "保障",
        "引导",
    }
)


_MAYBE_BODY = re.compile(
    "(?:" + "|".join(sorted(JURISDICTIONS)) + rf")[\u4e00-\u9fff]{{0,{FIELD_MAX_CHARS}}}(?:{BODY_WORDS})"
)


def jurisdiction_bodies(text: str, base: int, segmenter: WordSegmenter) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of every body named by jurisdiction, field and body word in ``text``.

    ``start``/``end`` are offsets into the report (``base`` is where ``text`` starts).
    """
    if not _MAYBE_BODY.search(text):
        return  # most sentences name no body: no part-of-speech pass for them
    tags = segmenter.pos_tags(text)
    offsets = []
    pos = 0
    for word, _flag in tags:
        offsets.append(pos)
        pos += len(word)
    covered = 0  # 中央国家安全领导机构: 国家 inside a name already found starts no other
    for i, (word, flag) in enumerate(tags):
        if not _jurisdiction(word, flag) or offsets[i] < covered:
            continue
        end = _body_end(tags, i + 1)
        if end is not None:
            start = offsets[i]
            covered = offsets[end] + len(tags[end][0])
            yield text[start:covered], base + start, base + covered


def _jurisdiction(word: str, flag: str) -> bool:
    """A level of government (市, 国务院) or a place named with its level (杭州市, 西湖区: jieba ``ns``)."""
    return word in JURISDICTIONS or (
        flag == _PLACE_TAG and len(word) >= PLACE_MIN_CHARS and _PLACE_LEVEL.search(word) is not None
    )


def abbreviated_by(short: str, full: str) -> bool:
    """Whether ``short`` is ``full`` without its place (市人民政府 of 杭州市人民政府): legal prose names
    the place once and then the level alone.

    >>> abbreviated_by("市人民政府", "杭州市人民政府"), abbreviated_by("市人民政府", "省人民政府")
    (True, False)
    """
    return (
        short[:1] in _ONE_CHAR_LEVELS
        and len(full) > len(short)
        and full.endswith(short)
        and BODY_SUFFIX.search(short) is not None
    )


def _body_end(tags: list[tuple[str, str]], first: int) -> int | None:
    """Index of the body word that closes a name whose field starts at ``first``, or None."""
    chars = 0
    for j in range(first, len(tags)):
        word, flag = tags[j]
        if BODY_SUFFIX.search(word):
            field = "".join(w for w, _f in tags[first:j]) + BODY_SUFFIX.sub("", word)
            if not field and word != _GOVERNMENT:
                return None  # 国家机关: a kind of body, not one
            return None if _NOT_IN_FIELD.search(field) else j
        chars += len(word)
        if (
            chars > FIELD_MAX_CHARS
            or not re.fullmatch(r"[\u4e00-\u9fff]+", word)
            or flag[:1] in _NOT_FIELD_TAGS
            or word in ACTS
        ):
            return None
    return None
