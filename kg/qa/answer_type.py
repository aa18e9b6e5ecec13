"""The type of answer a question expects, and the spans of a sentence that can be such an answer.

Types are answer shapes, not topics: a quantity (a number with its unit, a percentage, an amount of money,
a count), a time (a year, a date, a duration), a name (an organisation, a product or project), a list, a
definition, a reason, a method, a comparison. A sentence that holds a span of the wanted shape is a better
candidate, and the short answer is cut around that span.

>>> expected_type("阿迪达斯的云原生平台有多少个Pod？")
'quantity'
>>> expected_type("KubeEdge哪一年被接受为CNCF Sandbox项目？")
'time'
>>> has_span("quantity", "拥有 4,000 个 Pod、200 个节点")
True
>>> has_span("time", "拥有 4,000 个 Pod")
False
"""

from __future__ import annotations

import re

__all__ = ["ANSWER_TYPES", "expected_type", "has_span", "span_positions"]

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
            r"哪一?年|何时|什么时候|哪个月|多长时间|多久|\bwhen\b|\bwhat\s+year|\bhow\s+long\b|since\s+when",
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
    ("reason", re.compile(r"为什么|为何|原因|出于什么|\bwhy\b|\breasons?\b", re.I)),
    ("list", re.compile(r"哪些|哪几|有哪|列举|\bwhich\s+\w+s\b|\bwhat\s+\w+s\b|\blist\b", re.I)),
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
