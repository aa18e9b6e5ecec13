"""Segment a cleaned report into sections, sentences and passages (150-400 characters).

Passages are contiguous slices of the stored text (``text[start:end] == passage.text``) that never
cross page furniture or a section boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import CleanDocument, Passage, Section, Sentence, Span

__all__ = ["MAX_PASSAGE", "MIN_PASSAGE", "Segmentation", "segment"]

MIN_PASSAGE = 150
MAX_PASSAGE = 400
_HEADING_MAX = 40
_PARAGRAPH_MIN = 60
_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\.(?=\s|$)|…{1,2}(?=[”’」』]?\s*$)")
_CLAUSE_END = re.compile(r"[，,、：:]")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•■●◆▪]|\d+[.、)]\s)")
_TERMINAL = "。！？!?；;"
_NOT_A_TITLE = re.compile(r"^[且和与及或而但并]|\s[\d.]+[%％]$|^注释|^样本")


@dataclass(frozen=True)
class Segmentation:
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]

    def sentences(self) -> list[Sentence]:
        return [s for p in self.passages for s in p.sentences]


@dataclass
class _Line:
    span: Span
    text: str
    gap_before: bool  # furniture (or the start of the document) lies between this and the previous line


def _lines(doc: CleanDocument) -> list[_Line]:
    text = doc.text
    furniture_starts = sorted(span.start for span, _ in doc.furniture)
    lines: list[_Line] = []
    fi = 0
    prev_end = -1
    for span in doc.content:
        gap = prev_end < 0
        while fi < len(furniture_starts) and furniture_starts[fi] < span.start:
            if furniture_starts[fi] > prev_end:
                gap = True
            fi += 1
        lines.append(_Line(span, text[span.start : span.end], gap))
        prev_end = span.end
    return lines


def _is_heading_like(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= _HEADING_MAX
        and stripped[-1] not in _TERMINAL
        and "\t" not in stripped
        and not _BULLET.match(stripped)
        and not _NOT_A_TITLE.search(stripped)
    )


def _headings(lines: list[_Line]) -> dict[int, str]:
    """Index of the line that opens a section → heading text.

    Markdown headings always open a section; otherwise a block of two or more short lines right
    before a paragraph (a page title and its subtitle, as PDF exports write them) does.
    """
    headings: dict[int, str] = {}
    i = 0
    while i < len(lines):
        md = _MD_HEADING.match(lines[i].text)
        if md:
            headings[i] = md.group(2).strip()
            i += 1
            continue
        j = i
        while j < len(lines) and _is_heading_like(lines[j].text) and not _MD_HEADING.match(lines[j].text):
            j += 1
        if j - i >= 2 and j < len(lines) and len(lines[j].text.strip()) >= _PARAGRAPH_MIN:
            headings[j - 2] = lines[j - 2].text.strip()
        i = max(j, i + 1)
    return headings


def _without_heading_mark(line: _Line) -> Span:
    """The line's span, after its Markdown heading mark (## ) when it has one: passages leave it out."""
    md = _MD_HEADING.match(line.text)
    return Span(line.span.start + md.start(2), line.span.end) if md else line.span


def _sentences(text: str, line: Span) -> list[Sentence]:
    body = text[line.start : line.end]
    out: list[Sentence] = []
    pos = 0
    for match in _SENTENCE_END.finditer(body):
        if match.end() > pos:
            out.extend(_piece(text, line.start + pos, line.start + match.end()))
            pos = match.end()
    if pos < len(body):
        out.extend(_piece(text, line.start + pos, line.end))
    return out


def _piece(text: str, start: int, end: int) -> list[Sentence]:
    """One sentence, trimmed of surrounding spaces; over-long ones are cut at clause marks."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return []
    if end - start <= MAX_PASSAGE:
        return [Sentence(start, end, text[start:end])]
    cut = start + MAX_PASSAGE
    for match in _CLAUSE_END.finditer(text, start + MIN_PASSAGE, start + MAX_PASSAGE):
        cut = match.end()
    return [Sentence(start, cut, text[start:cut]), *_piece(text, cut, end)]


def segment(doc: CleanDocument) -> Segmentation:
    text = doc.text
    lines = _lines(doc)
    headings = _headings(lines)
    title = doc.source.title or next((ln.text.strip().lstrip("#").strip() for ln in lines), doc.source.source)
    sections: list[Section] = []
    groups: list[tuple[str, list[Sentence]]] = []  # runs of sentences that a passage may join
    current = title
    for i, line in enumerate(lines):
        heading = headings.get(i)
        if heading is not None:
            if sections:
                sections[-1] = Section(sections[-1].heading, sections[-1].start, line.span.start)
            sections.append(Section(heading, line.span.start, len(text)))
            current = heading
        if heading is not None or line.gap_before or not groups:
            groups.append((current, []))
        groups[-1][1].extend(_sentences(text, _without_heading_mark(line)))
    passages: list[Passage] = []
    for section, sentences in groups:
        for chunk in _pack(sentences):
            start, end = chunk[0].start, chunk[-1].end
            passages.append(Passage(len(passages), start, end, text[start:end], section, tuple(chunk)))
    return Segmentation(tuple(sections), tuple(passages))


def _pack(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Greedy packing into passages of MIN..MAX characters; a short tail joins the previous one."""
    chunks: list[list[Sentence]] = []
    current: list[Sentence] = []
    for sentence in sentences:
        if (
            current
            and sentence.end - current[0].start > MAX_PASSAGE
            and current[-1].end - current[0].start >= MIN_PASSAGE
        ):
            chunks.append(current)
            current = []
        current.append(sentence)
    if current:
        if (
            chunks
            and current[-1].end - current[0].start < MIN_PASSAGE // 2
            and (current[-1].end - chunks[-1][0].start <= MAX_PASSAGE + MIN_PASSAGE)
        ):
            chunks[-1].extend(current)
        else:
            chunks.append(current)
    return chunks
