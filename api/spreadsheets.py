"""Responses in spreadsheet formats (CSV, XLSX) for the JSON resources that offer them."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import Query, Response

from kg.sparql.formats import Format
from kg.tabular import XLSX_MEDIA_TYPE, Table, write_table

__all__ = ["SPREADSHEET_RESPONSES", "TableFormatParam", "spreadsheet_response"]

TableFormatParam = Annotated[
    Literal["json", "csv", "xlsx"] | None,
    Query(
        description="json (default), csv or xlsx; overrides Accept (text/csv, or the XLSX media type).",
        examples=["xlsx"],
    ),
]

SPREADSHEET_RESPONSES: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
}


async def spreadsheet_response(table: Table, fmt: Format, name: str, *, truncated: bool) -> Response:
    """The table as a download named ``name.csv`` / ``name.xlsx`` (written off the event loop: a large
    workbook takes a while). ``X-Cnkg-Truncated`` says whether a cap cut the rows."""
    body = await asyncio.to_thread(write_table, table, fmt)
    return Response(
        content=body,
        media_type=fmt.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt.name}"',
            "X-Cnkg-Truncated": "true" if truncated else "false",
            "Vary": "Accept",
        },
    )
