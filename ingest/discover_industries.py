"""Discover the industries of an enumeration that the text itself calls industries or fields:
'在通信、金融、交通、能源、桥梁、物流等领域均有落地案例',
'…水利、金融、公共服务、国防科技工业等重要行业和领域',
'工业、电信、交通、金融、自然资源、卫生健康、教育、科技等主管部门'.

The word after 等 (行业, 领域, 产业, 主管部门) names the category of every member, so an unknown Chinese
member is an industry when the list also names a known industry (化工 beside 金融), or when it names
nothing of another kind and has several unknown members ('CAE仿真、动漫渲染、石油勘探、生命科学等领域').
A list without that closing word (教育、服务、交通、零售) is left alone: its members may be anything.

Measured on the dev split of the real-world corpus (docs/ingest.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.lexicon import Lexicon
from kg.tokenize import WordSegmenter

__all__ = ["ACTIVITY_SHARE_MAX", "INDUSTRY_LIST_MIN_UNKNOWN", "INDUSTRY_NAME_CHARS", "industry_list_members"]

# a list of fields with no known industry needs this many unknown Chinese members to be read as one,
# and at most this share of its members may be activities (预测、研判…、社会管理、政府运行等领域)
INDUSTRY_LIST_MIN_UNKNOWN = 3
ACTIVITY_SHARE_MAX = 1 / 3
# how long an industry's name may be (水利 … 公共通信和信息服务)
INDUSTRY_NAME_CHARS = (2, 10)
# the closing words: 等领域, 等重要行业和领域, 等各领域, 等行业的, 等主管部门
_CATEGORY = r"等(?:重要|各|各个|多个|众多|诸多|传统|垂直|[\u4e00-\u9fff]{2,4}?)?(?:行业|领域|产业|主管部门)"
_CLOSING = re.compile(_CATEGORY)
# what ends the clause a list stands in, reading back from its closing words
_CLAUSE_MARK = re.compile(r"[，,。；;：:（()）“”《》\s]")
ITEM_MAX_CHARS = 15  # a longer piece between two 、 is a phrase, not a list member
# what introduces the first member (是指公共通信和信息服务、…, 我们在通信、…, 广泛应用于CDN、…)
_LEAD = re.compile(r"^.*(?:是指|包括|包含|涵盖|例如|比如|应用于|用于|在|如)")
_CHINESE = re.compile(r"[\u4e00-\u9fff]+")
_NOT_IN_NAME = re.compile(r"[的了是及或]|其他|其它|相关|有关")


def industry_list_members(
    text: str, base: int, lexicon: Lexicon, segmenter: WordSegmenter
) -> Iterator[tuple[str, str, int, int]]:
    """(name, "Industry", start, end) of each unknown member of a list closed by 等…行业/领域."""
    for closing in _CLOSING.finditer(text):
        members = _members_before(text, closing.start())
        if len(members) < 2:
            continue
        kinds = [_kind(name, lexicon, segmenter) for name, _at in members]
        unknown = [(name, at) for (name, at), kind in zip(members, kinds, strict=True) if kind == ""]
        activities = [name for name, _at in members if _is_activity(name, segmenter)]
        if "Industry" not in kinds and (
            any(kind not in {"", "?", "Industry"} for kind in kinds)
            or len(unknown) < INDUSTRY_LIST_MIN_UNKNOWN
            or len(activities) > ACTIVITY_SHARE_MAX * len(members)
        ):
            continue
        low, high = INDUSTRY_NAME_CHARS
        for name, at in unknown:
            if name in activities or not low <= len(name) <= high or _NOT_IN_NAME.search(name):
                continue
            yield name, "Industry", base + at, base + at + len(name)


def _members_before(text: str, end: int) -> list[tuple[str, int]]:
    """(member, offset) of the A、B、C list that ends at ``end``, within its clause."""
    start = end
    while start > 0 and not _CLAUSE_MARK.match(text[start - 1]):
        start -= 1
    pieces = text[start:end].split("、")
    members: list[tuple[str, int]] = []
    pos = end
    for i in range(len(pieces) - 1, -1, -1):
        raw = pieces[i]
        pos -= len(raw)
        if i == 0:
            lead = _LEAD.match(raw)  # 我们在通信、…: the first member starts after its cue
            raw, offset = (raw[lead.end() :], lead.end()) if lead else (raw, 0)
            if len(raw) <= ITEM_MAX_CHARS:
                members.append((raw, pos + offset))
            break
        if not raw or len(raw) > ITEM_MAX_CHARS or "等" in raw:
            break
        members.append((raw, pos))
        pos -= 1  # the 、
    return members[::-1]


def _is_activity(name: str, segmenter: WordSegmenter) -> bool:
    """A member whose last word is a verb names an activity, not a trade (服务, 社会管理, 政府运行)."""
    tags = segmenter.pos_tags(name)
    return bool(tags) and tags[-1][1].startswith("v")


def _kind(name: str, lexicon: Lexicon, segmenter: WordSegmenter) -> str:
    """The type of the known name a member is or ends with; "" when unknown, "?" when not a name
    (empty, Latin-script or mixed: CAE仿真, CDN)."""
    if not name:
        return "?"
    entry = lexicon.resolve(name, cloud_context=True)
    if entry is not None:
        return entry.type
    matches = segmenter.matcher.find(name)
    if matches and matches[-1].end == len(name):
        return lexicon.entries[matches[-1].slug].type  # 智能物流, 装备制造: a kind of a known one
    return "" if _CHINESE.fullmatch(name) else "?"
