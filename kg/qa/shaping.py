"""The members of a list cut from a chosen sentence: the items of the enumeration it makes.

>>> enumeration("当前已广泛应用于CDN、智能交通、智慧能源、金融等各领域。")
['CDN', '智能交通', '智慧能源', '金融']
"""

from __future__ import annotations

import re

__all__ = ["MAX_MEMBER_CHARS", "MIN_MEMBERS", "enumeration"]

MAX_MEMBER_CHARS = 30  # a longer enumeration "item" is a clause, not a member
MIN_MEMBERS = 2

_ENUM_LEAD = re.compile(
    r"^.*?(?:包括|包含|例如|比如|诸如|如|有|涵盖|覆盖|应用于|用于|使用了?|采用了?|支持|：|:)\s*"
)
_ENUM_TAIL = re.compile(r"\s*(?:等等|等).*$")
_ENUM_SPLIT = re.compile(r"\s*(?:、|以及|及|和|与|或|/)\s*")


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
