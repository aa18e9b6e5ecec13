"""Sentences inside passages, with offsets into the report text, and how well one covers a question.

>>> [s.text for s in split_sentences("容器很轻。它启动快！", 100)]
['容器很轻。', '它启动快！']
>>> split_sentences("容器很轻。它启动快！", 100)[1].start
105
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.namespaces import normalize_name
from kg.tokenize import has_chinese

__all__ = ["Sentence", "clean_markup", "sentence_at", "split_sentences", "term_coverage", "trimmed_span"]

# A Chinese term weighs its length in characters, up to MAX_TERM_WEIGHT; a Latin word, LATIN_TERM_WEIGHT.
MAX_TERM_WEIGHT = 4
LATIN_TERM_WEIGHT = 2.0
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*[”’）)]*")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offsets into the report text
    end: int


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``, ``end`` moved inwards past the white space at both ends of ``text[start:end]``.

    >>> trimmed_span(" 你好。 ", 0, 5)
    (1, 4)
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, offset: int) -> list[Sentence]:
    """Sentences of a passage whose text starts at ``offset`` in its report (blank ones dropped)."""
    out = []
    for match in _SENTENCE.finditer(text):
        s, e = trimmed_span(text, match.start(), match.end())
        if e - s >= 2:
            out.append(Sentence(text[s:e], offset + s, offset + e))
    return out


def sentence_at(text: str, offset: int, start: int, end: int) -> Sentence:
    """The sentence of the passage (text at ``offset``) holding the span ``start:end``, else the span."""
    for sentence in split_sentences(text, offset):
        if sentence.start <= start and end <= sentence.end:
            return sentence
    return Sentence(text[start - offset : end - offset], start, end)


def clean_markup(text: str) -> str:
    """Text for display: Markdown emphasis and runs of blanks removed."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def term_coverage(terms: list[str], text: str) -> float:
    """Share of the question's terms found in ``text`` (longer terms weigh more; folded comparison)."""
    if not terms:
        return 0.0
    folded = normalize_name(text)
    total = hit = 0.0
    for term in dict.fromkeys(terms):
        weight = min(len(term), MAX_TERM_WEIGHT) if has_chinese(term) else LATIN_TERM_WEIGHT
        total += weight
        if term in folded:
            hit += weight
        elif len(term) >= 3 and has_chinese(term):
            # a compound (容器云平台) counts half when each half occurs
            half = len(term) // 2
            if term[:half] in folded and term[half:] in folded:
                hit += weight / 2
    return hit / total
