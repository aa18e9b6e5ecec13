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

__all__ = ["inside", "is_body_name_part", "is_industry_modifier", "url_spans"]

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
_CJK = re.compile(r"[\u4e00-\u9fff]")


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


def is_industry_modifier(text: str, end: int, type_: str, tagger: _Tagger) -> bool:
    """An industry word followed by a noun other than the sector's trade, firms or systems: the
    word modifies that noun (政务数据, 金融体系, 交通枢纽, 能源手机应用), it does not name the sector.

    ``tagger`` is a ``kg.tokenize.WordSegmenter`` (jieba POS tags)."""
    if type_ != "Industry" or not _CJK.match(text[end : end + 1]):
        return False
    following = text[end : end + FOLLOWING_WORD_WINDOW]
    if SECTOR_HEADS.match(following) or ADOPTION_VERBS.match(following):
        return False  # 金融行业; 运营商利用容器 (jieba tags 利用, 部署 as nouns)
    tags = tagger.pos_tags(following)
    return bool(tags) and bool(_NOUN_FLAG.match(tags[0][1]))
