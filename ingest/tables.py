"""Numbers in Markdown tables: a cell that holds only a number takes its unit from its column header.

>>> text = "| 排名 | 国家 | 总人数 | 实际总量（万） |\\n|---|---|---|---|\\n| 1 | 美国 | 435,202 | 207.20 |"
>>> cells = table_cells(text)
>>> [(text[c.start : c.end], c.unit) for c in cells]
[('435,202', '人'), ('207.20', '万')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["COUNT_HEADER_SUFFIXES", "PERSON_HEADER_WORDS", "TableCell", "table_cells"]

_ROW = re.compile(r"^[ \t]*\|(?P<body>[^\n]*)\|[ \t]*$", re.M)
_SEPARATOR_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_NUMBER_CELL = re.compile(r"^\s*(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{2,})\s*$")
_HEADER_UNIT = re.compile(r"[（(]\s*(?P<u>万|亿|万人|人|个|家|次|亿元|万元|元|美元|万美元|亿美元)\s*[)）]")
# Column headers that say what a bare number counts: people (总人数, 开发者数) or things (仓库数, 项目数量).
PERSON_HEADER_WORDS = ("人数", "者数", "人员数", "用户数")
COUNT_HEADER_SUFFIXES = ("数", "数量", "个数")


@dataclass(frozen=True)
class TableCell:
    start: int  # span of the number in the text
    end: int
    raw: str
    unit: str
    header: str


def _cells(body: str, offset: int) -> Iterator[tuple[str, int]]:
    pos = 0
    for piece in body.split("|"):
        yield piece, offset + pos
        pos += len(piece) + 1


def header_unit(header: str) -> str | None:
    """The unit a column header gives its bare numbers, None when it gives none (ranks, scores, years)."""
    marked = _HEADER_UNIT.search(header)
    if marked:
        return marked.group("u")
    name = header.strip()
    if any(word in name for word in PERSON_HEADER_WORDS):
        return "人"
    if name.endswith(COUNT_HEADER_SUFFIXES) and not name.endswith("指数"):
        return "个"
    return None


def table_cells(text: str) -> list[TableCell]:
    """Number-only cells of the Markdown tables in ``text`` whose column header gives a unit."""
    found: list[TableCell] = []
    header: list[str] | None = None
    previous: re.Match[str] | None = None
    in_body = False
    for row in _ROW.finditer(text):
        contiguous = previous is not None and text[previous.end() : row.start()] == "\n"
        cells = [c for c, _ in _cells(row.group("body"), row.start("body"))]
        if all(_SEPARATOR_CELL.match(c) for c in cells if c.strip()) and contiguous and previous is not None:
            header = [c.strip() for c, _ in _cells(previous.group("body"), 0)]
            in_body = True
        elif in_body and contiguous and header is not None:
            for column, (cell, at) in enumerate(_cells(row.group("body"), row.start("body"))):
                number = _NUMBER_CELL.match(cell)
                unit = header_unit(header[column]) if number and column < len(header) else None
                if number and unit:
                    start = at + number.start("n")
                    end = at + number.end("n")
                    found.append(TableCell(start, end, number.group("n"), unit, header[column]))
        else:
            in_body = False
        previous = row
    return found
