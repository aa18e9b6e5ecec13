"""Lexicon matches that are not mentions, whatever the name: a name inside a web address
(github.com/volcano-sh), an industry word inside the name of a government body (市人民政府) and an
industry word that modifies another noun (政务数据, 金融体系, 交通枢纽: data, a system, a hub, not the
sector).

>>> url_spans("仓库: https://github.com/kubeedge 与 volcano.sh")
[(4, 31), (34, 44)]
"""

from __future__ import annotations

import re
from typing import Protocol

from ingest.relation_cues import ADOPTION_VERBS
from kg.tokenize import has_chinese

__all__ = ["inside", "is_body_name_part", "is_government_actor", "is_industry_modifier", "url_spans"]

# a web address: with its scheme, or a bare domain name with a top-level domain (github.com/x)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s，。；、）)\]」》\u4e00-\u9fff]+"
    r"|(?<![A-Za-z0-9@.\-])(?:[A-Za-z0-9\-]+\.)+(?:com|org|io|net|cn|sh|dev|cloud)(?:/[^\s，。；、）)\]」》\u4e00-\u9fff]*)?"
    r"(?![A-Za-z0-9])"
)
# words written right before an industry word that make it part of a body's name: 人民政府 is the
# government as an institution, not the government sector as a customer
_BODY_PREFIX = re.compile(r"人民$")
# nouns after an industry word that still name the sector: its trade, firms, customers or systems
# (金融行业, 电商网站, 零售商, 金融服务); any other noun makes the industry word its modifier (政务数据)
SECTOR_HEADS = re.compile(
    r"行业|产业|领域|业|机构|企业|用户|客户|公司|网站|系统|服务|业务|平台|商|团队|店铺|场景|部门|方面"
)
# how many characters after an industry word are read to tag the word that follows it
FOLLOWING_WORD_WINDOW = 4
# jieba POS flags of nouns (n, nz, ns, nt …) and verb-nouns (vn: 政府决策, 物流分拣)
_NOUN_FLAG = re.compile(r"n|vn")
# names of the government sector that also name the government as an actor (政府于2015年发布…, 充分发挥
# 政府…的作用, 数字政府): the annotation guidelines type 政务 an industry only as a customer sector
GOVERNMENT_ALIASES = frozenset({"政府"})
# the government as a customer: served (面向政府和社会人员, 为政府提供), or followed by its trade or its
# customers (政府行业, 政府客户); in a list with another industry it is one of the sectors too
_SERVED_BEFORE = re.compile(r"(?:面向|服务于|服务|为|帮助|覆盖|涵盖)\s*$")
_SECTOR_AFTER = re.compile(r"\s*(?:行业|领域|客户|用户|市场)")
_CLAUSE_MARK = re.compile(r"[，,。；;！!？?\n]")


class _Tagger(Protocol):
    def pos_tags(self, text: str) -> list[tuple[str, str]]: ...


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a web address."""
    return [(m.start(), m.end()) for m in _URL.finditer(text)]


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def is_body_name_part(text: str, start: int, type_: str) -> bool:
    """An industry word preceded by what makes it a body's name (市人民政府)."""
    return type_ == "Industry" and bool(_BODY_PREFIX.search(text[:start]))


def is_government_actor(
    text: str, start: int, end: int, surface: str, type_: str, industries: list[tuple[int, int]]
) -> bool:
    """The government named as an actor, not the sector: an alias in ``GOVERNMENT_ALIASES`` that is
    not served, not followed by its trade or customers and has no other industry of ``industries``
    (spans in ``text``) in its clause.

    >>> is_government_actor("在国内，政府于2015年发布了规划", 3, 5, "政府", "Industry", [])
    True
    >>> is_government_actor("公共服务平台：面向政府和社会人员", 9, 11, "政府", "Industry", [])
    False
    >>> is_government_actor("包含金融、制造业、政府和其他行业", 9, 11, "政府", "Industry", [(2, 4)])
    False
    """
    if type_ != "Industry" or surface not in GOVERNMENT_ALIASES:
        return False
    if _SERVED_BEFORE.search(text, 0, start) or _SECTOR_AFTER.match(text, end):
        return False
    marks = [m.start() for m in _CLAUSE_MARK.finditer(text)]
    first = max((p for p in marks if p < start), default=-1)
    last = min((p for p in marks if p >= end), default=len(text))
    return not any(first < s and e <= last and (s, e) != (start, end) for s, e in industries)


def is_industry_modifier(text: str, end: int, type_: str, tagger: _Tagger) -> bool:
    """An industry word followed by a noun other than the sector's trade, firms or systems: the
    word modifies that noun (政务数据, 金融体系, 交通枢纽, 能源手机应用), it does not name the sector.

    ``tagger`` is a ``kg.tokenize.WordSegmenter`` (jieba POS tags)."""
    if type_ != "Industry" or not has_chinese(text[end : end + 1]):
        return False
    following = text[end : end + FOLLOWING_WORD_WINDOW]
    if SECTOR_HEADS.match(following) or ADOPTION_VERBS.match(following):
        return False  # 金融行业; 运营商利用容器 (jieba tags 利用, 部署 as nouns)
    tags = tagger.pos_tags(following)
    return bool(tags) and bool(_NOUN_FLAG.match(tags[0][1]))
