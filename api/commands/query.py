"""``cnkg query``: run SPARQL over the data directory and print a table or a serialisation."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from api.commands.common import DataOption, datadir_for, format_option
from kg.errors import InputError
from kg.namespaces import PREFIXES
from kg.store import GraphStore

__all__ = ["OutputFormat", "register", "render_term"]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


_RESULT_FORMATS = {
    OutputFormat.json: ox.QueryResultsFormat.JSON,
    OutputFormat.csv: ox.QueryResultsFormat.CSV,
    OutputFormat.tsv: ox.QueryResultsFormat.TSV,
    OutputFormat.xml: ox.QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {OutputFormat.turtle: ox.RdfFormat.TURTLE, OutputFormat.ntriples: ox.RdfFormat.N_TRIPLES}


def render_term(term: object) -> str:
    """A compact form of an RDF term for a table: prefixed names, plain literal values."""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return "" if term is None else str(term)


def _print(result: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean, fmt: OutputFormat) -> None:
    if isinstance(result, ox.QueryBoolean):
        if fmt in _RESULT_FORMATS:
            sys.stdout.buffer.write(result.serialize(format=_RESULT_FORMATS[fmt]) or b"")
        else:
            typer.echo("true" if result else "false")
        return
    if isinstance(result, ox.QueryTriples):
        rdf_format = _GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        sys.stdout.buffer.write(result.serialize(format=rdf_format) or b"")
        return
    if fmt in _GRAPH_FORMATS:
        raise InputError(f"--format {fmt.value} is for CONSTRUCT/DESCRIBE; use table, json, csv, tsv or xml")
    if fmt in _RESULT_FORMATS:
        sys.stdout.buffer.write(result.serialize(format=_RESULT_FORMATS[fmt]) or b"")
        return
    names = [v.value for v in result.variables]
    table = Table(*names)
    count = 0
    for solution in result:
        table.add_row(*(render_term(solution[n]) for n in names))
        count += 1
    Console().print(table)
    Console(stderr=True).print(f"{count} row(s)")


def register(app: typer.Typer) -> None:
    @app.command("query")
    def query_cmd(
        sparql: Annotated[str, typer.Argument(help="A SPARQL 1.1 query; '-' reads it from standard input.")],
        data: DataOption = None,
        fmt: Annotated[OutputFormat, format_option("Output format.")] = OutputFormat.table,
    ) -> None:
        """Run a SPARQL query (common prefixes such as cnkg:, skos:, dcterms: are predeclared)."""
        text = sys.stdin.read() if sparql == "-" else sparql
        if not text.strip():
            raise InputError("empty query")
        store = GraphStore.open(datadir_for(data))
        _print(store.query(text), fmt)
