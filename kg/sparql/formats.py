"""Result and graph formats, and HTTP content negotiation over them.

>>> negotiate("application/sparql-results+xml;q=0.9, text/csv", RESULT_FORMATS).name
'csv'
>>> negotiate("*/*", GRAPH_FORMATS).name
'turtle'
>>> negotiate(None, RESULT_FORMATS).name
'json'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.sparql.errors import NotAcceptableError

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "SELECT_FORMATS",
    "XLSX_MEDIA_TYPE",
    "XLSX_RESULTS",
    "Format",
    "format_by_name",
    "negotiate",
    "parse_accept",
]


@dataclass(frozen=True)
class Format:
    name: str  # short name, also accepted as ?format=
    media_type: str  # what the response says it is
    also_accepts: tuple[str, ...] = ()  # other media types in Accept that select it
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None

    @property
    def accepts(self) -> tuple[str, ...]:
        """The media types in Accept that select it, its own first."""
        return (self.media_type, *self.also_accepts)

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type in _UTF8_TYPES
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @property
    def is_dataset(self) -> bool:
        return self.rdf is not None and self.rdf.supports_datasets


_UTF8_TYPES = {"application/n-triples", "application/n-quads", "application/trig"}

# Order matters: the first acceptable format wins a tie, so the defaults come first.
RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json", "application/sparql-results+json", ("application/json",), results=ox.QueryResultsFormat.JSON
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        results=ox.QueryResultsFormat.XML,
    ),
    Format("csv", "text/csv", results=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", results=ox.QueryResultsFormat.TSV),
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# SELECT results as a spreadsheet: written by kg.tabular from the JSON results, not by Oxigraph.
XLSX_RESULTS = Format("xlsx", XLSX_MEDIA_TYPE)
SELECT_FORMATS: tuple[Format, ...] = (*RESULT_FORMATS, XLSX_RESULTS)

GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("application/x-turtle",), rdf=ox.RdfFormat.TURTLE),
    Format("ntriples", "application/n-triples", ("text/plain",), rdf=ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "application/ld+json", ("application/json",), rdf=ox.RdfFormat.JSON_LD),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), rdf=ox.RdfFormat.RDF_XML),
    Format("trig", "application/trig", rdf=ox.RdfFormat.TRIG),
    Format("nquads", "application/n-quads", rdf=ox.RdfFormat.N_QUADS),
    Format("n3", "text/n3", rdf=ox.RdfFormat.N3),
)

_BY_NAME = {f.name: f for f in SELECT_FORMATS + GRAPH_FORMATS}


def format_by_name(name: str) -> Format:
    return _BY_NAME[name]


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs of an Accept header, lower-cased, parameters other than q dropped."""
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _match(media: str, ranges: list[tuple[str, float]]) -> tuple[int, float]:
    """(specificity, q) of the most specific range matching ``media`` (RFC 9110 §12.5.1); (-1, 0) if none."""
    main = media.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for rng, q in ranges:
        if rng == media:
            specificity = 2
        elif rng == f"{main}/*":
            specificity = 1
        elif rng == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q of a format: the most specific range naming any of its media types decides, so an explicit
    ``q=0`` for it is not overridden by ``*/*`` matching one of its aliases."""
    return max((_match(media, ranges) for media in fmt.accepts), key=lambda m: (m[0], m[1]))[1]


def negotiate(accept: str | None, offered: Sequence[Format], requested: str | None = None) -> Format:
    """The best of ``offered`` for an Accept header, or the one named by ``requested`` (``?format=``,
    a short name or a media type); raises ``NotAcceptableError`` when none is acceptable."""
    if requested:
        wanted = requested.strip().lower()
        for fmt in offered:
            if wanted == fmt.name or wanted in fmt.accepts:
                return fmt
        raise NotAcceptableError(
            f"format {requested!r} is not available here; choose one of " + ", ".join(f.name for f in offered)
        )
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        q = _quality(fmt, ranges)
        if q > best_q:
            best, best_q = fmt, q
    if best is None:
        raise NotAcceptableError(
            f"none of the media types in Accept ({accept}) is available; this resource offers "
            + ", ".join(f.media_type for f in offered)
        )
    return best
