"""Serialise query results with a row cap and a byte cap, neither of them silent.

SELECT results in JSON (the default) are written by Oxigraph in one pass and counted in their bytes; other
formats are first written as TSV (one line per row, so rows can be counted while the engine streams them,
and the stream stopped once the cap is passed), then converted by Oxigraph's own parser and serialiser, so
every byte is produced in Rust. CONSTRUCT/DESCRIBE triples are
counted one by one on their way to the serialiser. Every result is counted, whatever the query's own LIMIT
says. A body longer than ``byte_cap`` is cut after a whole row or triple (a valid document, with fewer
rows) and flagged as truncated; the sinks that collect TSV, JSON and N-Triples stop the engine's writer
once they hold ``byte_cap`` bytes, so a huge result is never held whole.

>>> from kg.sparql.formats import format_by_name
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x")))
>>> out = serialize_solutions(store.query("SELECT ?s ?o { ?s ?p ?o }"), format_by_name("csv"), row_cap=10)
>>> out.body, out.rows, out.truncated
(b's,o\\r\\nhttp://e/a,x\\r\\n', 1, False)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, count, islice
from operator import itemgetter
from typing import IO, cast

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.sparql.formats import Format, format_by_name

__all__ = [
    "SerializedResult",
    "cap_tsv",
    "mark_truncated_json",
    "render_tsv",
    "serialize_boolean",
    "serialize_solutions",
    "serialize_triples",
    "tsv_from_json",
    "tsv_to",
]

_JSON = format_by_name("json")


@dataclass(frozen=True)
class SerializedResult:
    body: bytes
    rows: int  # rows (SELECT), triples (CONSTRUCT/DESCRIBE) or 1 (ASK) in the body; -1 if not counted
    truncated: bool  # more existed than the row cap let through


class _CapReachedError(Exception):
    pass


class _CountingSink(io.RawIOBase):
    """A sink that keeps what it is given, counts one marker byte sequence in it (newlines for TSV and
    N-Triples, '{' for JSON), and stops the writer once ``limit`` of them, or more than ``byte_limit``
    bytes, have been written (``over_bytes`` tells which)."""

    def __init__(self, marker: bytes, limit: int, byte_limit: int | None = None) -> None:
        self.chunks: list[bytes] = []
        self.marker = marker
        self.seen = 0
        self.limit = limit
        self.byte_limit = byte_limit
        self.size = 0
        self.full = False
        self.over_bytes = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.full:  # the writer's buffer is flushed again when it is dropped: not new data
            raise _CapReachedError
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.size += len(chunk)
        self.seen += chunk.count(self.marker)
        if self.byte_limit is not None and self.size > self.byte_limit:
            self.full = self.over_bytes = True
            raise _CapReachedError
        if self.seen >= self.limit:
            self.full = True
            raise _CapReachedError
        return len(chunk)

    def fill(self, write: Callable[[IO[bytes]], object]) -> bytes:
        """Run ``write`` into this sink; what it wrote, up to where the sink stopped it."""
        try:
            write(cast(IO[bytes], self))
        except Exception:
            if not self.full:
                raise
        return b"".join(self.chunks)


def _first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` complete lines of ``data``."""
    end = -1
    for _ in range(count):
        end = data.index(b"\n", end + 1)
    return data[: end + 1]


def _whole_lines(data: bytes) -> bytes:
    """``data`` without an incomplete last line."""
    return data[: data.rfind(b"\n") + 1]


_FIT_MARGIN = 0.98  # when a body is over the byte cap, keep this share of the rows that would fit


def _fit(render: Callable[[int], bytes], rows: int, byte_cap: int | None) -> tuple[bytes, int]:
    """``render(rows)``, with fewer rows until it is at most ``byte_cap`` bytes; (body, rows kept)."""
    body = render(rows)
    while byte_cap is not None and len(body) > byte_cap and rows > 0:
        rows = min(rows - 1, int(rows * byte_cap / len(body) * _FIT_MARGIN))
        body = render(rows)
    return body, rows


