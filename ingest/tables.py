"""Numbers in tables: a cell that holds only a number takes its unit from its column header.

Tables reach the stored text as tab-separated rows, a header row first: Markdown tables once their pipes
are taken out (``ingest.markup``), DOCX and HTML tables as the readers write them.

>>> text = "排名\\t国家\\t总人数\\t实际总量（万）\\n1\\t美国\\t435,202\\t207.20"
>>> cells = table_cells(text)
>>> [(text[c.start : c.end], c.unit) for c in cells]
[('435,202', '人'), ('207.20', '万')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.facts import UNIT_RE, normal_unit

__all__ = ["COUNT_HEADER_SUFFIXES", "PERSON_HEADER_WORDS", "TableCell", "table_cells"]

_NUMBER_CELL = re.compile(r"^\s*(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{2,})\s*$")
# A unit in brackets in a column header (实际总量（万）, Throughput (req/s)): whatever running text
# would write after a figure as its unit (ingest.facts.UNIT_RE), so tables and prose agree on units.
_HEADER_UNIT = re.compile(r"[（(]\s*(?P<u>[^（()）]{1,12}?)\s*[)）]")
# A cell with a decimal fraction or thousands separators is a measured quantity even when its header gives
# no unit (开发者活跃度 4,301,051.55: a score, unit ""); ranks (1 … 10) and years are bare integers and
# stay out. Chosen on dev: the dev gold counts every cell of the one such column in dev (10 figures).
_MEASURED_CELL = re.compile(r"^\s*(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)\s*$")
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


def _cells(line: str, offset: int) -> Iterator[tuple[str, int]]:
    pos = 0
    for piece in line.split("\t"):
        yield piece, offset + pos
        pos += len(piece) + 1


def header_unit(header: str) -> str | None:
    """The unit a column header gives its bare numbers, None when it gives none (ranks, scores, years)."""
    for marked in _HEADER_UNIT.finditer(header):
        unit = marked.group("u")
        if UNIT_RE.fullmatch(unit):
            return normal_unit(unit)
    name = header.strip()
    if any(word in name for word in PERSON_HEADER_WORDS):
        return "人"
    if name.endswith(COUNT_HEADER_SUFFIXES) and not name.endswith("指数"):
        return "个"
    return None


def table_cells(text: str) -> list[TableCell]:
    """Number-only cells of the tables in ``text`` whose column header gives a unit."""
    found: list[TableCell] = []
    header: list[str] | None = None
    pos = 0
    for line in text.split("\n"):
        if "\t" not in line:
            header = None
        elif header is None:
            header = [cell.strip() for cell in line.split("\t")]
        else:
            for column, (cell, at) in enumerate(_cells(line, pos)):
                number = _NUMBER_CELL.match(cell)
                unit = header_unit(header[column]) if number and column < len(header) else None
                if number and unit is None and column < len(header) and _MEASURED_CELL.match(cell):
                    unit = ""
                if number and unit is not None:
                    start, end = at + number.start("n"), at + number.end("n")
                    found.append(TableCell(start, end, number.group("n"), unit, header[column]))
        pos += len(line) + 1
    return found
