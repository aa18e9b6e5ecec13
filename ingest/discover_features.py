"""Discover the features a project announces: 'Volcano v1.11 引入了弹性层级队列功能',
'X 新增了负载感知重调度特性'.

A Chinese term of 3 to 10 characters written between a known technology or product (with an optional
version number) and its kind of feature (功能, 特性, 策略, 机制, 能力), after a verb that introduces it
(引入, 提出, 推出, 新增, 增加, 带来), is a technology of that project (the annotation types the features of a
release this way). A term with 的, a conjunction or a list mark in it is a description (细粒度的作业故障恢复
策略), not a name. The relation rule of ``ingest.relation_lists`` (``introduces_feature``) then relates
the project to it.

Measured on the dev split of the real-world corpus (docs/ingest.md): 2 terms found, both in the gold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = ["FEATURE_MAX_CHARS", "FEATURE_MIN_CHARS", "introduced_features"]

# a feature's name is at least this many Chinese characters (调度功能 names no feature) and at most this many
FEATURE_MIN_CHARS = 3
FEATURE_MAX_CHARS = 10
_INTRODUCED = re.compile(
    r"\s*(?:v?\d+(?:\.\d+)*\s*(?:版本)?)?\s*(?:也|还|正式|首次|率先|已)?\s*"
    r"(?:引入|提出|推出|新增|增加|带来)(?:了)?\s*(?:全新的?|新的?)?\s*"
    rf"(?P<term>[\u4e00-\u9fff]{{{FEATURE_MIN_CHARS},{FEATURE_MAX_CHARS}}}?)"
    r"\s*(?:功能|特性|策略|机制|能力)"
)
# characters that make a term a description or a list (的, conjunctions), not a name
_NOT_A_NAME = re.compile(r"[的和与及或等之]")


def introduced_features(
    text: str, base: int, technical_ends: Callable[[int], bool]
) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of each feature introduced right after a known technical name, whose end
    ``technical_ends`` (a document offset) confirms.

    >>> known = {7}.__contains__
    >>> [t for t, _, _ in introduced_features("Volcano v1.11 引入了弹性层级队列功能", 0, known)]
    ['弹性层级队列']
    >>> list(introduced_features("Volcano 引入了细粒度的作业故障恢复策略", 0, known))
    []
    """
    for end in range(len(text)):
        if not technical_ends(base + end):
            continue
        m = _INTRODUCED.match(text, end)
        if m is None or _NOT_A_NAME.search(m.group("term")):
            continue
        yield m.group("term"), base + m.start("term"), base + m.end("term")
