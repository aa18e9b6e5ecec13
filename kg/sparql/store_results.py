"""An external store's SPARQL JSON results, read one row at a time into SPARQL TSV.

Some stores write TSV that is not SPARQL 1.1 TSV (Virtuoso writes every term as a quoted string, so an
IRI, a plain string and a typed literal look alike) and blank node labels that are not N-Triples labels
(Virtuoso's ``nodeID://b10000``). Their SPARQL JSON results are read instead, row by row as the bytes
arrive (so reading stops once the row cap is passed, however the store lays its JSON out), and written as
SPARQL TSV, the form the external engine caps and converts. Blank node labels that are not valid are
replaced by a stable hash, the same label by the same node within one result.

>>> reader = JsonSolutionsReader()
>>> reader.feed(b'{"head": {"vars": ["s", "n"]}, "results": {"bindings": [{"s": {"type": "uri", ')
>>> reader.rows
0
>>> reader.feed(b'"value": "http://e/a"}, "n": {"type": "typed-literal", "value": "1", "datatype": '
...             b'"http://www.w3.org/2001/XMLSchema#integer"}},\\n{"n": {"type": "literal", "value": '
...             b'"a\\\\tb", "xml:lang": "zh"}, "s": {"type": "bnode", "value": "nodeID://b1"}}]}}')
>>> reader.finish()
>>> print(reader.tsv().decode().replace("\\t", " | "), end="")
?s | ?n
<http://e/a> | "1"^^<http://www.w3.org/2001/XMLSchema#integer>
_:h7539494c36804d5064cd37b4 | "a\\tb"@zh
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from typing import Any

import pyoxigraph as ox

__all__ = ["JsonResultsError", "JsonSolutionsReader"]

_DECODER = json.JSONDecoder()
_HEAD = re.compile(r'"head"\s*:\s*')
_BINDINGS = re.compile(r'"bindings"\s*:\s*\[')
_BETWEEN_ROWS = " \t\r\n,"


class JsonResultsError(ValueError):
    """The bytes are not SPARQL JSON results this reader understands."""


class JsonSolutionsReader:
    """Fed the bytes of SPARQL JSON SELECT results in pieces; keeps each complete row as a TSV line.

    The ``head`` (with ``vars``) must come before ``results``, as every store we know writes it."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._text = ""
        self._pos = 0
        self._variables: list[str] | None = None
        self._in_bindings = False
        self._complete = False
        self._lines: list[str] = []
        self._blank_labels: dict[str, str] = {}

    @property
    def rows(self) -> int:
        """Complete rows read so far."""
        return len(self._lines)

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        self._text = self._text[self._pos :] + self._utf8.decode(chunk, final)
        self._pos = 0
        try:
            self._advance()
        except (ValueError, TypeError, AttributeError) as exc:
            raise JsonResultsError(f"unreadable SPARQL JSON results: {exc}") from None

    def finish(self) -> None:
        """The whole document has been fed: it must have held a complete ``bindings`` array."""
        self.feed(b"", final=True)
        if not self._complete:
            raise JsonResultsError("incomplete SPARQL JSON results (no head before results, or cut short)")

    def tsv(self) -> bytes:
        """The rows read so far as SPARQL TSV (a header line, then one line per row)."""
        header = "\t".join("?" + name for name in self._variables or ())
        return "".join(line + "\n" for line in [header, *self._lines]).encode()

    def _advance(self) -> None:
        if self._variables is None:
            head = _HEAD.search(self._text, self._pos)
            if head is None:
                return
            try:
                value, self._pos = _DECODER.raw_decode(self._text, head.end())
            except json.JSONDecodeError:
                return  # the head is not complete yet
            self._variables = [str(name) for name in value.get("vars", ())]
        if not self._in_bindings:
            bindings = _BINDINGS.search(self._text, self._pos)
            if bindings is None:
                return
            self._pos = bindings.end()
            self._in_bindings = True
        while not self._complete:
            pos = self._pos
            while pos < len(self._text) and self._text[pos] in _BETWEEN_ROWS:
                pos += 1
            self._pos = pos
            if pos == len(self._text):
                return
            if self._text[pos] == "]":
                self._complete = True
                return
            try:
                binding, self._pos = _DECODER.raw_decode(self._text, pos)
            except json.JSONDecodeError:
                return  # the row is not complete yet
            self._lines.append(self._row(binding))

    def _row(self, binding: dict[str, Any]) -> str:
        assert self._variables is not None
        return "\t".join(self._term(binding[name]) if name in binding else "" for name in self._variables)

    def _term(self, term: dict[str, Any]) -> str:
        kind, value = term.get("type"), term.get("value")
        if not isinstance(value, str):
            raise JsonResultsError(f"a term without a string value: {term!r}")
        if kind == "uri":
            return str(ox.NamedNode(value))
        if kind == "bnode":
            return str(ox.BlankNode(self._blank_label(value)))
        if kind in (
            "literal",
            "typed-literal",
        ):  # "typed-literal": SPARQL 1.0 JSON, still written by Virtuoso
            if "xml:lang" in term:
                return str(ox.Literal(value, language=term["xml:lang"]))
            if "datatype" in term:
                return str(ox.Literal(value, datatype=ox.NamedNode(term["datatype"])))
            return str(ox.Literal(value))
        raise JsonResultsError(f"an unsupported term type in SPARQL JSON results: {kind!r}")

    def _blank_label(self, label: str) -> str:
        if label not in self._blank_labels:
            try:
                self._blank_labels[label] = ox.BlankNode(label).value
            except ValueError:
                self._blank_labels[label] = "h" + hashlib.blake2b(label.encode(), digest_size=12).hexdigest()
        return self._blank_labels[label]
