"""Scoring an /ask response against an expected answer (used by ``bench/qa.py`` and the tests).

An answerable question is answered correctly when every expected group appears in the answer and in the
text of its cited evidence (a group given as a list is met by any one of its strings); comparison ignores
case, blanks and Markdown emphasis. An unanswerable question is handled correctly when it is declined.

>>> evidence = [{"text": "到2025年将会**超过60亿元**。"}]
>>> response = {"answer": "超过60亿元（2025年）", "answered": True, "evidence": evidence}
>>> is_correct(response, ["60亿元"], answerable=True)
True
>>> is_correct({"answer": "…", "answered": False, "evidence": []}, [], answerable=False)
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["QAItem", "fold_text", "is_correct", "load_qa_set"]


@dataclass(frozen=True)
class QAItem:
    id: str
    report: str
    kind: str  # number, list, relation, definition, why, how, comparison, or none (unanswerable)
    question: str
    answerable: bool
    expected: list[list[str]]  # groups of acceptable strings


def fold_text(text: str) -> str:
    """Text for comparison: case, blanks and Markdown emphasis (``*``, ``__``) ignored.

    >>> fold_text("到2025年将会**超过 60亿元**")
    '到2025年将会超过60亿元'
    """
    return "".join(text.replace("*", "").replace("__", "").split()).casefold()


def is_correct(response: dict[str, Any], expected: list[list[str]] | list[Any], *, answerable: bool) -> bool:
    if not answerable:
        return not response["answered"]
    if not response["answered"]:
        return False
    answer = fold_text(response["answer"])
    evidence = fold_text(" ".join(e["text"] for e in response["evidence"]))
    for group in expected:
        options = [group] if isinstance(group, str) else group
        if not any(fold_text(o) in answer and fold_text(o) in evidence for o in options):
            return False
    return True


def load_qa_set(path: Path) -> list[QAItem]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [
        QAItem(
            q["id"],
            q["report"],
            q["kind"],
            q["question"],
            bool(q["answerable"]),
            [[g] if isinstance(g, str) else list(g) for g in q["expected"]],
        )
        for q in doc["questions"]
    ]
