"""Lexicon matches that are not mentions, whatever the name: a name inside a web address
(github.com/volcano-sh) and an industry word inside the name of a government body (市人民政府).

>>> url_spans("仓库: https://github.com/kubeedge 与 volcano.sh")
[(4, 31), (34, 44)]
"""

from __future__ import annotations

import re

__all__ = ["inside", "is_body_name_part", "url_spans"]

# a web address: with its scheme, or a bare domain name with a top-level domain (github.com/x)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s，。；、）)\]」》\u4e00-\u9fff]+"
    r"|(?<![A-Za-z0-9@.\-])(?:[A-Za-z0-9\-]+\.)+(?:com|org|io|net|cn|sh|dev|cloud)(?:/[^\s，。；、）)\]」》\u4e00-\u9fff]*)?"
    r"(?![A-Za-z0-9])"
)
# words written right before an industry word that make it part of a body's name: 人民政府 is the
# government as an institution, not the government sector as a customer
_BODY_PREFIX = re.compile(r"人民$")


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a web address."""
    return [(m.start(), m.end()) for m in _URL.finditer(text)]


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def is_body_name_part(text: str, start: int, type_: str) -> bool:
    """An industry word preceded by what makes it a body's name (市人民政府)."""
    return type_ == "Industry" and bool(_BODY_PREFIX.search(text[:start]))
