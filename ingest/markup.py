"""Markdown and HTML leftovers taken out of a report's text before it is stored.

The stored text of a report is the text as read with its markup residue removed: emphasis (``**``,
``__``), link syntax (``[text](url)`` → text), images, Hugo shortcodes (``{{< … >}}``), HTML comments and
tags, blockquote marks, code fences, and table pipes (a row ``| a | b |`` becomes ``a<TAB>b``, the
``|---|`` rule goes). Heading marks (``#``) stay in the stored text, where they delimit sections; passages
start after them (``ingest.segment``). Every offset of the ingest line is an offset into this stored text,
so ``text[start:end]`` still gives back the cited span, without markup.

>>> strip_markup_text("据**统计**，[KubeEdge](https://kubeedge.io)已<br>落地。<!-- note -->")
'据统计，KubeEdge已落地。'
>>> strip_markup_text("| 排名 | 国家 |\\n|---|---|\\n| 1 | 美国 |")
'排名\\t国家\\n1\\t美国'
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.document import SourceDocument

__all__ = ["BLOCK_MARKERS", "strip_markup", "strip_markup_text"]

# Blocks removed whole, as (opening, closing): HTML comments and Hugo shortcodes.
BLOCK_MARKERS = (("<!--", "-->"), ("{{<", ">}}"), ("{{%", "%}}"))
# The marker an item line may open with, kept in the stored text: a bullet, 1）/ 1. / 1、, or (1)
ITEM_MARKER = r"(?:[-*•]\s*|\d{1,2}\s*[）).、]\s*|[（(]\d{1,2}[）)]\s*)"
_IMAGE = re.compile(r"!\[[^\[\]\n]{0,300}\]\([^()\s]{0,800}(?:\s+\"[^\"\n]{0,200}\")?\)")
_LINK = re.compile(r"\[(?P<text>[^\[\]\n]{1,300})\]\([^()\s]{0,800}(?:\s+\"[^\"\n]{0,200}\")?\)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,20}(?:\s[^<>\n]{0,400})?/?>")
_STRONG_UNDERSCORE = re.compile(r"(?<![\w])__(?P<text>[^_\n]{1,300})__(?![\w])")
_IDENTIFIER = re.compile(r"[A-Za-z0-9]+")
_TABLE_ROW = re.compile(r"^\s*\|(?P<body>.*)\|\s*$")
_TABLE_RULE_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)[\w+-]*\s*$")
_QUOTE_MARK = re.compile(r"^\s{0,3}(?:>\s?)+")
_SPACES = re.compile(r"[ \t]+$")


def strip_markup(source: SourceDocument) -> SourceDocument:
    """The document with its stored text cleaned of markup residue (the same object when there is none)."""
    text = strip_markup_text(source.text)
    return source if text == source.text else replace(source, text=text)


def strip_markup_text(text: str) -> str:
    """``text`` without markup residue (see the module documentation)."""
    text = _drop_blocks(text)
    lines = [_clean_line(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line is not None)


def _drop_blocks(text: str) -> str:
    """Remove every BLOCK_MARKERS block (scanning with str.find: linear, no regex backtracking); a block
    that spanned lines leaves one line break so the lines around it stay apart."""
    for opening, closing in BLOCK_MARKERS:
        if opening not in text:
            continue
        pieces: list[str] = []
        pos = 0
        while True:
            start = text.find(opening, pos)
            if start == -1:
                break
            end = text.find(closing, start + len(opening))
            if end == -1:
                break
            pieces.append(text[pos:start])
            if "\n" in text[start:end]:
                pieces.append("\n")
            pos = end + len(closing)
        pieces.append(text[pos:])
        text = "".join(pieces)
    return text


def _clean_line(line: str) -> str | None:
    """One line cleaned; None for a line that is only markup structure (a table rule, a code fence)."""
    if _FENCE.match(line):
        return None
    row = _TABLE_ROW.match(line)
    if row:
        cells = row.group("body").split("|")
        if all(_TABLE_RULE_CELL.match(cell) for cell in cells if cell.strip()):
            return None
        line = "\t".join(_inline(cell).strip() for cell in cells)
        return line.rstrip("\t") if line.strip() else ""
    line = _QUOTE_MARK.sub("", line)
    return _SPACES.sub("", _inline(line))


def _unless_identifier(match: re.Match[str]) -> str:
    """__强调__ loses its marks; a dunder name such as __init__ keeps them."""
    inner = match.group("text")
    return match.group(0) if _IDENTIFIER.fullmatch(inner) else inner


def _inline(text: str) -> str:
    if "![" in text:
        text = _IMAGE.sub("", text)
    if "](" in text:
        text = _LINK.sub(lambda m: m.group("text"), text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "__" in text:
        text = _STRONG_UNDERSCORE.sub(_unless_identifier, text)
    return text.replace("**", "")
