"""The short answer cut from a chosen sentence: the clause that holds the answer's shape, or the members
of an enumeration for a list.

>>> short_clause("quantity", {"pod"}, "阿迪达斯现在拥有 4,000 个 Pod、200 个节点和每月 80,000 次构建。")
'阿迪达斯现在拥有 4,000 个 Pod、200 个节点和每月 80,000 次构建'
>>> enumeration("当前已广泛应用于CDN、智能交通、智慧能源、金融等各领域。")
['CDN', '智能交通', '智慧能源', '金融']
"""

from __future__ import annotations

import re
from collections.abc import Set

from kg.qa.answer_type import has_span
from kg.qa.evaluation import fold_text

__all__ = ["MIN_CLAUSE_CHARS", "enumeration", "short_clause"]

MIN_CLAUSE_CHARS = 12  # a shorter clause takes its neighbour along (it rarely stands alone)
MAX_MEMBER_CHARS = 30  # a longer enumeration "item" is a clause, not a member
MIN_MEMBERS = 2

_CLAUSE_BREAK = re.compile(r"(?<=[，；;：])|(?<=[,:])(?!\d)")
_TRAILING = re.compile(r"[。！？!?；;，,：:\s]+$")
_ENUM_LEAD = re.compile(
    r"^.*?(?:包括|包含|例如|比如|诸如|如|有|涵盖|覆盖|应用于|用于|使用了?|采用了?|支持|：|:)\s*"
)
_ENUM_TAIL = re.compile(r"\s*(?:等等|等).*$")
_ENUM_SPLIT = re.compile(r"\s*(?:、|以及|及|和|与|或|/)\s*")


def _strip(text: str) -> str:
    return _TRAILING.sub("", text.replace("**", "")).strip()


def short_clause(answer_type: str, keys: Set[str], sentence: str) -> str:
    """The clause of ``sentence`` that best holds the question's keys and a span of its answer shape,
    with its neighbour when it is too short to stand alone."""
    clauses = [c for c in _CLAUSE_BREAK.split(sentence) if c.strip()]
    if len(clauses) <= 1:
        return _strip(sentence)

    def value(i: int) -> tuple[float, int]:
        folded = fold_text(clauses[i])
        return (sum(1 for k in keys if k in folded) + 3 * has_span(answer_type, clauses[i]), -i)

    best = max(range(len(clauses)), key=value)
    lo, hi = best, best + 1
    while len(_strip("".join(clauses[lo:hi]))) < MIN_CLAUSE_CHARS and (lo > 0 or hi < len(clauses)):
        if lo > 0 and (hi >= len(clauses) or value(lo - 1) >= value(hi)):
            lo -= 1
        else:
            hi += 1
    return _strip("".join(clauses[lo:hi]))


def enumeration(sentence: str) -> list[str]:
    """The members of the enumeration a sentence makes ("A、B、C和D等"), or [] when it makes none."""
    best: list[str] = []
    for clause in re.split(r"[，；;。]|,(?!\d)", sentence.replace("**", "")):
        if "、" not in clause and not re.search(r"[和及与]", clause):
            continue
        body = _ENUM_TAIL.sub("", clause)
        led = _ENUM_LEAD.sub("", body)
        if "、" in led or re.search(r"[和及与]", led):
            body = led
        items = [i.strip(" “”\"'`") for i in _ENUM_SPLIT.split(body) if i.strip(" “”\"'`")]
        if (
            len(items) >= MIN_MEMBERS
            and all(len(i) <= MAX_MEMBER_CHARS for i in items)
            and len(items) > len(best)
        ):
            best = items
    return best
