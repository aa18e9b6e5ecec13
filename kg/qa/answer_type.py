"""The type of answer a question expects, and the spans of a sentence that can be such an answer.

Types are answer shapes, not topics: a quantity (a number with its unit, a percentage, an amount of money,
a count), a time (a year, a date, a duration), a name (an organisation, a product or project), a list, a
definition, a reason, a method, a comparison. A sentence that holds a span of the wanted shape is a better
candidate, and the short answer is cut around that span.

>>> expected_type("阿迪达斯的云原生平台有多少个Pod？")
'quantity'
>>> expected_type("KubeEdge哪一年被接受为CNCF Sandbox项目？")
'time'
>>> expected_type("条例是哪一天由市人大常委会通过的？")
'time'
>>> has_span("quantity", "拥有 4,000 个 Pod、200 个节点")
True
>>> has_span("time", "拥有 4,000 个 Pod")
False
"""

from __future__ import annotations

import re

from kg.qa.bilingual import chinese_for, english_words
from kg.tokenize import has_chinese

__all__ = [
    "ANSWER_TYPES",
    "asked_figure",
    "asked_unit",
    "expected_type",
    "has_core_shape",
    "has_span",
    "holds_asked_unit",
    "span_positions",
    "states_change",
    "value_count",
]

ANSWER_TYPES = (
    "quantity",
    "time",
    "name",
    "list",
    "definition",
    "reason",
    "method",
    "comparison",
    "other",
)

# What the question asks, by the shape of the answer. Order matters: the first pattern that matches wins.
_QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "time",
        re.compile(
            r"哪一?年|哪一?天|哪个月|哪个日期|什么日期|何时|什么时候|多长时间|多久|^\W*when\b|\bwhen\s+(?:did|was|were|is|are|does|do|will|has|have|had)\b"
            r"|\b(?:what|which)\s+(?:year|month|date|day)\b|\bhow\s+long\b|since\s+when",
            re.I,
        ),
    ),
    (
        "comparison",
        re.compile(
            r"有何不同|有什么不同|区别|差异|相比|对比|前后|有何变化|\bversus\b|\bcompare|\bdiffer|before\s+(and|versus)\s+after",
            re.I,
        ),
    ),
    (
        "quantity",
        re.compile(
            r"多少|几[个家台人次倍成年]|多大|多高|比例|占比|百分|\bhow\s+(many|much|large|big|fast)\b|\bpercent|\bshare\b|\brate\b",
            re.I,
        ),
    ),
    # "how does X define Y", "what does Y mean", "如何定义": a definition, not a method or a name
    ("definition", re.compile(r"\bdefine[sd]?\b|\bmean\b|如何定义|怎样定义|怎么定义", re.I)),
    ("reason", re.compile(r"为什么|为何|原因|出于什么|\bwhy\b|\breasons?\b", re.I)),
    (
        "list",
        re.compile(r"哪些|哪几|有哪|列举|\b(?:which|what)\s+(?!(?:is|was|does|has)\b)\w+s\b|\blist\b", re.I),
    ),
    ("method", re.compile(r"如何|怎样|怎么|通过什么|用什么方法|\bhow\b", re.I)),
    (
        "definition",
        re.compile(
            r"什么是|是什么|指什么|什么意思|含义|定义|^\s*what\s+(is|are)\b|\bdefine\b|\bmeaning\b", re.I
        ),
    ),
    (
        "name",
        re.compile(
            r"哪家|哪个|哪种|哪款|哪位|谁|什么(公司|产品|项目|工具|技术|平台|方式|模式|组织)|\bwhich\b|\bwho\b|\bwhat\b",
            re.I,
        ),
    ),
)

_NUMBER = r"(?:\d[\d,，.]*|[一二两三四五六七八九十百千万亿几半]+)"
_SPANS: dict[str, re.Pattern[str]] = {
    "quantity": re.compile(
        r"(?:约|近|将近|超过|逾|多达|高达|达到?)?\s*\d[\d,.]*\s*(?:[-~～到至]\s*\d[\d,.]*)?\s*"
        r"(?:%|％|[万亿千百]|多|余|倍|[个台家次名位人款项张条行秒分天周月年]|个?百分点|美元|元|GB|TB|ms|s\b)"
        r"|[一二两三四五六七八九十百千万亿几半]+\s*(?:多)?\s*[个台家次名位人倍成]"
    ),
    "time": re.compile(
        r"(?:19|20)\d\d\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|(?:19|20)\d\d(?!\d)"
        r"|" + _NUMBER + r"\s*(?:个)?\s*(?:月|天|周|星期|小时|分钟|年)(?:后|内|之内)?"
        r"|[年月]初|[年月]末|[年月]底|上半年|下半年"
    ),
    "definition": re.compile(
        r"是一种|是一个|是指|指的是|所谓|即|是.{0,30}(?:平台|系统|项目|框架|技术|方法|模式|架构|工具|产品)"
    ),
    "reason": re.compile(r"因为|由于|为了|原因|所以|因此|以便|从而|需要|满足|解决|挑战"),
    "method": re.compile(r"通过|采用|借助|利用|使用|基于|方式|方法|实现"),
    "comparison": re.compile(
        r"从.{1,30}(?:变为|缩短到|减少到|降低到|提升到|提高到|增加到|到)|相比|相较|之前|之后|原有|以前|而|前后"
    ),
    "list": re.compile(r"[、]|以及|和|及|包括"),
    "name": re.compile(
        r"[A-Za-z][A-Za-z0-9.+-]{1,}|[\u4e00-\u9fff]{2,8}(?:公司|集团|科技|云|实验室|基金会|社区|团队)"
    ),
}


