"""Numeric market facts: every figure with a unit, its qualifier, range, year and metric.

>>> figures = find_figures("预计2020年末市场规模将达到15.2亿元，到2025年将超过60亿元")
>>> [(str(f.value), f.unit, f.qualifier, f.year) for f in figures]
[('15.2', '亿元', '=', 2020), ('60', '亿元', '>', 2025)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Figure", "find_figures"]

_NUM = r"\d+(?:[.,]\d+)*"
_CN_DIGITS = "一二两三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}
_UNIT = (
    r"(?:个百分点|亿美元|万美元|美元|亿元人民币|亿元|万亿元|万元|千元|元|万亿|亿|万家|家|万台|台|万个|个|万次|次|万人|人|"
    r"倍|%|％|pp|TB|PB|GB|MB|ms|项|款|座|套)"
)
_RANGE_SEP = r"\s*(?:~|～|-|－|—|至|到)\s*"
FIGURE_RE = re.compile(
    rf"(?P<v1>{_NUM})(?P<u1>{_UNIT})?(?:{_RANGE_SEP}(?P<v2>{_NUM})(?P<u2>{_UNIT}))"
    rf"|(?P<v>{_NUM})(?P<more>多)?(?P<u>{_UNIT})"
    rf"|[Nn]\s*[=＝]\s*(?P<n>\d+)"
    rf"|(?P<tenth>\d|[{_CN_DIGITS}])成(?![本员功为立熟长果效型])"
)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})(?:\s*(?:-|－|—|~|～|至|到)\s*((?:19|20)\d{2}))?\s*年")
_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("不低于", ">="),
    ("至少", ">="),
    ("不少于", ">="),
    ("超过", ">"),
    ("逾", ">"),
    ("高于", ">"),
    ("多于", ">"),
    ("大于", ">"),
    ("突破", ">"),
    ("超", ">"),
    ("不足", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("不到", "<"),
    ("小于", "<"),
    ("大约", "≈"),
    ("约为", "≈"),
    ("约", "≈"),
    ("近", "≈"),
    ("接近", "≈"),
    ("将近", "≈"),
    ("大概", "≈"),
)
_COMPARISON_BASE = re.compile(r"(?:较|比|相比|相较于?|同比)\s*$")
_RELATIVE_FUTURE = re.compile(r"未来\s*\S{0,2}年|今后|长期")
_LABEL_AFTER = re.compile(r"^(?:阶段|领域|方面|类|层|部分|维度|环节|步骤|十年|10年|要素|途径|模式)")
_CLAUSE_BREAK = re.compile(r"[，,；;。！？：:（）()、\n]")
_METRIC_TRIM = re.compile(
    r"^(?:其中|而|且|并|但|同时|此外|预计|目前|截至|在|据|从|到|于|由|对|以|我国|国内|中国|全球|\d{4}年[末底初中]?|"
    r"[，,、\s]|的|将会|将|会|已经|已|达到|达|为|是|有|约|近|超过|多|也|还|仍|大约|未来\d+年)+"
)
# Words trimmed off the end of a metric, as many as end it. Matched on the reversed text from its start:
# a greedy run with nothing after it never backtracks, where "(?:将会|将|会|…)+$" searched forwards
# backtracks exponentially on a run of 将会 that does not reach the end (issue 12).
_METRIC_TAIL_WORDS = (
    *("将会", "将", "会", "已经", "已", "预计", "有望", "可达", "达到", "达", "为", "是", "约", "近", "超过"),
    *("超", "高达", "仅", "则", "分别", "有", "以", "也", "仍", "还", "在", "了", "大约", "之间"),
)
_METRIC_TAIL_REVERSED = re.compile(
    "(?:" + "|".join(sorted((word[::-1] for word in _METRIC_TAIL_WORDS), key=len, reverse=True)) + ")+"
)
_TRAILING_ABOUT = re.compile(r"^\s*(?:左右|上下)")


@dataclass(frozen=True)
class Figure:
    start: int  # span of the number (and unit) in the text
    end: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    qualifier: str
    year: int | None
    metric: str


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def _unit(raw: str) -> str:
    return "%" if raw == "％" else raw


def _is_not_a_figure(text: str, start: int, end: int, unit: str) -> bool:
    """Years, dates, versions and names that look like figures (2020年, 2018.6, 5G, 2C)."""
    before = text[max(0, start - 1) : start]
    after = text[end : end + 1]
    if before and (before.isascii() and before.isalpha()):
        return True  # X-Kernel2, Q3, CNCF-1 …
    if before == "第" or (unit == "个" and _LABEL_AFTER.match(text[end:])):
        return True  # 第2个十年, 3个阶段
    return bool(
        unit in {"个", "次", "人", "台", "家", "项", "款", "座", "套"} and after in {"月", "季", "年", "周"}
    )


def _qualifier(text: str, start: int, match: re.Match[str]) -> str:
    if match.group("v2"):
        return "range"
    if match.groupdict().get("more"):
        return ">"
    window = text[max(0, start - 6) : start]
    for cue, qualifier in _QUALIFIERS:
        if window.endswith(cue) or window.endswith(cue + "为") or window.endswith(cue + "达"):
            return qualifier
    if _TRAILING_ABOUT.match(text[match.end() :]):
        return "≈"
    return "="


def _year(text: str, start: int, end: int, *, survey: bool = False) -> int | None:
    """The year the figure is stated for: the nearest year before it in the same sentence part;
    none for a figure about the relative future (未来5年); a survey's own year for a sample size."""
    if survey:
        after = _YEAR_RE.search(text, end)
        return int(after.group(1)) if after else None
    clause_start = max(text.rfind(c, 0, start) for c in "，,；;。")
    if _RELATIVE_FUTURE.search(text, clause_start + 1, start) and not _YEAR_RE.search(
        text, clause_start + 1, start
    ):
        return None
    left = max(text.rfind(c, 0, start) for c in "。；;！？\n")
    segment = text[left + 1 : start]
    years = [y for y in _YEAR_RE.finditer(segment) if not _COMPARISON_BASE.search(segment, 0, y.start())]
    if years:
        last = years[-1]
        return int(last.group(2) or last.group(1))
    right_end = min((i for i in (text.find(c, end) for c in "，,。；;") if i != -1), default=len(text))
    after = _YEAR_RE.search(text, end, right_end)
    return int(after.group(2) or after.group(1)) if after else None


