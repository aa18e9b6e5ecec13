"""Numeric market facts: every figure with a unit, its qualifier, range, year and metric.

>>> figures = find_figures("预计2020年末市场规模将达到15.2亿元，到2025年将超过60亿元")
>>> [(str(f.value), f.unit, f.qualifier, f.year) for f in figures]
[('15.2', '亿元', '=', 2020), ('60', '亿元', '>', 2025)]
>>> [(str(f.value), f.unit) for f in find_figures("共计的TPS为800条/秒")]
[('800', '条/秒')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from ingest.timeframe import YEAR_RE, chinese_number, year_of

__all__ = [
    "CN_COUNT_MIN",
    "COUNTED_NOUNS",
    "LIST_WINDOW",
    "UNIT_RE",
    "Figure",
    "FigureKey",
    "figure_key",
    "find_figures",
]

_NUM = r"\d+(?:[.,]\d+)*"
_CN_DIGITS = "一二两三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}
_CN_NUM = r"[零一二两三四五六七八九十百千]{1,6}"
_MAGNITUDE = r"(?:万亿|亿|万)"
# 1.1K张, 10k/s: a thousand written as k, only before a measure word or a rate (4K alone is a resolution)
_KILO = r"[kK]"
_CURRENCY = r"(?:美元|元人民币|元|港元|欧元)"
# Measure words a count is written with (100万家, 5,000 个 Pod, 25.6 万笔, 1500 名开发人员, 700 轮次).
_COUNT = r"(?:个百分点|家|台|个|次|人|名|位|份|笔|条|张|轮次|项|款|座|套|倍|类)"
# Durations given as outcomes (部署时间缩短到5-10分钟, 中断时间缩减到10s内) and technical units.
_DURATION = r"(?:分钟|毫秒|秒|小时)"
# A rate: a count or a size per unit of time or per thing (800条/秒, 3亿条/天, 0.4MB/rule, 32 req/s).
_RATE = r"/(?:秒|分钟|小时|天|日|月|年|[A-Za-z]{1,12}(?![A-Za-z]))"
_PER = rf"(?:{_RATE})?"
# Latin units by their shape: sizes (KB … PB, KiB … TiB), bandwidths (Mbps), times (ns … ms, s),
# throughputs (QPS, TPS, RPS) and any Latin word per unit of time (req/s, tokens/s, ops/s).
_SIZE = r"(?:[KMGTP]i?B)"
_TECHNICAL = (
    rf"(?:%|％|{_SIZE}{_PER}|(?:pp|[KMG]bps|[QTR]PS|ns|μs|us|ms|s)(?![A-Za-z])"
    r"|[A-Za-z]{1,10}/(?:s|ms|min|h)(?![A-Za-z]))"
)
# 6 万多项 (more than 60,000): the 多/余 of an approximate count may stand between magnitude and measure word
_COUNTED_UNIT = rf"(?:{_MAGNITUDE}(?:多|余)?{_COUNT}?|{_KILO}(?:{_COUNT}|(?={_RATE}))|{_COUNT}){_PER}"
_UNIT = rf"(?:千元|{_MAGNITUDE}?{_CURRENCY}|{_COUNTED_UNIT}|{_DURATION}|{_TECHNICAL})"
_APPROXIMATE_IN_UNIT = re.compile(r"多|余")
UNIT_RE = re.compile(_UNIT)  # a unit as the figures of running text write it (used for table headers too)
# Between a number and its unit: a blank at most, never a tab (table cells: "4\t台湾" is two cells).
_GAP = r"[ \u00a0]?"
# What a count written as N+ counts, when no measure word follows: 60+企业, 600+全球开发者, 800+ Fork.
# A Latin noun counts by its shape (800+ Fork, 3.5k+ Star, 60+SQL函数: a Latin word, with at most two Chinese
# characters of the same word after it), the Chinese ones from this list (no word boundaries without a
# segmenter: 60+企业进行了 must stop at 企业).
COUNTED_NOUNS = ("企业", "公司", "开发者", "贡献者", "用户", "客户", "组织", "国家")
_LATIN_NOUN = r"[A-Za-z][A-Za-z0-9-]*(?![A-Za-z0-9])(?:(?![的和与及在中上等是了并个])[\u4e00-\u9fff]){0,2}"
_COUNTED = "|".join((*COUNTED_NOUNS, _LATIN_NOUN))
_RANGE_SEP = r"\s*(?:~|～|-|－|—|至|到)\s*"
FIGURE_RE = re.compile(
    rf"(?P<v1>{_NUM}){_GAP}(?P<u1>{_UNIT})?(?:{_RANGE_SEP}(?P<v2>{_NUM}){_GAP}(?P<u2>{_UNIT}))"
    rf"|(?P<pv>{_NUM})(?P<pmag>[kKwWP]|万|亿)?\+{_GAP}(?:(?P<prate>{_RATE})|(?:全球|国内|海外)?"
    rf"(?P<pnoun>{_COUNTED})|(?P<pmw>{_COUNT}))?"
    rf"|(?P<v>{_NUM}){_GAP}(?P<more>多|余)?{_GAP}(?P<u>{_UNIT})"
    rf"|(?<![A-Za-z])(?:[Nn]\s*[=＝]|样本量\s*[：:])\s*(?P<n>\d+)(?![\dA-Za-z])"
    rf"|(?P<tenth>\d|[{_CN_DIGITS}])成(?![本员功为立熟长果效型就])"
    rf"|百分之(?P<pct>{_CN_NUM}|\d+(?:\.\d+)?)"
    rf"|(?P<cn>{_CN_NUM})(?P<cmore>多|余)?(?P<cu>千元|{_MAGNITUDE}?{_CURRENCY}|倍|名|家|{_MAGNITUDE}(?:多|余)?{_COUNT}?|个人)"
)
# Chinese numerals stand for a figure only from this value on with a count unit (五名工程师, 十倍); a money
# amount counts from one (一万元).
CN_COUNT_MIN = 2
# 千万 (by all means), 百万美元 as a unit label, 百倍 (a figure of speech): not figures
_ADVERB_NUMERALS = frozenset({"千", "百"})
_VAGUE_BEFORE = frozenset("几数")  # before a Chinese numeral: 几十万, 数百 (several …)
_RANK_BEFORE = ("第", "前", "后", "排名", "名列")  # 第6名, 前两位, 排名 10 名以后: ranks, not counts
# …but these adverbs end in 后 without making a rank (团队先后2人成为了 member: two people, one after another)
_ADVERBS_ENDING_IN_RANK = ("先后", "随后", "之后", "此后", "然后", "而后")
_COUNT_UNITS = frozenset(
    ("个", "次", "人", "名", "位", "份", "笔", "条", "张", "台", "家", "项", "款", "座", "套", "类")
)
_DECADE = re.compile(r"(?:19|20)\d0s")
# how far before a figure's 以上 its lower bound may start (一千万元以上)
_LOWER_BOUND_REACH = 12
_BOUNDS = re.compile(r"\s*(?P<w>以上|以下)")  # 10万元以上100万元以下: a range in regulations
_LIST_BEFORE = re.compile(r"(\d+(?:\.\d+)?)\s?、\s?")  # 49、46 次: the first value shares the unit
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
    year_stated: bool | None = None  # True: the year is written; False: resolved from 目前, 今年 …


FigureKey = tuple[Decimal, Decimal | None, str, int | None]


def figure_key(value: Decimal, value_max: Decimal | None, unit: str, year: int | None) -> FigureKey:
    """What makes two statements of a figure the same fact: value, range end, unit and year."""
    return (value, value_max, unit, year)


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def normal_unit(raw: str) -> str:
    """A unit as facts store it: the full-width percent sign as ``%``, 多/余 (more than) left out.

    >>> normal_unit("％"), normal_unit("多个"), normal_unit("亿元")
    ('%', '个', '亿元')
    """
    return "%" if raw == "％" else _APPROXIMATE_IN_UNIT.sub("", raw)


def _is_not_a_figure(text: str, start: int, end: int, unit: str) -> bool:
    """Years, dates, versions and names that look like figures (2020年, 2018.6, 5G, 2C)."""
    before = text[max(0, start - 1) : start]
    after = text[end : end + 1]
    if before and (before.isascii() and before.isalpha()):
        return True  # X-Kernel2, Q3, CNCF-1 …
    if unit == "s" and _DECADE.match(text, start, end):
        return True  # 1970s
    written_before = text[:start].rstrip()
    rank = written_before.endswith(_RANK_BEFORE) and not written_before.endswith(_ADVERBS_ENDING_IN_RANK)
    if rank or (unit == "个" and _LABEL_AFTER.match(text[end:])):
        return True  # 第2个十年, 3个阶段
    return bool(unit in _COUNT_UNITS and after in {"月", "季", "年", "周", "日", "天"})


def _qualifier(text: str, start: int, match: re.Match[str]) -> str:
    if match.group("v2"):
        return "range"
    unit = match.group("u") or match.group("cu") or ""
    if match.group("more") or match.group("cmore") or _APPROXIMATE_IN_UNIT.search(unit):
        return ">"
    window = text[max(0, start - 6) : start].rstrip()  # 约 2.73 倍: a blank may stand after the cue
    for cue, qualifier in _QUALIFIERS:
        if window.endswith(cue) or window.endswith(cue + "为") or window.endswith(cue + "达"):
            return qualifier
    if match.group("pv"):
        return ">"
    if _TRAILING_ABOUT.match(text[match.end() :]):
        return "≈"
    bound = _BOUNDS.match(text, match.end())
    if bound:
        return ">=" if bound.group("w") == "以上" else "<="
    return "="


def _year(
    text: str, start: int, end: int, reference_year: int | None, unit: str = ""
) -> tuple[int | None, bool | None]:
    found = year_of(text, start, end, reference_year=reference_year, ratio=unit == "倍")
    return (found.year, found.stated) if found else (None, None)


def _survey_year(text: str, end: int) -> int | None:
    """A survey's own year for its sample size: the first year written after it."""
    after = YEAR_RE.search(text, end)
    return int(after.group(1)) if after else None


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