# The core of a reason or a method: the words that state the cause itself (因为…, 由于…, 为了…, 原因是…)
# or the means itself (通过…, 采用…, 借助…, 利用…). The wider `_SPANS` shapes (需要, 解决, 使用, 实现 …)
# also hold in sentences that merely restate the question.
_CORE_SHAPES: dict[str, re.Pattern[str]] = {
    "reason": re.compile(r"因为|由于|为了|原因|之所以|是为了"),
    "method": re.compile(r"通过|采用|借助|利用"),
}


def has_core_shape(answer_type: str, text: str) -> bool:
    """``text`` states a cause (for a reason question) or a means (for a method question) outright.

    >>> has_core_shape("reason", "“主要原因是 Kubernetes 有一个成熟的社区，”张承宇说。")
    True
    >>> has_core_shape("reason", "团队认为 Kubernetes 是新一代云平台的自然选择。")
    False
    """
    pattern = _CORE_SHAPES.get(answer_type)
    return bool(pattern and pattern.search(text))


def expected_type(question: str) -> str:
    """The answer shape a question (or one part of it) asks for."""
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "other"


def has_span(answer_type: str, text: str) -> bool:
    """``text`` holds a span of the wanted shape."""
    pattern = _SPANS.get(answer_type)
    return bool(pattern and pattern.search(text))


def span_positions(answer_type: str, text: str) -> list[tuple[int, int]]:
    """Where in ``text`` spans of the wanted shape are."""
    pattern = _SPANS.get(answer_type)
    return [m.span() for m in pattern.finditer(text)] if pattern else []


# The unit a "多少/几 …" question asks its figure in: a classifier and the noun it counts
# (多少个节点 → 个节, 几名成员 → 名成), a currency or magnitude (亿元, 美元), a percentage
# (百分比, 比例 → %), a Latin unit (Star).
_ASKED_UNIT = re.compile(
    r"(?:多少|几)\s*(个|张|家|次|名|位|台|条|款|项|倍|年|天|周|月)?\s*"
    r"(亿元|万元|美元|元|亿|万|百分点|百分比|比例|[A-Za-z]+|[\u4e00-\u9fff]{1,2})?"
)
_MONEY_OR_MAGNITUDE = ("亿元", "万元", "美元", "元", "亿", "万", "百分点")


# What an English question asks its figure in: a share (→ %), or the noun counted after "how many", up to
# the first word that ends the noun phrase (How many GPU cards in total → GPU, cards)
_ENGLISH_SHARE = re.compile(r"\b(?:percent|percentage|share|proportion|fraction)\b", re.I)
_ENGLISH_POINTS = re.compile(r"\bpercentage\s+points?\b", re.I)
_ENGLISH_COUNTED = re.compile(r"\bhow\s+many\s+((?:[A-Za-z][\w-]*\s*){1,3})", re.I)
_ENGLISH_PHRASE_END_WORDS = (
    "do does did is are was were has have had can could will would per in on of for to at by from with "
    "and or that which the a an total"
)
_ENGLISH_PHRASE_END = frozenset(_ENGLISH_PHRASE_END_WORDS.split())
_PERCENT = r"(?:%|％|百分)"