def render_tsv(
    tsv: bytes, fmt: Format, *, row_cap: int, byte_cap: int | None = None, more: bool = False
) -> SerializedResult:
    r"""SPARQL TSV results (a header line, then one line per row; an incomplete last line is dropped) in
    ``fmt``, with at most ``row_cap`` rows and ``byte_cap`` bytes; ``more``: rows beyond ``tsv`` existed.

    >>> tsv = b"?s\n" + b"".join(b"<http://e/%d>\n" % i for i in range(100))
    >>> out = render_tsv(tsv, format_by_name("csv"), row_cap=1000, byte_cap=200)
    >>> out.rows, out.truncated, len(out.body) <= 200
    (15, True, True)
    """
    tsv, rows, truncated = cap_tsv(_whole_lines(tsv), row_cap)
    truncated = truncated or more

    def render(n: int) -> bytes:
        body = tsv_to(_first_lines(tsv, n + 1), fmt)
        return mark_truncated_json(body, row_cap) if fmt.name == "json" and (truncated or n < rows) else body

    body, kept = _fit(render, rows, byte_cap)
    return SerializedResult(body, kept, truncated or kept < rows)


def cap_tsv(tsv: bytes, row_cap: int) -> tuple[bytes, int, bool]:
    """Cut SPARQL TSV results (a header line, then one line per row) to ``row_cap`` rows."""
    lines = tsv.count(b"\n")
    rows = max(0, lines - 1)
    if rows <= row_cap:
        return tsv, rows, False
    return _first_lines(tsv, row_cap + 1), row_cap, True


def tsv_to(tsv: bytes, fmt: Format) -> bytes:
    """Convert SPARQL TSV results into another results format."""
    if fmt.name == "tsv":
        return tsv
    assert fmt.results is not None
    solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions.serialize(format=fmt.results) or b""


def mark_truncated_json(body: bytes, row_cap: int) -> bytes:
    """Add ``"truncated": true`` and ``"rowCap"`` to SPARQL JSON results. They go first: generic JSON
    clients ignore unknown keys anywhere, and streaming parsers such as Oxigraph's accept them there."""
    return b'{"truncated":true,"rowCap":' + str(row_cap).encode() + b"," + body.lstrip()[1:]


def serialize_solutions(
    solutions: ox.QuerySolutions,
    fmt: Format,
    *,
    row_cap: int,
    byte_cap: int | None = None,
    rerun: Callable[[], ox.QuerySolutions] | None = None,
) -> SerializedResult:
    """SELECT results with at most ``row_cap`` rows and ``byte_cap`` bytes. JSON, the default format, is
    written by Oxigraph in one pass and checked in its bytes (see ``_serialize_json``); the other formats,
    and JSON that cannot be counted from its bytes or is over the byte cap, go through TSV, which is
    counted line by line. ``rerun`` evaluates the query again, for the rare JSON result that was stopped
    early and cannot be counted."""
    if fmt.name == "json":
        direct = _serialize_json(solutions, row_cap, byte_cap)
        if direct is not None:
            return direct
        if rerun is None:
            raise ValueError("these JSON results cannot be counted, and the query cannot be evaluated again")
        solutions = rerun()
    return _serialize_through_tsv(solutions, fmt, row_cap=row_cap, byte_cap=byte_cap)


def _serialize_through_tsv(
    solutions: ox.QuerySolutions, fmt: Format, *, row_cap: int, byte_cap: int | None
) -> SerializedResult:
    # header + row_cap rows + one more proves truncation; TSV is the most compact results format but for
    # CSV, so more TSV than byte_cap bytes cannot fit (CSV may then be cut a little short: still flagged)
    sink = _CountingSink(b"\n", row_cap + 2, byte_cap)
    tsv = sink.fill(lambda out: solutions.serialize(out, format=ox.QueryResultsFormat.TSV))
    return render_tsv(tsv, fmt, row_cap=row_cap, byte_cap=byte_cap, more=sink.over_bytes)


# How SPARQL JSON from Oxigraph is checked without parsing it. Its shape is
#   {"head":{"vars":[…]},"results":{"bindings":[{"v":{"type":…,"value":…},…},{…}]}}
# 1. Three '{' open the document, each row opens one, each binding one, and strings may hold more: so when
#    the '{' count minus 3 is at most row_cap, there are at most row_cap rows. One bytes.count, in C, settles
#    most results (a 2,000-row, 4-column result: about 0.1 ms, against over 1 ms to convert it).
# 2. Larger results are counted row by row: a quote inside a string is escaped, so '},{"' occurs only
#    between two rows, or where a string ends in '},{' (then followed by ',' or '}'). With neither of those
#    endings, no empty row ('{}') and no RDF-star triple term, rows = separators + 1, and the cut after row
#    row_cap is at a separator. Anything else is counted by converting the body to TSV.
_OPENING_BRACES = 3
_ROW_SEPARATOR = b'},{"'
_BINDINGS = b'"bindings":['
_AMBIGUOUS = (b'},{",', b'},{"}', b"{}", b'"type":"triple"')


