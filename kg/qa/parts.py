"""A multi-part question cut into the questions it asks, each to be answered on its own.

"……是多少？……呢？", "X哪一年……？又是何时……？", "How many A, and how many B?" ask two things; a part
that names no subject of its own reads the whole question's entities ("有多少个节点？" after
"阿迪达斯的云原生平台有多少个Pod？").

>>> split_parts("阿迪达斯的云原生平台有多少个Pod？有多少个节点？")
['阿迪达斯的云原生平台有多少个Pod？', '有多少个节点？']
>>> split_parts("KubeEdge contributors come from how many countries, and from how many organizations?")
['KubeEdge contributors come from how many countries,', 'and from how many organizations?']
>>> split_parts("什么是KubeEdge？")
['什么是KubeEdge？']
"""

from __future__ import annotations

import re

__all__ = ["MAX_PARTS", "split_parts"]

MAX_PARTS = 3  # a question is cut into at most this many parts
MIN_PART_CHARS = 4  # shorter pieces are not a question of their own ("呢？")

# Where one question ends and the next begins: a question mark followed by more text, or (English) a
# comma or "and" before a second interrogative.
_BREAKS = re.compile(
    r"(?<=[？?])\s*(?=\S)"
    r"|(?<=[,，])\s*(?=(?:and\s+)?(?:[\w'-]+\s+){0,3}(?:how|what|when|which|who|why|where)\b)"
    r"|(?<=[a-z0-9])\s+(?=and\s+(?:how|what|when|which|who|why|where)\b)",
    re.I,
)


def split_parts(question: str) -> list[str]:
    """The questions that ``question`` asks, in order (one when it asks one thing)."""
    pieces = [p.strip() for p in _BREAKS.split(question) if p and p.strip()]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(re.sub(r"\W", "", piece)) < MIN_PART_CHARS:
            parts[-1] += piece
        else:
            parts.append(piece)
    if len(parts) > MAX_PARTS:
        parts = [*parts[: MAX_PARTS - 1], " ".join(parts[MAX_PARTS - 1 :])]
    return parts