def _english_unit(question: str) -> str | None:
    """The unit pattern of an English question: % for a share, else the Chinese words CC-CEDICT gives
    for the counted noun (or the noun itself, when it is a name such as GPU), after an optional
    classifier (800多名贡献者 for "how many contributors").

    >>> _english_unit("What share of events are Review Comment events?")
    '(?:%|％|百分)'
    >>> "贡献者" in _english_unit("How many contributors has Volcano attracted?")
    True
    """
    if _ENGLISH_POINTS.search(question):
        return "百分点"
    if _ENGLISH_SHARE.search(question):
        return _PERCENT
    match = _ENGLISH_COUNTED.search(question)
    if match is None:
        return None
    noun: list[str] = []
    for word in match.group(1).split():
        if word.casefold() in _ENGLISH_PHRASE_END:
            break
        noun.append(word)
    names = [w for w in noun if w.isupper() and len(w) > 1]  # GPU, CPU: written as they are in Chinese
    words = sorted(chinese_for(english_words(" ".join(noun))) | set(names), key=lambda w: (-len(w), w))
    if not words:
        return None
    return "(?:[个名位家台张条次项款种]\\s*)?(?:" + "|".join(re.escape(w) for w in words) + ")"


def asked_unit(question: str) -> str | None:
    """A pattern for the unit a "how many / how much" question asks its figure in, if it names one (an
    English question: :func:`_english_unit`).

    >>> holds_asked_unit("集群一共有多少张GPU卡？", ["管理着 3000 张 GPU 卡"])
    True
    >>> asked_unit("项目总投资是多少亿元？")
    '亿元'
    >>> asked_unit("KubeEdge是什么？") is None
    True
    """
    if not has_chinese(question):
        return _english_unit(question)
    match = _ASKED_UNIT.search(question)
    if match is None:
        return None
    classifier, noun = match.group(1), match.group(2)
    if noun in ("百分比", "比例"):
        return _PERCENT
    if classifier and noun:
        latin = re.match(r"[A-Za-z]", noun) is not None
        # a counted noun is often written without its classifier (60+企业 for 多少家企业, 60+SQL函数)
        return f"(?:{re.escape(classifier)}\\s*)?{re.escape(noun if latin else noun[0])}"
    if classifier:
        return re.escape(classifier)
    if noun in _MONEY_OR_MAGNITUDE or (noun and re.match(r"[A-Za-z]", noun)):
        return re.escape(noun)
    return None


def holds_asked_unit(question: str, sentences: list[str]) -> bool | None:
    """Whether one of ``sentences`` states a figure in the unit ``question`` asks for (None: it names none).

    >>> holds_asked_unit("平台有多少个节点？", ["拥有 4,000 个 Pod、200 个节点"])
    True
    >>> holds_asked_unit("每年节省了多少亿元？", ["降低了 IT 基础设施成本"])
    False
    """
    figure = asked_figure(question)
    if figure is None:
        return None
    return any(figure.search(s) for s in sentences)


def asked_figure(question: str) -> re.Pattern[str] | None:
    """A pattern for a figure in the unit a "how many / how much" question asks (None: it names none).

    >>> bool(asked_figure("平台有多少个节点？").search("拥有 200 个节点"))
    True
    >>> bool(asked_figure("吸引了多少名贡献者？").search("1600 多名贡献者"))
    True
    >>> bool(asked_figure("已在多少家企业落地？").search("已在60+企业进行了生产落地"))
    True
    >>> bool(asked_figure("获得了多少Star？").search("并获得3.5k+ Star 和800+ Fork"))
    True
    >>> bool(asked_figure("Kuiper支持多少个SQL函数？").search("60+SQL函数"))
    True
    """
    unit = asked_unit(question)
    figure = r"\d[\d,.]*\s*[kKwW]?\s*[+＋]?\s*[万亿千百]?\s*[多余]?\s*"  # 3.5k+ Star, 12w+, 1600 多名
    return None if unit is None else re.compile(figure + unit, re.I)


# A change stated in one sentence: from one value to another (从每 4 到 6 周一次变为每天 3 到 4 次,
# 由几个小时缩短到 5-10 分钟, 从 24% 增长到 40%), or a value set against another (相比…, …提升了…倍).
_CHANGE = re.compile(
    r"[从由].{1,40}?(?:变为|变成|缩短|减少|降低|降|提升|提高|增加|增长|增|升|扩大|到|至)"
    r"|(?:相比|相较|比起|对比).{1,40}?\d"
)


def value_count(text: str) -> int:
    """How many figures (a number with its unit) and times ``text`` states.

    >>> value_count("平均 CPU 利用率从 4% 提高到 40%。")
    2
    """
    spans = sorted(span_positions("quantity", text) + span_positions("time", text))
    count, end = 0, -1
    for s, e in spans:
        if s >= end:
            count += 1
        end = max(end, e)
    return count


def states_change(text: str) -> bool:
    """``text`` sets one value against another: a change from … to …, or a comparison with a figure.

    >>> states_change("部署时间从几个小时缩短到 5-10 分钟。")
    True
    >>> states_change("阿迪达斯拥有 4,000 个 Pod。")
    False
    """
    return bool(_CHANGE.search(text)) and value_count(text) >= 1
