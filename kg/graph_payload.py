"""Reading a Graph Store request body (a client's RDF document) safely.

Two walls against documents built to expand (issue 12, item 5: a 600-byte RDF/XML "billion laughs"
became a 100 MB literal):

1. An RDF/XML body with a document type declaration is refused before the RDF parser sees it. The
   decision is made on an XML parser's events (expat's start-of-DOCTYPE and entity-declaration
   events), not on the text, and expat must accept the whole document as well-formed XML.
2. The body is parsed in a sandboxed child process (:mod:`kg.sandbox`) with a timeout and a memory cap,
   so whatever gets past the first wall cannot stall or exhaust the HTTP process.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

import pyoxigraph as ox

from kg.errors import InputError
from kg.sparql.formats import GRAPH_FORMATS
from kg.sparql.graphs import parse_graph_payload

__all__ = ["GraphPayloadJob", "refuse_xml_declarations", "warm_up"]

_XML_CHUNK = 1 << 16  # bytes fed to expat at a time


class _DeclarationError(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _refuse(what: str) -> None:
    raise _DeclarationError(what)


def refuse_xml_declarations(body: bytes) -> None:
    """Raise InputError if ``body`` is not well-formed XML or declares a document type (and with it
    entities); streaming, and stopping at the first declaration, so nothing is ever expanded.

    >>> refuse_xml_declarations(b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="urn:x"/>')
    >>> refuse_xml_declarations(b'<!DOCTYPE r [<!ENTITY a "aa">]><r>&a;</r>')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.InputError: RDF/XML with a document type declaration (DOCTYPE r) is refused: ...
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = lambda name, *_: _refuse(f"DOCTYPE {name}")
    parser.EntityDeclHandler = lambda name, *_: _refuse(f"ENTITY {name}")
    parser.ElementDeclHandler = lambda name, *_: _refuse(f"ELEMENT {name}")
    parser.AttlistDeclHandler = lambda element, *_: _refuse(f"ATTLIST {element}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        for start in range(0, len(body), _XML_CHUNK):
            parser.Parse(body[start : start + _XML_CHUNK], False)
        parser.Parse(b"", True)
    except _DeclarationError as exc:
        raise InputError(
            f"RDF/XML with a document type declaration ({exc.what}) is refused: DTDs and entity "
            "declarations are not accepted"
        ) from None
    except expat.ExpatError as exc:
        raise InputError(f"the RDF/XML document is not well-formed XML: {exc}") from None


def _is_rdf_xml(media_type: str) -> bool:
    media = media_type.split(";")[0].strip().lower()
    return any(media in f.accepts and f.rdf == ox.RdfFormat.RDF_XML for f in GRAPH_FORMATS)


@dataclass(frozen=True)
class GraphPayloadJob:
    """Parse a Graph Store body into N-Quads in ``graph``; run in a sandboxed child by the HTTP service."""

    body: bytes
    media_type: str
    graph: str

    def run(self) -> bytes:
        if _is_rdf_xml(self.media_type):
            refuse_xml_declarations(self.body)
        return parse_graph_payload(self.body, self.media_type, self.graph)


def warm_up() -> None:
    """Nothing to load beyond this module's imports (the RDF parsers)."""
