"""Report metadata: title, publisher, and the reference date (dcterms:issued) with how it was found."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from ingest.document import CleanDocument
from kg.errors import InputError
from kg.lexicon import Lexicon
from kg.namespaces import ORG_TYPES
from kg.surface_matcher import SurfaceMatcher

__all__ = [
    "DATE_SOURCES",
    "ReferenceDate",
    "checked_date",
    "issued_date",
    "parse_date",
    "publisher",
    "reference_date",
    "title",
]

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
            if entry.type in ORG_TYPES:
                counts[entry.label] += 1
    if counts:
        return counts.most_common(1)[0][0]
    return None


_TEXT_SOURCES = ("front-matter", "date-line", "dated-line")
DATE_SOURCES: tuple[str, ...] = ("option", *_TEXT_SOURCES, "file-metadata", "title", "copyright", "year-line")
_FRONT_MATTER = re.compile(r"\A---\n(?P<body>(?:[^\n]*\n){0,40}?)---\n")
_FRONT_DATE = re.compile(
    r"^(?:date|publishdate|published)\s*:\s*[\"']?(?P<d>\d{4}-\d{1,2}-\d{1,2})", re.M | re.I
)
_DATE_LINE = re.compile(
    r"(?:(?:发布时间|发布日期|出版时间|出版日期|发表时间|更新时间|日期|时间)\s*[：:]|发布于|发表于)\s*"
    r"(?P<y>\d{4})\s*(?:年|-|/|\.)\s*(?:(?P<m>\d{1,2})\s*(?:月|-|/|\.)?\s*(?:(?P<d>\d{1,2})\s*日?)?)?"
)
_FULL_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*"
    r"(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日|-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})\b)"
)
_TITLE_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])(?=\s?[年\u4e00-\u9fff])")
# A full date this close to the top is the report's date (a dated first line, an act's date of adoption);
# when several stand there, the latest is the date of issue (通过 … 批准).
DATED_HEAD_CHARS = 600
DATED_HEAD_LINES = 6


@dataclass(frozen=True)
class ReferenceDate:
    """The date relative expressions (目前, 今年) are resolved against: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""

    value: str
    source: str  # one of DATE_SOURCES

    @property
    def year(self) -> int:
        return int(self.value[:4])


def parse_date(raw: str) -> str | None:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' checked and zero-padded, None when it is not a date.

    >>> [parse_date(s) for s in ("2024", "2024-5", "2024-05-21", "2024-13", "2024-02-30", "24")]
    ['2024', '2024-05', '2024-05-21', None, None, None]
    """
    parts = raw.strip().split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    numbers: list[int | None] = [int(p) for p in parts] + [None] * (3 - len(parts))
    year, month, day = numbers[0] or 0, numbers[1], numbers[2]
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if not 1000 <= year <= 9999:
        return None
    return "-".join([f"{year:04d}", *(f"{p:02d}" for p in (month, day) if p is not None)])


def checked_date(raw: str | None) -> str | None:
    """A report date given by the user (``--date``, the upload's ``date`` field), checked; None stays None.

    >>> checked_date("2024-5")
    '2024-05'
    >>> checked_date("May 2024")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: date 'May 2024' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD
    """
    if raw is None or not raw.strip():
        return None
    parsed = parse_date(raw)
    if parsed is None:
        raise InputError(f"date {raw[:40]!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    return parsed


def _ymd(year: str, month: str | None, day: str | None) -> str | None:
    return parse_date("-".join(p for p in (year, month, day) if p))


def reference_date(
    doc: CleanDocument, *, option: str | None = None, file_date: str | None = None
) -> ReferenceDate | None:
    """The report's reference date: the ingest option, else what the text says (front matter, a 发布时间
    line, a full date at the top), else the file's metadata, else a year in the title, a © mark or a bare
    year line near the top."""
    if option:
        parsed = parse_date(option)
        if parsed:
            return ReferenceDate(parsed, "option")
    text = doc.text
    front = _FRONT_MATTER.match(text)
    if front:
        dated = _FRONT_DATE.search(front.group("body"))
        if dated and parse_date(dated.group("d")):
            return ReferenceDate(parse_date(dated.group("d")) or "", "front-matter")
    line = _DATE_LINE.search(text[:_HEAD_CHARS])
    if line:
        found = _ymd(line.group("y"), line.group("m"), line.group("d"))
        if found:
            return ReferenceDate(found, "date-line")
    head = _head(doc)
    dates = [
        d
        for m in _FULL_DATE.finditer(head)
        if (d := _ymd(m.group("y"), m.group("m") or m.group("m2"), m.group("d") or m.group("d2")))
    ]
    if dates:
        return ReferenceDate(max(dates), "dated-line")
    if file_date and parse_date(file_date):
        return ReferenceDate(parse_date(file_date) or "", "file-metadata")
    titled = _TITLE_YEAR.search(title(doc))
    if titled:
        return ReferenceDate(titled.group(1), "title")
    old = issued_date(doc)
    if old:
        return ReferenceDate(old, "copyright" if _COPYRIGHT.search(doc.text) else "year-line")
    return None


def _head(doc: CleanDocument) -> str:
    lines = [doc.text[span.start : span.end] for span in doc.content[:DATED_HEAD_LINES]]
    return "\n".join(lines)[:DATED_HEAD_CHARS]


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
