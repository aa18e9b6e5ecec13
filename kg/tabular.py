"""Rows and columns as a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese) or XLSX.

The one place cnkg writes tables for people's spreadsheets (``/facts``, ``/search`` and SPARQL SELECT
results, ``cnkg export --facts``). XLSX is written by openpyxl in write-only mode, which keeps one row in
memory at a time, so a large result costs little more than its output. A text cell that a spreadsheet would
take for a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) cannot run: in
CSV it gets a leading apostrophe, in XLSX it is stored as a string cell, never as a formula.

>>> table = Table(("metric", "value"), [("市场规模", 12.8), ("=1+1", None)])
>>> write_csv(table).decode("utf-8-sig")
"metric,value\\r\\n市场规模,12.8\\r\\n'=1+1,\\r\\n"
>>> from openpyxl import load_workbook
>>> sheet = load_workbook(io.BytesIO(write_xlsx(table))).active
>>> [[c.value for c in row] for row in sheet.iter_rows()]
[['metric', 'value'], ['市场规模', 12.8], ['=1+1', None]]
>>> sheet["A3"].data_type
's'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kg.sparql.errors import NotAcceptableError
from kg.sparql.formats import XLSX_MEDIA_TYPE, Format, negotiate

__all__ = [
    "CSV",
    "JSON",
    "TABLE_FORMATS",
    "XLSX",
    "XLSX_MEDIA_TYPE",
    "Cell",
    "Table",
    "neutralise",
    "table_format",
    "write_csv",
    "write_table",
    "write_xlsx",
]

Cell = str | int | float | Decimal | None

JSON = Format("json", "application/json")
CSV = Format("csv", "text/csv")
XLSX = Format("xlsx", XLSX_MEDIA_TYPE)
TABLE_FORMATS: tuple[Format, ...] = (JSON, CSV, XLSX)  # JSON first: what a bare or */* Accept gets

# Characters that make a spreadsheet read a text cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit on the characters of one cell; longer text is cut (and says so) rather than refused.
MAX_CELL_CHARS = 32_767
_CUT_MARK = "…"
# Excel's limit on a sheet name.
MAX_SHEET_TITLE = 31


@dataclass(frozen=True)
class Table:
    """A header and rows of plain values (text, numbers or None for an empty cell)."""

    columns: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    title: str = "cnkg"  # the XLSX sheet name


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as written instead of evaluating it.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-5%"), neutralise("云原生")
    ('\\'=HYPERLINK("http://x")', "'-5%", '云原生')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _fit(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - len(_CUT_MARK)] + _CUT_MARK


def write_csv(table: Table) -> bytes:
    """The table as CSV (RFC 4180 line ends, UTF-8 with BOM); text cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> WriteOnlyCell | Cell:
    """The value as written, except text a spreadsheet would run: a string cell (openpyxl would store
    "=…" as a formula), which is never evaluated. Plain values keep write-only mode fast."""
    if isinstance(value, str):
        value = _fit(value)
        if value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def write_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet, header row bold and frozen, written row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:MAX_SHEET_TITLE] or "cnkg")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=_fit(name))
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_table(table: Table, fmt: Format) -> bytes:
    """The table in ``fmt`` (CSV or XLSX)."""
    if fmt.name == "csv":
        return write_csv(table)
    if fmt.name == "xlsx":
        return write_xlsx(table)
    raise ValueError(f"{fmt.name} is not a spreadsheet format")


def table_format(accept: str | None, requested: str | None) -> Format:
    """JSON, CSV or XLSX for a resource that is JSON by default: ``?format=`` decides, else ``Accept``
    (an Accept naming none of them still gets JSON, as before these formats existed)."""
    if requested:
        return negotiate(None, TABLE_FORMATS, requested)
    try:
        return negotiate(accept, TABLE_FORMATS)
    except NotAcceptableError:
        return JSON