def _serialize_json(
    solutions: ox.QuerySolutions, row_cap: int, byte_cap: int | None
) -> SerializedResult | None:
    """SPARQL JSON written by Oxigraph in one pass, cut at ``row_cap`` rows; None when the writer was
    stopped early and its bytes cannot prove where row ``row_cap`` ends, or the body is over ``byte_cap``
    (the TSV path cuts it)."""
    width = len(solutions.variables)
    # a row with a binding has at least two '{': this bounds what a huge result writes before it is cut
    sink = _CountingSink(b"{", _OPENING_BRACES + (row_cap + 1) * (width + 1) + 1, byte_cap)
    body = sink.fill(lambda out: solutions.serialize(out, format=ox.QueryResultsFormat.JSON))
    if sink.over_bytes:
        return None
    if not sink.full and sink.seen - _OPENING_BRACES <= row_cap:
        return SerializedResult(body, -1, False)  # at most row_cap rows; not counted
    first = body.find(_BINDINGS) + len(_BINDINGS)
    if first < len(_BINDINGS) or any(marker in body for marker in _AMBIGUOUS):
        if sink.full:
            return None
        return render_tsv(tsv_from_json(body), _JSON, row_cap=row_cap, byte_cap=byte_cap)
    rows = body.count(_ROW_SEPARATOR, first) + 1 if body[first : first + 1] == b"{" else 0
    if sink.full and rows <= row_cap + 1:
        # stopped by braces inside strings before enough rows were written; or the last separator, in the
        # row the writer was stopped in, might be a string's end whose next byte was never written
        return None
    if rows <= row_cap:
        return SerializedResult(body, rows, False)
    end = first  # keep the '[' when no row is kept; else up to the closing brace of row number row_cap
    for _ in range(row_cap):
        end = body.index(_ROW_SEPARATOR, end) + 1
    out = mark_truncated_json(body[:end] + b"]}}", row_cap)
    if byte_cap is not None and len(out) > byte_cap:
        return render_tsv(tsv_from_json(out), _JSON, row_cap=row_cap, byte_cap=byte_cap, more=True)
    return SerializedResult(out, row_cap, True)


def tsv_from_json(body: bytes) -> bytes:
    """SPARQL JSON results as SPARQL TSV (one line per row)."""
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions.serialize(format=ox.QueryResultsFormat.TSV) or b""


def serialize_boolean(result: ox.QueryBoolean, fmt: Format) -> SerializedResult:
    if fmt.results is None:
        raise ValueError(f"{fmt.name} is not a query results format")
    return SerializedResult(result.serialize(format=fmt.results) or b"", 1, False)


class _Capped:
    """Pass at most ``cap`` items through, remembering whether more were offered."""

    def __init__(self, items: Iterable[ox.Triple], cap: int, as_quads: bool) -> None:
        self.items = items
        self.cap = cap
        self.as_quads = as_quads
        self.count = 0
        self.truncated = False

    def __iter__(self) -> Iterator[ox.Triple | ox.Quad]:
        for item in self.items:
            if self.count == self.cap:
                self.truncated = True
                return
            self.count += 1
            yield ox.Quad(item.subject, item.predicate, item.object) if self.as_quads else item


# N-Triples is valid N-Quads (default graph); it is also line-based, so it can be counted and cut while
# Oxigraph streams it. Turtle, TriG and N3 are written by Oxigraph from the counted triples (grouped by
# subject: about half the bytes of N-Triples), with prefixes when the result is small.
_NTRIPLES_COMPATIBLE = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
_PRETTY = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3)
PRETTY_LIMIT = 2_000


