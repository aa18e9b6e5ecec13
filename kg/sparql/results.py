"""Serialise query results with a row cap that is never silent.

SELECT results are first written as TSV (one line per row, so rows can be counted while the engine
streams them, and the stream stopped once the cap is passed), then, for other formats, converted by
Oxigraph's own parser and serialiser, so every byte is produced in Rust. CONSTRUCT/DESCRIBE triples are
counted one by one on their way to the serialiser.

>>> from kg.sparql.formats import format_by_name
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x")))
>>> out = serialize_solutions(store.query("SELECT ?s ?o { ?s ?p ?o }"), format_by_name("csv"), row_cap=10)
>>> out.body, out.rows, out.truncated
(b's,o\\r\\nhttp://e/a,x\\r\\n', 1, False)
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, count, islice
from operator import itemgetter
from typing import IO, cast

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.sparql.formats import Format

__all__ = [
    "SerializedResult",
    "cap_tsv",
    "mark_truncated_json",
    "serialize_boolean",
    "serialize_limited",
    "serialize_solutions",
    "serialize_triples",
    "tsv_to",
]


@dataclass(frozen=True)
class SerializedResult:
    body: bytes
    rows: int  # rows (SELECT), triples (CONSTRUCT/DESCRIBE) or 1 (ASK) in the body; -1 if not counted
    truncated: bool  # more existed than the row cap let through


class _CapReachedError(Exception):
    pass


class _LineCounter(io.RawIOBase):
    """A sink that keeps what it is given and stops the writer once ``limit`` lines are complete."""

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit = limit
        self.full = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines >= self.limit:
            self.full = True
            raise _CapReachedError
        return len(chunk)


def _first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` complete lines of ``data``."""
    end = -1
    for _ in range(count):
        end = data.index(b"\n", end + 1)
    return data[: end + 1]


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


def serialize_solutions(solutions: ox.QuerySolutions, fmt: Format, *, row_cap: int) -> SerializedResult:
    sink = _LineCounter(row_cap + 2)  # header + row_cap rows + one more proves truncation
    try:
        solutions.serialize(cast(IO[bytes], sink), format=ox.QueryResultsFormat.TSV)
    except Exception:
        if not sink.full:
            raise
    tsv, rows, truncated = cap_tsv(b"".join(sink.chunks), row_cap)
    body = tsv_to(tsv, fmt)
    if truncated and fmt.name == "json":
        body = mark_truncated_json(body, row_cap)
    return SerializedResult(body, rows, truncated)


def serialize_limited(solutions: ox.QuerySolutions, fmt: Format) -> SerializedResult:
    """SELECT results of a query whose own LIMIT is within the row cap: no truncation is possible, so
    they are written directly (rows is -1: not counted)."""
    assert fmt.results is not None
    return SerializedResult(solutions.serialize(format=fmt.results) or b"", -1, False)


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
    triples: ox.QueryTriples | Iterable[ox.Triple], fmt: Format, *, row_cap: int
) -> SerializedResult:
    if fmt.rdf is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    if isinstance(triples, ox.QueryTriples) and fmt.rdf in _PRETTY:
        return _serialize_pretty(triples, fmt, row_cap=row_cap)
    if isinstance(triples, ox.QueryTriples) and fmt.rdf in _NTRIPLES_COMPATIBLE:
        sink = _LineCounter(row_cap + 1)
        try:
            triples.serialize(cast(IO[bytes], sink), format=ox.RdfFormat.N_TRIPLES)
        except Exception:
            if not sink.full:
                raise
        data = b"".join(sink.chunks)
        rows = data.count(b"\n")
        truncated = rows > row_cap
        if truncated:
            data, rows = _first_lines(data, row_cap), row_cap
        return SerializedResult(data, rows, truncated)
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
