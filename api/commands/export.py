"""``cnkg export``: the dataset (or one report's graph) as TriG, N-Quads or JSON-LD; or, with ``--facts``,
the observations as a spreadsheet (CSV or XLSX)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.commands.common import DataOption, datadir_for, format_option, ingested, settings_for
from kg.datadir import write_atomic
from kg.errors import InputError
from kg.export import EXPORT_FORMATS, export_dataset, export_to_file
from kg.facts import compare_facts, entity_filter
from kg.settings import Settings
from kg.sparql.engine import INTERNAL_ROW_CAP, make_engine
from kg.tables import facts_table
from kg.tabular import CSV, XLSX, Table, write_table

__all__ = ["register"]

_SPREADSHEETS = {".csv": CSV, ".xlsx": XLSX}
# The export runs one query at a time: one worker process is enough.
_EXPORT_WORKERS = 1


async def _facts(settings: Settings, metric: str | None, entity: str | None, year: int | None) -> Table:
    """The observations through the same engine and grouping as ``GET /facts`` (every group)."""
    engine = make_engine(settings)
    await engine.start()
    try:
        slug, forms = entity_filter(entity)
        result = await compare_facts(
            engine,
            metric=metric,
            entity=slug,
            entity_forms=forms,
            year=year,
            limit=INTERNAL_ROW_CAP,
        )
    finally:
        await engine.close()
    return facts_table(result)


def _export_facts(
    data: Path | None, path: Path, metric: str | None, entity: str | None, year: int | None
) -> None:
    fmt = _SPREADSHEETS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"--facts writes .csv or .xlsx files, not {path.name!r}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; give a file name")
    settings = settings_for(data, query_workers=_EXPORT_WORKERS)
    ingested(datadir_for(data))
    table = asyncio.run(_facts(settings, metric, entity, year))
    write_atomic(path, write_table(table, fmt))
    typer.echo(f"exported {len(list(table.rows)):,} observations to {path}", err=True)


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_cmd(
        data: DataOption = None,
        fmt: Annotated[str, format_option("trig, nquads or jsonld (all keep the named graphs).")] = "trig",
        report: Annotated[
            str | None,
            typer.Option("--report", help="Only this report's graph (id, id prefix, IRI or file name)."),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option(
                "--output", "-o", help="Write to this file (complete or not at all); default stdout."
            ),
        ] = None,
        facts: Annotated[
            Path | None,
            typer.Option(
                "--facts",
                help="Instead of the graph, write the observations (market figures) with their sentence, "
                "report title and passage to this .xlsx or .csv file.",
            ),
        ] = None,
        metric: Annotated[
            str | None, typer.Option("--metric", help="With --facts: only this measure (市场规模, CAGR …).")
        ] = None,
        entity: Annotated[
            str | None, typer.Option("--entity", help="With --facts: only about this entity.")
        ] = None,
        year: Annotated[int | None, typer.Option("--year", help="With --facts: only this year.")] = None,
    ) -> None:
        """Export the knowledge graph (lexicon and every report graph, or one report) for other RDF tools,
        or its market figures for a spreadsheet (--facts)."""
        if facts is not None:
            _export_facts(data, facts, metric, entity, year)
            return
        if fmt.lower() not in EXPORT_FORMATS:
            raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        datadir = ingested(datadir_for(data))
        if output is None:
            summary = export_dataset(datadir, fmt, sys.stdout.buffer, report=report)
            sys.stdout.buffer.flush()
        else:
            summary = export_to_file(datadir, fmt, output, report=report)
        typer.echo(f"exported {summary.quads:,} quads in {summary.graphs} graph(s)", err=True)