def serialize_triples(
    triples: ox.QueryTriples | Iterable[ox.Triple], fmt: Format, *, row_cap: int, byte_cap: int | None = None
) -> SerializedResult:
    """CONSTRUCT/DESCRIBE triples in ``fmt``, at most ``row_cap`` triples and ``byte_cap`` bytes."""
    if fmt.rdf is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    if isinstance(triples, ox.QueryTriples) and fmt.rdf in _NTRIPLES_COMPATIBLE:
        sink = _CountingSink(b"\n", row_cap + 1, byte_cap)
        data = sink.fill(lambda out: triples.serialize(out, format=ox.RdfFormat.N_TRIPLES))
        if sink.over_bytes and byte_cap is not None:
            data = _whole_lines(data[:byte_cap])
        rows = data.count(b"\n")
        truncated = rows > row_cap or sink.over_bytes
        if rows > row_cap:
            data, rows = _first_lines(data, row_cap), row_cap
        return SerializedResult(data, rows, truncated)
    if isinstance(triples, ox.QueryTriples) and fmt.rdf in _PRETTY:
        out = _serialize_pretty(triples, fmt, row_cap=row_cap)
    else:
        out = _serialize_items(triples, fmt, row_cap=row_cap)
    if byte_cap is None or len(out.body) <= byte_cap:
        return out
    return _cut_triples(out.body, fmt, byte_cap)


def _cut_triples(body: bytes, fmt: Format, byte_cap: int) -> SerializedResult:
    """An RDF document over the byte cap, written again with as many of its triples as fit."""
    assert fmt.rdf is not None
    items = [
        ox.Quad(q.subject, q.predicate, q.object)
        if fmt.is_dataset
        else ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(body, format=fmt.rdf)
    ]

    def render(n: int) -> bytes:
        return (
            ox.serialize(cast(Iterable[ox.Quad], items[:n]), format=fmt.rdf, prefixes=_prefixes_for(fmt))
            or b""
        )

    cut, kept = _fit(render, len(items), byte_cap)
    return SerializedResult(cut, kept, True)


def _serialize_items(triples: Iterable[ox.Triple], fmt: Format, *, row_cap: int) -> SerializedResult:
    assert fmt.rdf is not None
    capped = _Capped(triples, row_cap, as_quads=fmt.is_dataset)
    items = cast(Iterable[ox.Quad], capped)  # triples, or quads in the default graph for dataset formats
    body = ox.serialize(items, format=fmt.rdf, prefixes=_prefixes_for(fmt)) or b""
    return SerializedResult(body, capped.count, capped.truncated)


def _serialize_pretty(triples: ox.QueryTriples, fmt: Format, *, row_cap: int) -> SerializedResult:
    """Turtle/TriG/N3, counted triple by triple on their way to Oxigraph's serialiser: with prefixes up to
    ``PRETTY_LIMIT`` triples; larger results without (the prefix lookup would cost more than it saves)."""
    assert fmt.rdf is not None
    stream = iter(triples)
    small = min(row_cap, PRETTY_LIMIT)
    head = list(islice(stream, small + 1))
    if len(head) <= small or small == row_cap:
        truncated = len(head) > row_cap
        kept = head[:row_cap]
        kept_items = [ox.Quad(t.subject, t.predicate, t.object) for t in kept] if fmt.is_dataset else kept
        body = ox.serialize(cast(Iterable[ox.Quad], kept_items), format=fmt.rdf, prefixes=PREFIXES) or b""
        return SerializedResult(body, len(kept), truncated)
    rest = chain(head, stream)
    if fmt.is_dataset:
        capped = _Capped(rest, row_cap, as_quads=True)
        body = ox.serialize(cast(Iterable[ox.Quad], capped), format=fmt.rdf) or b""
        return SerializedResult(body, capped.count, capped.truncated)
    # the same count as _Capped, without a Python frame per triple: zip stops before pulling the
    # counter once islice is exhausted, so next(counter) is the number of triples serialised
    counter = count()
    items = map(itemgetter(0), zip(islice(rest, row_cap), counter, strict=False))
    body = ox.serialize(cast(Iterable[ox.Quad], items), format=fmt.rdf) or b""
    rows = next(counter)
    truncated = rows == row_cap and next(rest, None) is not None
    return SerializedResult(body, rows, truncated)


def _prefixes_for(fmt: Format) -> dict[str, str] | None:
    return PREFIXES if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3) else None
