"""Retrieval evaluation: questions with answer spans, the hit rule, and Recall@k / MRR.

A hit is correct when it comes from the question's document and its passage span ``[start, end)``
overlaps the span of one answer (an exact substring of the document) by at least half of the shorter
of the two.

>>> is_correct(100, 400, [(350, 420)])  # 50 shared characters, shorter span 70: 50 >= 35
True
>>> is_correct(100, 400, [(390, 420)])  # 10 shared of 30
False
>>> summarise([1, 3, None, 2]).recall_at_5
0.75
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EvalQuestion",
    "Metrics",
    "answer_spans",
    "first_correct_rank",
    "is_correct",
    "load_eval_set",
    "summarise",
]


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    lang: str
    paraphrase: bool
    document: str  # "corpus/<file>" or "samples/<file>"
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Metrics:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float  # reciprocal rank of the first correct hit within the top 10


def load_eval_set(path: Path) -> list[EvalQuestion]:
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        EvalQuestion(
            i["id"], i["question"], i["lang"], bool(i["paraphrase"]), i["document"], tuple(i["answers"])
        )
        for i in items
    ]


_EMPHASIS_MARKS = ("**", "__")  # Markdown emphasis: kept out of the stored text, present in raw-file answers


def answer_spans(text: str, answers: Sequence[str]) -> list[tuple[int, int]]:
    """Every occurrence of every answer in the document's stored text. An answer copied from the raw
    file may hold Markdown emphasis, which the stored text no longer has: it is looked for without it.

    >>> answer_spans("市场规模将会达到15.2亿元", ["达到**15.2亿元**"])
    [(6, 14)]
    """
    spans = []
    for raw in answers:
        answer = raw
        for mark in _EMPHASIS_MARKS:
            answer = answer.replace(mark, "")
        pos = text.find(answer)
        while pos >= 0:
            spans.append((pos, pos + len(answer)))
            pos = text.find(answer, pos + 1)
    return spans


def is_correct(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    for s, e in spans:
        shared = min(end, e) - max(start, s)
        if shared > 0 and 2 * shared >= min(end - start, e - s):
            return True
    return False


def first_correct_rank(
    hits: Sequence[tuple[str, int, int]], report: str, spans: Sequence[tuple[int, int]]
) -> int | None:
    """1-based rank of the first correct hit among (report, start, end) triples, None if none is."""
    for rank, (hit_report, start, end) in enumerate(hits, 1):
        if hit_report == report and is_correct(start, end, spans):
            return rank
    return None


def summarise(ranks: Sequence[int | None]) -> Metrics:
    n = len(ranks)
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0)
    return Metrics(
        questions=n,
        recall_at_1=sum(1 for r in ranks if r == 1) / n,
        recall_at_5=sum(1 for r in ranks if r is not None and r <= 5) / n,
        mrr=sum(1.0 / r for r in ranks if r is not None and r <= 10) / n,
    )
