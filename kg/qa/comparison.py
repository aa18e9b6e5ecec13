"""Both sides of a comparison: "hard模式与soft模式有什么区别？" is answered by what the reports say of hard
and what they say of soft, often in two sentences. ``comparison_sides`` finds the words that tell the two
sides apart; ``with_sides`` adds, for a side none of the chosen sentences names, the best sentence that
does.

>>> comparison_sides("网络拓扑感知调度中hard模式与soft模式有什么区别？")
('hard', 'soft')
>>> comparison_sides("小红书的在线训练和离线训练有什么不同？")
('在线', '离线')
>>> comparison_sides("Kthena Router和Kthena Controller Manager的职责有什么不同？")
('Router', 'Controller')
>>> comparison_sides("小型停车场与大型停车场在通道和停车位规模上有何不同？")
('小型', '大型')
>>> comparison_sides("How do the Binpack and Spread GPU node-scoring strategies in Volcano v1.9 differ?")
('Binpack', 'Spread')
>>> comparison_sides("什么是KubeEdge？") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.qa.selection import Candidate

__all__ = ["SIDE_CANDIDATES", "comparison_sides", "with_sides"]

# How far down the ranking a sentence naming a side the chosen ones miss may be. Dev grid over the 29 dev
# questions asking a comparison, {0 (off), 3, 5, 10, 20}: 13, 13, 15, 15, 15 right; the smallest of the best.
SIDE_CANDIDATES = 5
MIN_SIDE_CHARS = 2  # a Chinese side word shorter than this (小 / 大) takes the next character too

# "X与Y…有什么不同": the two sides around the conjunction, the right one up to where the question goes on.
_SIDES_ZH = re.compile(
    r"(?P<left>[^，,。？?；;、与和跟及]{1,24})(?:与|和|跟)"
    r"(?P<right>[^，,。？?；;]{1,32}?)(?=的|在|之间|两种|相比|分开|有什么|有何|有哪些|如何|分别)"
)
_SIDES_EN = re.compile(r"\b(?P<left>[A-Z][\w-]*) and (?P<right>[A-Z][\w-]*)\b")
_COMPARES_EN = re.compile(r"\b(?:differ|difference|compare|comparison|versus)\b", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


def _latin_sides(left: str, right: str) -> tuple[str, str] | None:
    """Latin-script sides: the last word of the left side and the first of the right that the other lacks."""
    left_words, right_words = _LATIN_WORD.findall(left), _LATIN_WORD.findall(right)
    own_left = [w for w in left_words if w not in right_words]
    own_right = [w for w in right_words if w not in left_words]
    return (own_left[-1], own_right[0]) if own_left and own_right else None


def _chinese_sides(left: str, right: str) -> tuple[str, str] | None:
    """Chinese sides: the right side less the ending both share (在线训练 / 离线训练 → 在线 / 离线), and as
    many characters of the left side before that ending."""
    shared = 0
    while shared < min(len(left), len(right)) and left[-1 - shared] == right[-1 - shared]:
        shared += 1
    shared = min(shared, len(right) - MIN_SIDE_CHARS)
    if shared < 0:
        return None
    own = len(right) - shared
    left_core = left[max(0, len(left) - shared - own) : len(left) - shared]
    right_core = right[:own]
    return (left_core, right_core) if left_core and left_core != right_core else None


def comparison_sides(question: str) -> tuple[str, str] | None:
    """The words that tell apart the two things a comparison question sets side by side, or None."""
    match = _SIDES_ZH.search(question)
    if match is not None:
        left, right = match["left"].strip(), match["right"].strip()
        if _LATIN_WORD.match(right):
            return _latin_sides(left, right)
        return _chinese_sides(left, right)
    match = _SIDES_EN.search(question)
    if match is not None and _COMPARES_EN.search(question):
        return match["left"], match["right"]
    return None


def with_sides(
    chosen: list[Candidate], ranked: Sequence[Candidate], sides: tuple[str, str]
) -> list[Candidate]:
    """``chosen`` and, for each side no chosen sentence names, the best of the SIDE_CANDIDATES best
    sentences that does."""
    out = list(chosen)
    for side in sides:
        folded = side.casefold()
        if any(folded in c.sentence.text.casefold() for c in out):
            continue
        extra = next((c for c in ranked[:SIDE_CANDIDATES] if folded in c.sentence.text.casefold()), None)
        if extra is not None:
            out.append(extra)
    return out