def _value_unit(match: re.Match[str]) -> tuple[Decimal | None, Decimal | None, str] | None:
    """(value, value_max, unit) of a figure match, None when it is not a figure after all."""
    if match.group("tenth"):
        raw = match.group("tenth")
        return (Decimal(raw) if raw.isdigit() else Decimal(_CN_VALUE[raw])), None, "成"
    if match.group("pct"):
        raw = match.group("pct")
        percent = _decimal(raw) if raw[:1].isdigit() else _cn_decimal(raw)
        return (percent, None, "%") if percent is not None else None
    if match.group("cn"):
        raw, unit = match.group("cn"), match.group("cu")
        count = chinese_number(raw)
        money = re.search(_CURRENCY, unit) is not None
        if count is None or (count < CN_COUNT_MIN and not money) or raw in _ADVERB_NUMERALS:
            return None
        if match.string[max(0, match.start() - 1) : match.start()] in _VAGUE_BEFORE:
            return None  # 几十万篇, 数十个: "several tens of thousands", no figure
        return Decimal(count), None, "人" if unit == "个人" else normal_unit(unit)  # 五个人: five people
    if match.group("pv"):
        magnitude, noun, measure = match.group("pmag"), match.group("pnoun"), match.group("pmw")
        rate = match.group("prate") or ""
        unit = (magnitude or "") + (measure or "") + rate if magnitude else noun or measure or "个"
        return _decimal(match.group("pv")), None, unit
    if match.group("v2"):
        unit = normal_unit(match.group("u2"))
        if match.group("u1") and normal_unit(match.group("u1")) != unit:
            return None
        low, high = _decimal(match.group("v1")), _decimal(match.group("v2"))
        if match.group("u1") and low is not None and high is not None and high < low:
            low, high = high, low  # Memory:89%~72%: a unit on both ends makes it a range, not a date span
        return low, high, unit
    return _decimal(match.group("v")), None, normal_unit(match.group("u"))


