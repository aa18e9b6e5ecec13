"""One question (or one part of a multi-part question) answered from the sentences of the retrieved
passages: the sentences chosen by :mod:`kg.qa.selection`, the short answer cut from them by
:mod:`kg.qa.shaping`, a confidence, and a decline when the best sentence scores too low.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.qa.answer_type import expected_type
from kg.qa.evidence import Evidence
from kg.qa.selection import WEIGHTS, Candidate, SelectionWeights, candidates, question_keys, select_sentences
from kg.qa.shaping import enumeration

__all__ = ["DECLINE_SCORE", "PartAnswer", "read_answer"]

# The decline: when none of the top FOCUS_CANDIDATES sentences holds this share of the question's focus
# keys (what it asks about its entities), the reports are taken not to answer. Chosen on the dev split as
# the lowest value that declines >= 0.90 of its unanswerable questions (0.983 there; 0.50 gave 0.867).
DECLINE_SCORE = 0.55
CONFIDENCE_SLOPE = 8.0  # how fast the confidence rises with the focus share above DECLINE_SCORE
FOCUS_CANDIDATES = 3  # the decline looks at the best focus share among this many top sentences
MAX_BULLETS = 12  # bullet lines read as the members of a list

_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.、)）])\s*")
_INTRODUCES = re.compile(r"[：:]\s*$|如下|以下")


@dataclass
class PartAnswer:
    question: str
    answer: str
    answered: bool
    confidence: float
    answer_type: str
    evidence: list[Evidence] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    score: float = 0.0
    focus: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answered": self.answered,
            "confidence": round(self.confidence, 3),
            "type": self.answer_type,
            "evidence": [e.to_json() for e in self.evidence],
        }


def confidence_of(focus: float, threshold: float = DECLINE_SCORE) -> float:
    """A confidence in [0, 1] from the focus share: 0.5 at the decline threshold."""
    return 1.0 / (1.0 + math.exp(-CONFIDENCE_SLOPE * (focus - threshold)))


def _display(sentence: str) -> str:
    """A sentence as an answer: Markdown emphasis, list markers and runs of blanks removed."""
    return " ".join(_BULLET.sub("", sentence).replace("**", "").split())


def _evidence(c: Candidate) -> Evidence:
    return Evidence(c.hit["passage"], c.hit["report"], c.sentence.text, c.sentence.start, c.sentence.end)


def _bullets(best: Candidate, ranked: Sequence[Candidate]) -> list[Candidate]:
    """The bullet lines that follow a sentence introducing them in the same passage."""
    same = sorted(
        (c for c in ranked if c.hit["passage"] == best.hit["passage"] and c.position > best.position),
        key=lambda c: c.position,
    )
    out: list[Candidate] = []
    expected = best.position + 1
    for c in same:
        if c.position != expected or not _BULLET.match(c.sentence.text):
            break
        out.append(c)
        expected += 1
        if len(out) >= MAX_BULLETS:
            break
    return out


def _member(bullet: str) -> str:
    text = _BULLET.sub("", bullet).replace("**", "")
    return re.split(r"[，,；;：:。]", text)[0].strip()


def read_answer(
    text: str,
    hits: Sequence[dict[str, Any]],
    entity_forms: dict[str, list[str]],
    hints: Sequence[str] = (),
    weights: SelectionWeights = WEIGHTS,
    decline_score: float = DECLINE_SCORE,
) -> PartAnswer:
    """The answer to ``text`` from the passages ``hits`` (declined when no sentence scores enough)."""
    answer_type = expected_type(text)
    keys = question_keys(text, entity_forms, hints, answer_type)
    ranked = candidates(keys, hits, weights)
    if not ranked:
        return PartAnswer(text, "", False, 0.0, answer_type)
    best = ranked[0]
    focus = max(c.focus for c in ranked[:FOCUS_CANDIDATES])
    confidence = confidence_of(focus, decline_score)
    if focus < decline_score:
        return PartAnswer(text, "", False, confidence, answer_type, score=best.score, focus=focus)
    if answer_type == "list":
        listed = _list_answer(text, answer_type, keys.keys.keys(), best, ranked)
        if listed is not None:
            evidence, members = listed
            return PartAnswer(
                text, "、".join(members), True, confidence, answer_type, evidence, members, best.score, focus
            )
    chosen = select_sentences(keys, ranked, weights)
    answer = "；".join(dict.fromkeys(_display(c.sentence.text) for c in chosen))
    return PartAnswer(
        text,
        answer,
        True,
        confidence,
        answer_type,
        [_evidence(c) for c in chosen],
        score=best.score,
        focus=focus,
    )


def _list_answer(
    text: str, answer_type: str, keys: Any, best: Candidate, ranked: Sequence[Candidate]
) -> tuple[list[Evidence], list[str]] | None:
    """Members of a list: the bullet lines a chosen sentence introduces, else its enumeration."""
    del text, answer_type, keys
    if _INTRODUCES.search(best.sentence.text):
        bullets = _bullets(best, ranked)
        if len(bullets) >= 2:
            members = [m for m in (_member(b.sentence.text) for b in bullets) if m]
            return [_evidence(best), *(_evidence(b) for b in bullets)], members
    members = enumeration(best.sentence.text)
    if members:
        return [_evidence(best)], members
    return None