def _metric(text: str, start: int, end: int) -> str:
    """What the figure measures: its clause before the number, else the words after it."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, start):
        left = m.end()
    metric = _trim_metric(text[left:start])
    if len(metric) < 4:
        stop = _CLAUSE_BREAK.search(text, end)
        metric = _trim_metric(text[end : stop.start() if stop else len(text)].lstrip("的"))
    return metric


def _strip_tail(metric: str) -> str:
    """``metric`` without the run of :data:`_METRIC_TAIL_WORDS` it ends with (linear time)."""
    run = _METRIC_TAIL_REVERSED.match(metric[::-1])
    return metric[: len(metric) - run.end()] if run else metric


def _trim_metric(metric: str) -> str:
    for _ in range(3):
        metric = _METRIC_TRIM.sub("", metric)
        metric = _strip_tail(metric).strip()
    for cue, _q in _QUALIFIERS:
        if metric.endswith(cue):
            metric = metric[: -len(cue)]
    return metric.strip("*（）() ")[:60]


def find_figures(text: str, after: str = "") -> list[Figure]:
    """Figures in ``text`` (a sentence); ``after`` is the rest of its line (a survey's date may be there)."""
    figures: list[Figure] = []
    for m in FIGURE_RE.finditer(text):
        if m.group("n"):
            value = _decimal(m.group("n"))
            if value is not None:
                year = _year(text + after, m.start(), m.end(), survey=True)
                figures.append(Figure(m.start(), m.end(), value, None, "N", "=", year, "样本数"))
            continue
        if m.group("tenth"):
            raw = m.group("tenth")
            value = Decimal(raw) if raw.isdigit() else Decimal(_CN_VALUE[raw])
            figures.append(
                Figure(
                    m.start(),
                    m.end(),
                    value,
                    None,
                    "成",
                    _qualifier(text, m.start(), m),
                    _year(text, m.start(), m.end()),
                    _metric(text, m.start(), m.end()),
                )
            )
            continue
        if m.group("v2"):
            v1, v2 = _decimal(m.group("v1")), _decimal(m.group("v2"))
            unit = _unit(m.group("u2"))
            if m.group("u1") and _unit(m.group("u1")) != unit:
                continue
        else:
            v1, v2 = _decimal(m.group("v")), None
            unit = _unit(m.group("u"))
        if v1 is None or _is_not_a_figure(text, m.start(), m.end(), unit):
            continue
        if v2 is not None and v2 <= v1:
            continue  # 2014-2016 style spans and dates are not ranges of a figure
        figures.append(
            Figure(
                m.start(),
                m.end(),
                v1,
                v2,
                unit,
                _qualifier(text, m.start(), m),
                _year(text, m.start(), m.end()),
                _metric(text, m.start(), m.end()),
            )
        )
    return figures