def _cn_decimal(raw: str) -> Decimal | None:
    number = chinese_number(raw)
    return Decimal(number) if number is not None else None


def _bounded_ranges(text: str, figures: list[Figure]) -> list[Figure]:
    """10万元以上100万元以下 (and 一倍以上十倍以下): the two bounds are one range figure."""
    merged: list[Figure] = []
    for figure in figures:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.value_max is None
            and figure.value_max is None
            and previous.unit == figure.unit
            and previous.value < figure.value
            and text[previous.end : figure.start].strip() == "以上"
            and text[figure.end : figure.end + 2] == "以下"
        ):
            merged[-1] = replace(previous, end=figure.end, value_max=figure.value, qualifier="range")
            continue
        lower = _unlisted_lower_bound(text, figure)
        if lower is not None:
            merged.append(
                replace(figure, start=lower[0], value=lower[1], value_max=figure.value, qualifier="range")
            )
            continue
        merged.append(figure)
    return merged


def _unlisted_lower_bound(text: str, figure: Figure) -> tuple[int, Decimal] | None:
    """一倍以上十倍以下: a lower bound too small to be a figure of its own (一倍) still opens the range.
    Returns where the range starts and the lower bound."""
    if figure.value_max is not None or text[figure.end : figure.end + 2] != "以下":
        return None
    window_start = max(0, figure.start - _LOWER_BOUND_REACH)
    before = re.search(
        r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)\s*" + re.escape(figure.unit) + r"\s*以上\s*$",
        text[window_start : figure.start],
    )
    if before is None:
        return None
    raw = before.group(1)
    value = _decimal(raw) if raw[0].isdigit() else _cn_decimal(raw)
    if value is None or value >= figure.value:
        return None
    return window_start + before.start(), value


