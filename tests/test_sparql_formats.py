"""Content negotiation over result and graph formats."""

from __future__ import annotations

import pytest

from kg.sparql.errors import NotAcceptableError
from kg.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, negotiate, parse_accept


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/*", "xml"),  # text/xml is an alias of the XML results
        ("text/tab-separated-values, text/csv;q=0.5", "tsv"),
        ("application/sparql-results+json;q=0.1, application/sparql-results+xml;q=0.2", "xml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "xml"),
    ],
)
def test_results_negotiation(accept, expected):
    assert negotiate(accept, RESULT_FORMATS).name == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "turtle"),
        ("application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
        ("application/rdf+xml, text/turtle;q=0.8", "rdfxml"),
        ("text/plain", "ntriples"),
        ("application/n-quads", "nquads"),
    ],
)
def test_graph_negotiation(accept, expected):
    assert negotiate(accept, GRAPH_FORMATS).name == expected


def test_q_zero_excludes():
    with pytest.raises(NotAcceptableError):
        negotiate("text/csv;q=0, image/png", RESULT_FORMATS)


def test_specific_range_beats_wildcard():
    # */* would accept JSON, but the explicit q=0 for it wins
    assert negotiate("application/sparql-results+json;q=0, */*", RESULT_FORMATS).name == "xml"


def test_format_parameter():
    assert negotiate("application/json", RESULT_FORMATS, "csv").name == "csv"
    assert negotiate(None, GRAPH_FORMATS, "application/n-triples").name == "ntriples"
    with pytest.raises(NotAcceptableError):
        negotiate(None, RESULT_FORMATS, "turtle")


def test_parse_accept_tolerates_junk():
    assert parse_accept("text/csv;q=abc, , *;q=0.5") == [("text/csv", 0.0), ("*/*", 0.5)]
