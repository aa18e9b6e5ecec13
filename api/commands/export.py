"""``cnkg export``: the dataset (or one report's graph) as TriG, N-Quads or JSON-LD."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.commands.common import DataOption, datadir_for
from kg.errors import InputError, NotFoundError
from kg.export import EXPORT_FORMATS, export_dataset, export_to_file

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_cmd(
        data: DataOption = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="trig, nquads or jsonld (all keep the named graphs).")
        ] = "trig",
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
    ) -> None:
        """Export the knowledge graph (lexicon and every report graph, or one report) for other RDF tools."""
        if fmt.lower() not in EXPORT_FORMATS:
            raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        datadir = datadir_for(data)
        if not datadir.exists():
            raise NotFoundError(f"no cnkg data in {datadir.root}; ingest reports first")
        if output is None:
            summary = export_dataset(datadir, fmt, sys.stdout.buffer, report=report)
            sys.stdout.buffer.flush()
        else:
            summary = export_to_file(datadir, fmt, output, report=report)
        typer.echo(f"exported {summary.quads:,} quads in {summary.graphs} graph(s)", err=True)
