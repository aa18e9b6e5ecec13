"""Locate page furniture in a report without changing its text.

Text extracted from a PDF report keeps what was printed around the content: source lines under
every chart, watermarks, the table of contents repeated before every chapter, page numbers,
and the publisher's advertising and legal boilerplate at the end. The cleaner classifies each
line as content or furniture (with a reason); offsets stay offsets into ``SourceDocument.text``.
The cue lists below are the knobs: extend them for other publishers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import CleanDocument, SourceDocument, Span

__all__ = [
    "ABOUT_PUBLISHER",
    "ACKNOWLEDGEMENT_HEADINGS",
    "AD_PHRASES",
    "BOILERPLATE_HEADINGS",
    "BOILERPLATE_HEADING_SUFFIXES",
    "BOILERPLATE_TAIL_SHARE",
    "CONTENT_PREFIXES",
    "REASONS",
    "REPEATED_LINE_MAX_CHARS",
    "REPEATED_LINE_MIN_COUNT",
    "SOURCE_PREFIXES",
    "WATERMARK_LINES",
    "clean",
]

REASONS = ("source-line", "ad", "watermark", "page-number", "toc", "boilerplate")

SOURCE_PREFIXES = ("来源：", "来源:", "资料来源", "数据来源", "信息来源", "source:", "sources:")
# Promotional phrases, matched with whitespace removed and only on short lines.
AD_PHRASES = ("海量行研报告免费读", "扫描二维码", "读懂全行业", "海量的数据专业的报告")
AD_MAX_CHARS = 30
# Brand marks printed on every page, matched against the whole line (whitespace removed, casefolded).
WATERMARK_LINES = ("iresearch", "iresearchinc.", "艾瑞咨询")
COPYRIGHT_MARKS = ("©", "ⓒ", "(c)", "（c）", "copyright")
COPYRIGHT_MAX_CHARS = 80
PHONE_LINE = re.compile(
    r"^(?:(?:电话|热线|客服热线|咨询热线|联系电话|tel|phone)[:：]?)?"
    r"(?:\+?86-?)?(?:(?:400|800|0\d{2,3})-?\d{3,4}-?\d{3,4}|1[3-9]\d{9})$",
    re.IGNORECASE,
)
EMAIL_LINE = re.compile(r"^(?:(?:邮箱|电子邮件|e-?mail)[:：]?)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)
PAGE_NUMBER_LINE = re.compile(
    r"^(?:[-–—]?\d{1,4}[-–—]?|第\d{1,4}页|\d{1,4}/\d{1,4}|page\d{1,4}(?:of\d{1,4})?)$", re.IGNORECASE
)

# Short lines seen this often are running headers or a repeated table of contents.
REPEATED_LINE_MIN_COUNT = 3
REPEATED_LINE_MAX_CHARS = 30
SENTENCE_PUNCTUATION = frozenset("。！？；!?;")
# Lines that carry facts even when repeated: sample sizes, notes, chart legends.
CONTENT_PREFIXES = ("样本", "注释", "注：", "注:", "备注", "说明：", "说明:")
LEGEND_MARKS = frozenset("■□●○◆◇▲△▪◼")

# The publisher's pages at the end start with one of these headings.
BOILERPLATE_TAIL_SHARE = 0.25
BOILERPLATE_HEADINGS = (
    "版权声明",
    "免责声明",
    "免责条款",
    "法律声明",
    "重要声明",
    "特别声明",
    "分析师声明",
    "联系我们",
    "关于我们",
)
BOILERPLATE_HEADING_SUFFIXES = ("研究解决方案",)
ABOUT_PUBLISHER = re.compile(
    r"^关于(?:艾瑞|iresearch|\S{1,12}(?:咨询|研究院|研究中心|研究所|智库)$)", re.IGNORECASE
)
ACKNOWLEDGEMENT_HEADINGS = ("鸣谢", "致谢", "特别鸣谢", "acknowledgements", "acknowledgments")
HEADING_MAX_CHARS = 30
_HEADING_CUE_ENDS = frozenset("：:（(|/-—")


@dataclass(frozen=True)
class _Line:
    span: Span
    text: str  # the line without surrounding whitespace
    compact: str  # casefolded, all whitespace removed


def clean(doc: SourceDocument) -> CleanDocument:
    """Split the non-blank lines of ``doc`` into content spans and (span, reason) furniture.

    >>> doc = SourceDocument("容器云市场高速增长。\\n来源：某研究院。\\n\\n12\\n", "r.txt", "text/plain")
    >>> cleaned = clean(doc)
    >>> [doc.text[s.start : s.end] for s in cleaned.content]
    ['容器云市场高速增长。']
    >>> [(doc.text[s.start : s.end], reason) for s, reason in cleaned.furniture]
    [('来源：某研究院。', 'source-line'), ('12', 'page-number')]
    """
    lines = list(_lines(doc.text))
    repeated = _repeated_short_lines(lines)
    boilerplate = _boilerplate_lines(lines, len(doc.text))
    content: list[Span] = []
    furniture: list[tuple[Span, str]] = []
    for index, line in enumerate(lines):
        reason = _line_reason(line, repeated) or ("boilerplate" if index in boilerplate else None)
        if reason is None:
            content.append(line.span)
        else:
            furniture.append((line.span, reason))
    return CleanDocument(doc, tuple(content), tuple(furniture))


def _lines(text: str) -> Iterator[_Line]:
    start = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            first = start + len(raw) - len(raw.lstrip())
            compact = "".join(stripped.split()).casefold()
            yield _Line(Span(first, first + len(stripped)), stripped, compact)
        start += len(raw) + 1


def _line_reason(line: _Line, repeated: frozenset[str]) -> str | None:
    if line.compact.startswith(SOURCE_PREFIXES):
        return "source-line"
    if _is_ad(line.compact):
        return "ad"
    if _is_watermark(line.compact):
        return "watermark"
    if PAGE_NUMBER_LINE.match(line.compact):
        return "page-number"
    if line.text in repeated:
        return "toc"
    return None


def _is_ad(compact: str) -> bool:
    if PHONE_LINE.match(compact) or EMAIL_LINE.match(compact):
        return True
    return len(compact) <= AD_MAX_CHARS and any(phrase in compact for phrase in AD_PHRASES)


def _is_watermark(compact: str) -> bool:
    if compact in WATERMARK_LINES:
        return True
    return len(compact) <= COPYRIGHT_MAX_CHARS and compact.startswith(COPYRIGHT_MARKS)


def _repeated_short_lines(lines: list[_Line]) -> frozenset[str]:
    counts = Counter(line.text for line in lines if _may_be_running_text(line))
    return frozenset(text for text, count in counts.items() if count >= REPEATED_LINE_MIN_COUNT)


def _may_be_running_text(line: _Line) -> bool:
    return (
        len(line.compact) <= REPEATED_LINE_MAX_CHARS
        and SENTENCE_PUNCTUATION.isdisjoint(line.text)
        and not line.text.startswith(CONTENT_PREFIXES)
        and line.text[0] not in LEGEND_MARKS
    )


def _boilerplate_lines(lines: list[_Line], text_length: int) -> set[int]:
    """Indices of the lines from the first boilerplate heading in the tail to the end.

    An acknowledgements heading suspends the run until the next boilerplate heading.
    """
    tail_start = (1 - BOILERPLATE_TAIL_SHARE) * text_length
    inside = False
    found: set[int] = set()
    for index, line in enumerate(lines):
        if line.span.start < tail_start:
            continue
        heading = line.compact.lstrip("#")
        if _is_boilerplate_heading(heading):
            inside = True
        elif _starts_with_heading(heading, ACKNOWLEDGEMENT_HEADINGS):
            inside = False
        if inside:
            found.add(index)
    return found


def _is_boilerplate_heading(heading: str) -> bool:
    if _starts_with_heading(heading, BOILERPLATE_HEADINGS):
        return True
    if len(heading) > HEADING_MAX_CHARS or not SENTENCE_PUNCTUATION.isdisjoint(heading):
        return False
    return heading.endswith(BOILERPLATE_HEADING_SUFFIXES) or ABOUT_PUBLISHER.match(heading) is not None


def _starts_with_heading(heading: str, cues: tuple[str, ...]) -> bool:
    """The line is the cue itself, or the cue followed by a colon, bracket or an English title."""
    return any(heading == cue or (heading.startswith(cue) and _ends_cue(heading[len(cue)])) for cue in cues)


def _ends_cue(following: str) -> bool:
    return following in _HEADING_CUE_ENDS or (following.isascii() and following.isalpha())
