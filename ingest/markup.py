"""Markdown and HTML leftovers taken out of a report's text before it is stored.

The stored text of a report is the text as read with its markup residue removed: emphasis (``**``,
``__``), link syntax (``[text](url)`` → text), images, Hugo shortcodes (``{{< … >}}``), HTML comments and
tags, blockquote marks, code fences, and table pipes (a row ``| a | b |`` becomes ``a<TAB>b``, the
``|---|`` rule goes). In Markdown, a line break inside a paragraph is a soft break, not the end of a line
of text: a hard-wrapped paragraph's lines are joined (``join_soft_wraps``), so that a sentence, a name or a
word wrapped across lines is read whole. Heading marks (``#``) stay in the stored text, where they delimit
sections; passages start after them (``ingest.segment``). Every offset of the ingest line is an offset into
this stored text, so ``text[start:end]`` still gives back the cited span, without markup.

>>> strip_markup_text("据**统计**，[KubeEdge](https://kubeedge.io)已<br>落地。<!-- note -->")
'据统计，KubeEdge已落地。'
>>> strip_markup_text("| 排名 | 国家 |\\n|---|---|\\n| 1 | 美国 |")
'排名\\t国家\\n1\\t美国'
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.document import SourceDocument
from kg.tokenize import has_chinese

MARKDOWN = "text/markdown"  # the media type whose line breaks inside a paragraph are soft

__all__ = ["BLOCK_MARKERS", "WRAP_MIN_CHARS", "join_soft_wraps", "strip_markup", "strip_markup_text"]

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
# A soft-wrapped line: at least WRAP_MIN_CHARS characters (not tuned: a title or a label line without a
# heading mark is shorter, a paragraph wrapped at 40 to 80 columns is longer), holding a Chinese character and
# ending inside a sentence (a Chinese character, a Latin letter or digit, or a comma) ...
WRAP_MIN_CHARS = 20
_CJK = "\u4e00-\u9fff"
_ENDS_INSIDE_A_SENTENCE = re.compile(rf"[{_CJK}A-Za-z0-9，、]$")
# ... and followed by a line that goes on with the sentence: not a heading, an item, a quote, a table row or
# a fence
_STARTS_A_BLOCK = re.compile(rf"^\s*(?:#|>|\||```|~~~|{ITEM_MARKER}(?=\S))")
FRONT_MATTER_MARK = "---"  # the line that opens and closes a Markdown file's front matter
_NEVER_WRAPPED = ("#", ">", "|")  # a heading, a quote or a table row is never joined to what follows
_TIGHT = re.compile(rf"[{_CJK}，、。；：！？（）“”]")  # no blank between these when two lines join


def strip_markup(source: SourceDocument) -> SourceDocument:
    """The document with its stored text cleaned of markup residue (the same object when there is none);
    a Markdown document's hard-wrapped paragraphs joined as well."""
    text = strip_markup_text(source.text, markdown=source.media_type == MARKDOWN)
    return source if text == source.text else replace(source, text=text)


def strip_markup_text(text: str, *, markdown: bool = False) -> str:
    """``text`` without markup residue (see the module documentation); with ``markdown``, soft wraps
    joined too."""
    text = _drop_blocks(text)
    raw = text.split("\n")
    if markdown:
        raw = join_soft_wraps(raw)
    lines = [_clean_line(line) for line in raw]
    return "\n".join(line for line in lines if line is not None)


def join_soft_wraps(lines: list[str]) -> list[str]:
    """Markdown source lines with each hard-wrapped paragraph on one line: a line is joined to the next
    when it is a soft wrap (see WRAP_MIN_CHARS) and the next goes on with the sentence; code fences are
    left as they are. Two Chinese sides join with nothing between them, others with a blank.

    >>> wrapped = ["边缘节点上的应用由云端统一下发，离线时由边缘自治组件继续维", "持运行，网络恢复后再同步。"]
    >>> join_soft_wraps([*wrapped, "", "下一段"])
    ['边缘节点上的应用由云端统一下发，离线时由边缘自治组件继续维持运行，网络恢复后再同步。', '', '下一段']
    >>> join_soft_wraps(["KubeEdge 目前已经原生支持容器编排和设备管理", "Kubernetes 和 Helm。"])
    ['KubeEdge 目前已经原生支持容器编排和设备管理 Kubernetes 和 Helm。']
    >>> join_soft_wraps(["基于KubeEdge的边缘流式数据处理", "正文第一句。"])  # short: a title line
    ['基于KubeEdge的边缘流式数据处理', '正文第一句。']
    >>> join_soft_wraps(["停车场边缘侧部署的应用主要包括以下几组", "- 基础服务组"])
    ['停车场边缘侧部署的应用主要包括以下几组', '- 基础服务组']
    """
    front = _front_matter_lines(lines)
    out: list[str] = lines[:front]
    fenced = False
    joinable = False  # the last line of ``out`` is a soft wrap
    for line in lines[front:]:
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            joinable = False
            continue
        stripped = line.strip()
        if joinable and stripped and not _STARTS_A_BLOCK.match(line):
            previous = out[-1].rstrip()
            tight = _TIGHT.match(stripped[0]) and _TIGHT.match(previous[-1])
            out[-1] = previous + ("" if tight else " ") + stripped
        else:
            out.append(line)
        joinable = not fenced and _is_soft_wrap(out[-1])
    return out


def _front_matter_lines(lines: list[str]) -> int:
    """How many lines a leading front-matter block (``---`` … ``---``) takes: its key lines are never
    joined (``ingest.metadata`` reads the report's date there).

    >>> _front_matter_lines(["---", "title: 某某报告", "date: 2024-05-21", "---", "正文"])
    4
    >>> _front_matter_lines(["正文"])
    0
    """
    if not lines or lines[0].strip() != FRONT_MATTER_MARK:
        return 0
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == FRONT_MATTER_MARK), None)
    return 0 if closing is None else closing + 1


def _is_soft_wrap(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= WRAP_MIN_CHARS
        and _ENDS_INSIDE_A_SENTENCE.search(stripped) is not None
        and has_chinese(stripped)
        and "\t" not in stripped
        and not stripped.startswith(_NEVER_WRAPPED)
    )


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