def _listed_values(text: str, figure: Figure) -> list[Figure]:
    """分别有 49、46 次: the values listed right before a figure share its unit."""
    listed: list[Figure] = []
    end = figure.start
    while True:
        window_start = max(0, end - LIST_WINDOW)
        match = None
        for m in _LIST_BEFORE.finditer(text, window_start, end):
            if m.end() == end:
                match = m
        if match is None or (match.start() > 0 and text[match.start() - 1].isdigit()):
            return listed
        value = _decimal(match.group(1))
        if value is None:
            return listed
        listed.insert(0, replace(figure, start=match.start(1), end=match.end(1), value=value, value_max=None))
        end = match.start()


LIST_WINDOW = 16  # how far before a figure its listed values (49、46 次) are looked for


# 比如有10个资源, 假设你一个人可以运维 10 个节点: a number in an example the text makes up (illustrative
# numbers are not facts, docs/annotation.md). The cue counts in the figure's own clause only. 例如 is left
# out: on dev it introduces real cases (高收入人群例如 5 万以上从 2015 年的 1.5% 增长到 5.1%, gold facts).
_ILLUSTRATIVE = re.compile(r"比如|譬如|假设|假如")
# 超过10分钟，则终止Job: a clause opened by 则/那么 makes the figure before it a rule's condition
_THEN = re.compile(r"\s*(?:则|那么)")
_CLAUSE_START = "，,；;：:"
# 2core*4GB, CPU：18C，Memory：72GB: a memory or disk size beside a core count is a hardware specification,
# not a fact (docs/annotation.md); a size per thing (0.4MB/rule) is a measurement and stays.
_CORE_COUNT = re.compile(r"\d+\s*(?:[Cc](?:ore)?s?|核|vCPU)(?![A-Za-z])")
_BARE_SIZE = re.compile(_SIZE)


def _is_threshold(text: str, end: int) -> bool:
    """The figure ends the condition of a rule: 若Pod失败后重启，10分钟内仍未恢复，则重启整个Job."""
    stop = _CLAUSE_BREAK.search(text, end)
    return stop is not None and _THEN.match(text, stop.end()) is not None


def _not_recorded(
    text: str, span: tuple[int, int], value: Decimal, value_max: Decimal | None, unit: str
) -> bool:
    """Numbers with a unit that are not facts: a count of one thing (每个User分配1个队列, like 一个, which
    CN_COUNT_MIN leaves out), a number in a made-up example, a rule's threshold (a configuration value), a
    hardware specification."""
    start, end = span
    if unit in _COUNT_UNITS and value == 1 and value_max is None:
        return True
    if _is_threshold(text, end):
        return True
    clause = max(text.rfind(c, 0, start) for c in _CLAUSE_START) + 1
    if _ILLUSTRATIVE.search(text, clause, start):
        return True
    return _BARE_SIZE.fullmatch(unit) is not None and _CORE_COUNT.search(text) is not None


def find_figures(text: str, after: str = "", *, reference_year: int | None = None) -> list[Figure]:
    """Figures in ``text`` (a sentence); ``after`` is the rest of its line (a survey's date may be there);
    ``reference_year`` (the report's date) resolves relative expressions such as 目前 and 今年."""
    figures: list[Figure] = []
    for m in FIGURE_RE.finditer(text):
        if m.group("n"):
            value = _decimal(m.group("n"))
            if value is not None:
                year = _survey_year(text + after, m.end())
                stated = True if year is not None else None
                figures.append(Figure(m.start(), m.end(), value, None, "N", "=", year, "样本数", stated))
            continue
        parsed = _value_unit(m)
        if parsed is None:
            continue
        v1, v2, unit = parsed
        if v1 is None or _is_not_a_figure(text, m.start(), m.end(), unit):
            continue
        if v2 is not None and v2 <= v1:
            continue  # 2014-2016 style spans and dates are not ranges of a figure
        if _not_recorded(text, (m.start(), m.end()), v1, v2, unit):
            continue
        year, stated = _year(text, m.start(), m.end(), reference_year, unit)
        figure = Figure(
            m.start(),
            m.end(),
            v1,
            v2,
            unit,
            _qualifier(text, m.start(), m),
            year,
            _metric(text, m.start(), m.end()),
            stated,
        )
        figures.extend(_listed_values(text, figure))
        figures.append(figure)
    return _once_per_sentence(_bounded_ranges(text, figures))


def _once_per_sentence(figures: list[Figure]) -> list[Figure]:
    """A sentence that gives the same figure twice (五名工程师与来自电商团队的五名工程师合作;
    提升了十倍，这意味着产出可以增加十倍) states one fact: the first stays. Chosen on dev, where the gold
    counts such a figure once (5 repeats in dev sentences, none of them two gold facts); a different year
    makes it another fact."""
    seen: set[FigureKey] = set()
    kept: list[Figure] = []
    for figure in figures:
        key = figure_key(figure.value, figure.value_max, figure.unit, figure.year)
        if key not in seen:
            kept.append(figure)
        seen.add(key)
    return kept
