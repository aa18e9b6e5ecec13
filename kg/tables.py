"""cnkg's results as tables for spreadsheets: observations (``/facts``), search hits and SPARQL SELECT
results, each row carrying where it comes from (report title, passage IRI, offsets, sentence).

>>> sparql_table({"head": {"vars": ["x", "n"]}, "results": {"bindings": [{"x": {"type": "uri",
...     "value": "https://w3id.org/cnkg/id/entity/k8s"}, "n": {"type": "literal", "value": "12.8",
...     "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}}]}}).rows
[['https://w3id.org/cnkg/id/entity/k8s', Decimal('12.8')]]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.namespaces import rid_of
from kg.tabular import Cell, Table

__all__ = ["FACT_COLUMNS", "SEARCH_COLUMNS", "facts_table", "search_table", "sparql_table"]

FACT_COLUMNS = (
    "metric",
    "subject",
    "metric as written",
    "value",
    "value max",
    "unit",
    "qualifier",
    "year",
    "forecast",
    "entity",
    "entity IRI",
    "figure as written",
    "sentence",
    "report title",
    "report IRI",
    "passage IRI",
    "start",
    "end",
    "fact IRI",
)

SEARCH_COLUMNS = (
    "rank",
    "score",
    "report title",
    "report IRI",
    "passage IRI",
    "start",
    "end",
    "text",
    "entities",
)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_DECIMALS = {_XSD + "decimal"}
_FLOATS = {_XSD + "double", _XSD + "float"}


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _fact_rows(groups: list[dict[str, Any]]) -> Iterator[list[Cell]]:
    for group in groups:
        for obs in group["observations"]:
            about = obs["about"] or {}
            evidence, report = obs["evidence"], obs["report"]
            yield [
                group["metric"],
                group["subject"],
                obs["metric"],
                _number(obs["value"]),
                _number(obs["valueMax"]),
                obs["unit"],
                obs["qualifier"],
                obs["year"],
                "forecast" if obs["forecast"] else "actual",
                about.get("label"),
                about.get("iri"),
                evidence["text"],
                evidence["sentence"],
                report["title"],
                report["iri"],
                evidence["passage"],
                evidence["start"],
                evidence["end"],
                obs["iri"],
            ]


def facts_table(result: Mapping[str, Any]) -> Table:
    """One row per observation of a ``compare_facts`` result, group by group."""
    return Table(FACT_COLUMNS, list(_fact_rows(result["groups"])), title="facts")


def search_table(result: Mapping[str, Any], titles: Mapping[str, str], offset: int = 0) -> Table:
    """One row per hit of a search result; ``titles`` maps report ids to their titles."""
    rows: list[list[Cell]] = []
    for rank, hit in enumerate(result["hits"], offset + 1):
        rid = rid_of(hit["report"])
        entities = "; ".join(f"{e['label']} ({e['type']})" for e in hit["entities"])
        rows.append(
            [
                rank,
                hit["score"],
                titles.get(rid),
                hit["report"],
                hit["passage"],
                hit["start"],
                hit["end"],
                hit["text"],
                entities,
            ]
        )
    return Table(SEARCH_COLUMNS, rows, title="search")


def _term_cell(term: Mapping[str, str] | None) -> Cell:
    """A SPARQL JSON term as a cell: numbers as numbers, blank nodes as ``_:id``, else the text."""
    if term is None:
        return None
    value = term["value"]
    if term["type"] == "bnode":
        return "_:" + value
    datatype = term.get("datatype")
    try:
        if datatype in _INTEGERS:
            return int(value)
        if datatype in _DECIMALS:
            return Decimal(value)
        if datatype in _FLOATS and math.isfinite(number := float(value)):
            return number
    except (ValueError, InvalidOperation):
        pass  # an ill-typed literal stays text
    return value


def sparql_table(results: Mapping[str, Any]) -> Table:
    """SPARQL 1.1 JSON SELECT results as a table: one column per variable."""
    variables: list[str] = results["head"]["vars"]
    rows = [[_term_cell(b.get(v)) for v in variables] for b in results["results"]["bindings"]]
    return Table(variables, rows, title="sparql")
