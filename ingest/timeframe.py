"""The year a figure is stated for: a year written next to it, or a relative expression (目前, 今年,
去年, 未来5年, 过去三年 …) resolved against the report's reference date.

>>> stated = year_of("预计2020年末市场规模将达到15.2亿元", 17, 23)
>>> (stated.year, stated.stated)
(2020, True)
>>> implied = year_of("目前月活超过1亿", 6, 8, reference_year=2021)
>>> (implied.year, implied.stated, implied.cue)
(2021, False, '目前')
>>> year_of("目前月活超过1亿", 6, 8) is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "PERFECT_ASPECT_CUES",
    "PRESENT_CUES",
    "SPAN_CUES",
    "YearOf",
    "chinese_number",
    "section_year",
    "year_of",
]

YEAR_RE = re.compile(
    r"((?:19|20)\d{2})(?:\s*(?:-|－|—|~|～|至|到)\s*((?:19|20)\d{2}))?\s*(?:年|(?=[QH][1-4]))"
)
# 较2021年, 相比于 2021、2022 年: the years of a comparison base.
_COMPARISON_BASE = re.compile(r"(?:较|比|相比|相较|同比)于?[\s\d、和与及年]*$")
# 从2015年的18.6%增长到27.35%: 2015 is the start of the change, not the year of 27.35%
_CHANGE_START = re.compile(r"(?:从|由)\s*$")
_CHANGE_TARGET = re.compile(r"(?:到|至)")
_RATIO_BASE = re.compile(r"的?\s*(?:约|近|超过)?\s*$")
_SENTENCE_BREAK = "。；;！？\n"
_ASPECT_BREAK = "，,；;。！？\n（("  # perfect-aspect cues (已 …) hold for their own clause only
_PRESENT_BREAK = "。；;！？\n（("  # present cues (目前 …) hold for the sentence, not into a bracket
_CLAUSE_BREAK = "，,；;。"
# A clause opened by one of these goes on with the clause before it (its subject and aspect): chosen on dev,
# where the two figures after "，并获得" carry their sentence's 已 in the gold.
_CONTINUATION = re.compile(r"\s*(?:并且|并|且)")

# Words that put a figure at the time of writing (the report's reference year). Chosen on the dev split:
# every dev gold figure after one of them, in a dated document, carries the document's year.
PRESENT_CUES = (
    *("截至目前", "截止目前", "截至今日", "截止到目前", "目前", "当前", "现阶段", "现在", "如今", "当下"),
    *("眼下", "今年", "迄今", "至今", "时至今日", "以来"),
)
# Perfect aspect (已, 已经, 累计): a count reached by the time of writing, in the cue's own clause. Chosen
# on dev (no dev gold figure after one in its clause, in a dated document, lacks the document's year).
PERFECT_ASPECT_CUES = ("已经", "已", "累计")
# Relative years: word → offset from the reference year.
_OFFSET_CUES = {"去年": -1, "前年": -2, "明年": 1, "后年": 2}
# Spans counted from the reference year: 未来5年 ends five years on, 过去三年/近三年 end now.
SPAN_CUES = {"未来": 1, "今后": 1, "过去": 0, "近": 0, "最近": 0}
_SPAN = re.compile(
    r"(?P<cue>未来|今后|过去|最近|近)\s*(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,2})\s*(?:个)?年"
)
_CUE = re.compile(
    "|".join(
        re.escape(c)
        for c in sorted((*PRESENT_CUES, *PERFECT_ASPECT_CUES, *_OFFSET_CUES), key=len, reverse=True)
    )
)
_ASPECT = frozenset(PERFECT_ASPECT_CUES)
_BARE_FUTURE = re.compile(r"未来|今后|长期")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_CN_POWER = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class YearOf:
    year: int
    stated: bool  # written in the text (True) or resolved from a relative expression (False)
    cue: str  # the year as written, or the relative expression that gave it


def chinese_number(raw: str) -> int | None:
    """The value of a Chinese numeral below ten thousand (五, 十五, 二百, 一千零五), or of digits.

    >>> [chinese_number(s) for s in ("五", "十", "十五", "五十", "二百", "一千", "两千三百", "12")]
    [5, 10, 15, 50, 200, 1000, 2300, 12]
    """
    if raw.isdigit():
        return int(raw)
    total, digit = 0, None
    for ch in raw:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_POWER:
            total += (1 if digit is None else digit) * _CN_POWER[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _stated(segment: str, figure_at: int, *, ratio: bool = False) -> tuple[int, int] | None:
    """The last year written in ``segment`` before the figure that is the figure's own: not a comparison
    base (较2021年) and not the start of a change the figure ends (从2015年的X增长到Y); (year, position)."""
    found = None
    for y in YEAR_RE.finditer(segment, 0, figure_at):
        if _COMPARISON_BASE.search(segment, 0, y.start()):
            continue
        if _CHANGE_START.search(segment, max(0, y.start() - 2), y.start()) and _CHANGE_TARGET.search(
            segment, y.end(), figure_at
        ):
            continue
        if ratio and _RATIO_BASE.match(segment, y.end(), figure_at):
            continue  # 2023年的规模约为2021年的2.2倍: 2021 is what the ratio is taken against
        found = (int(y.group(2) or y.group(1)), y.start())
    return found


def _aspect_clause_start(segment: str, figure_at: int) -> int:
    """Where the clause a perfect-aspect cue must stand in starts: the figure's own clause, widened over
    clauses that continue the same predicate (社区已吸引5.8万+全球开发者，并获得3.5k+ Star: 并 goes on)."""
    start = max(segment.rfind(c, 0, figure_at) for c in _ASPECT_BREAK) + 1
    while start > 0 and segment[start - 1] in "，," and _CONTINUATION.match(segment, start):
        start = max(segment.rfind(c, 0, start - 1) for c in _ASPECT_BREAK) + 1
    return start


def _relative(segment: str, figure_at: int, reference_year: int) -> tuple[int, str, int] | None:
    """The last relative expression before the figure, resolved: (year, cue, position). A present cue
    holds up to an opening bracket, a perfect-aspect cue only in its own clause."""
    best: tuple[int, str, int] | None = None
    present_from = max(segment.rfind(c, 0, figure_at) for c in _PRESENT_BREAK) + 1
    aspect_from = _aspect_clause_start(segment, figure_at)
    for span in _SPAN.finditer(segment, present_from, figure_at):
        n = chinese_number(span.group("n"))
        if n is None:
            continue
        year = reference_year + n * SPAN_CUES[span.group("cue")]
        best = (year, span.group(0), span.start())
    for cue in _CUE.finditer(segment, present_from, figure_at):
        if best is not None and best[2] <= cue.start() < best[2] + len(best[1]):
            continue
        word = cue.group(0)
        if word in _ASPECT and cue.start() < aspect_from:
            continue
        year = reference_year + _OFFSET_CUES.get(word, 0)
        if best is None or cue.start() > best[2]:
            best = (year, word, cue.start())
    return best


def year_of(
    text: str, start: int, end: int, *, reference_year: int | None = None, ratio: bool = False
) -> YearOf | None:
    """The year of the figure at ``text[start:end]`` (``text`` is its sentence): the nearest year written
    before it in the sentence, unless a relative expression stands nearer (2019年上线以来…12w+ → now);
    else a year written after it in the same clause; none for the open future (未来, 长期) and for a
    relative expression when the report's reference year is unknown."""
    left = max(text.rfind(c, 0, start) for c in _SENTENCE_BREAK) + 1
    segment = text[left:start]
    stated = _stated(segment, len(segment), ratio=ratio)
    relative = _relative(segment, len(segment), reference_year) if reference_year is not None else None
    if relative is not None and relative[1] in _ASPECT and stated is not None:
        relative = None  # 截至2023年底节点已超过2000个: 已 is the aspect of a stated year's verb
    if relative is not None and (stated is None or relative[2] > stated[1]):
        return YearOf(relative[0], False, relative[1])
    clause_start = max(text.rfind(c, 0, start) for c in _CLAUSE_BREAK) + 1
    if _BARE_FUTURE.search(text, clause_start, start) and not YEAR_RE.search(text, clause_start, start):
        return None
    if stated is not None:
        return YearOf(stated[0], True, str(stated[0]))
    right_end = min((i for i in (text.find(c, end) for c in _CLAUSE_BREAK) if i != -1), default=len(text))
    after = YEAR_RE.search(text, end, right_end)
    if after is not None:
        year = int(after.group(2) or after.group(1))
        return YearOf(year, True, str(year))
    return None


def section_year(heading: str) -> int | None:
    """The one year a section heading is about (1.4.1 2024 年开发者使用编程语言榜单 → 2024), else None."""
    years = {int(m.group(2) or m.group(1)) for m in YEAR_RE.finditer(heading)}
    return years.pop() if len(years) == 1 else None
