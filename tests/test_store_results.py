"""Reading an external store's SPARQL JSON results row by row (kg.sparql.store_results), on the shapes
Virtuoso writes and on bytes cut anywhere."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.sparql.store_results import JsonResultsError, JsonSolutionsReader

# As Virtuoso 7.2 writes them: SPARQL 1.0 "typed-literal", tabs between bindings, one row per line,
# \\u escapes, blank nodes labelled nodeID://…
VIRTUOSO_JSON = (
    '\n{ "head": { "link": [], "vars": ["s", "p", "o"] },\n'
    '  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    '    { "s": { "type": "uri", "value": "https://w3id.org/e/\\u6D4B\\u8BD5\\u4E91" }\t, '
    '"p": { "type": "uri", "value": "http://b" }\t, '
    '"o": { "type": "literal", "xml:lang": "zh", "value": "\\u5BB9\\u5668" }},\n'
    '    { "s": { "type": "bnode", "value": "nodeID://b10000" }\t, '
    '"p": { "type": "uri", "value": "http://b" }\t, '
    '"o": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#decimal", '
    '"value": "0.9" }},\n'
    '    { "s": { "type": "bnode", "value": "nodeID://b10000" }\t, '
    '"p": { "type": "uri", "value": "http://c" }\t, '
    '"o": { "type": "literal", "value": "多行\\n文本\\t\\"引号\\"" }} ] } }'
).encode()


def _solutions(tsv: bytes) -> list[dict[str, ox.Term | None]]:
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [{name: row[name] for name in names} for row in parsed]


def test_virtuoso_results_become_sparql_tsv_with_every_term_kept():
    reader = JsonSolutionsReader()
    reader.feed(VIRTUOSO_JSON)
    reader.finish()
    rows = _solutions(reader.tsv())
    assert rows[0]["s"] == ox.NamedNode("https://w3id.org/e/测试云")
    assert rows[0]["o"] == ox.Literal("容器", language="zh")
    assert rows[1]["o"] == ox.Literal(
        "0.9", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    )
    assert rows[2]["o"] == ox.Literal('多行\n文本\t"引号"')
    assert isinstance(rows[1]["s"], ox.BlankNode) and rows[1]["s"] == rows[2]["s"]  # one node, twice


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_bytes_cut_anywhere_give_the_same_rows(size):
    whole = JsonSolutionsReader()
    whole.feed(VIRTUOSO_JSON)
    whole.finish()
    pieces = JsonSolutionsReader()
    for start in range(0, len(VIRTUOSO_JSON), size):  # cuts inside UTF-8 sequences and escapes too
        pieces.feed(VIRTUOSO_JSON[start : start + size])
    pieces.finish()
    assert pieces.tsv() == whole.tsv() and pieces.rows == 3


def test_rows_are_counted_as_they_complete():
    reader = JsonSolutionsReader()
    cut = VIRTUOSO_JSON.index(b"nodeID://b10000")  # inside the second row
    reader.feed(VIRTUOSO_JSON[:cut])
    assert reader.rows == 1
    assert len(reader.tsv().splitlines()) == 2  # header and the one complete row


def test_results_cut_short_are_an_error():
    reader = JsonSolutionsReader()
    reader.feed(VIRTUOSO_JSON[:-20])
    with pytest.raises(JsonResultsError, match="incomplete"):
        reader.finish()


def test_an_unknown_term_type_is_an_error():
    reader = JsonSolutionsReader()
    with pytest.raises(JsonResultsError, match="unsupported term type"):
        reader.feed(
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "set", "value": "1"}}]}}'
        )
