"""Report metadata from the text itself: title, publisher, date of issue."""

from __future__ import annotations

import re
from collections import Counter

from ingest.document import CleanDocument
from kg.lexicon import Lexicon
from kg.surface_matcher import SurfaceMatcher

__all__ = ["issued_date", "publisher", "title"]

_PUBLISHER_LINE = re.compile(r"(?:发布机构|出品方|研究机构|发布单位)[：:]\s*([^\n，,。]{2,40})")
_ISSUED_LINE = re.compile(r"(?:发布时间|发布日期|出版时间)[：:]\s*(\d{4})\s*年(?:\s*(\d{1,2})\s*月)?")
_COPYRIGHT = re.compile(r"©\s*(\d{4})(?:[.\-/年](\d{1,2}))?")
_YEAR_LINE = re.compile(r"^\s*(\d{4})\s*年?\s*$")
_HEAD_CHARS = 3000


def title(doc: CleanDocument) -> str:
    if doc.source.title:
        return doc.source.title.strip()
    for span in doc.content:
        line = doc.text[span.start : span.end].strip().lstrip("#").strip()
        if line:
            return line[:200]
    return doc.source.source


def publisher(doc: CleanDocument, lexicon: Lexicon, matcher: SurfaceMatcher) -> str | None:
    """The publisher named in a 发布机构 line, else the organisation most cited in source lines."""
    line = _PUBLISHER_LINE.search(doc.text[:_HEAD_CHARS])
    if line:
        return line.group(1).strip()
    counts: Counter[str] = Counter()
    for span, reason in doc.furniture:
        if reason != "source-line":
            continue
        for match in matcher.find(doc.text, span.start, span.end):
            entry = lexicon.entries[match.slug]
            if entry.type in {"Organization", "Vendor"}:
                counts[entry.label] += 1
    if counts:
        return counts.most_common(1)[0][0]
    return None


def issued_date(doc: CleanDocument) -> str | None:
    """'YYYY-MM' or 'YYYY' from a 发布时间 line, a © mark, or a bare year line near the top."""
    line = _ISSUED_LINE.search(doc.text[:_HEAD_CHARS])
    if line:
        return _date(line.group(1), line.group(2))
    mark = _COPYRIGHT.search(doc.text)
    if mark:
        return _date(mark.group(1), mark.group(2))
    for span in doc.content[:10]:
        bare = _YEAR_LINE.match(doc.text[span.start : span.end])
        if bare:
            return bare.group(1)
    return None


def _date(year: str, month: str | None) -> str:
    if month and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    return year
