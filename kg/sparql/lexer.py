"""A SPARQL 1.1 tokenizer just precise enough to tell keywords from everything else, with positions.

It decides nothing: the guard (:mod:`kg.sparql.guard`) decides on rdflib's parse of a request. The
tokenizer only finds where the ``using-graph-uri`` protocol parameters go into an update's text (before
each ``WHERE``, by position, which the parser does not report); the result is parsed and checked again.

>>> [t.text for t in tokenize("SELECT ?service { <x> ex:SERVICE 'SERVICE' } # SERVICE") if t.kind == WORD]
['SELECT']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "IRI",
    "OTHER",
    "PNAME",
    "PUNCT",
    "STRING",
    "VAR",
    "WORD",
    "Token",
    "tokenize",
]

WORD = "word"
IRI = "iri"
PNAME = "pname"
VAR = "var"
STRING = "string"
PUNCT = "punct"
OTHER = "other"

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + r"_0-9\-\u00b7\u0300-\u036f\u203f-\u2040"

_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n\r]|\\.)*'
      | "(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<bnode>_:[{_PN_CHARS}.]*)
  | (?P<pname>(?:[{_PN_CHARS_BASE}][{_PN_CHARS}.]*)?:(?:[{_PN_CHARS}.:%\\]|\\.)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{{}}()\[\];,.*+\-/=<>!|^?$@])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_KIND = {"iri": IRI, "string": STRING, "var": VAR, "pname": PNAME, "word": WORD, "punct": PUNCT}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def keyword(self) -> str:
        """The upper-cased text of a word token, '' for anything else."""
        return self.text.upper() if self.kind == WORD else ""


def tokenize(text: str) -> Iterator[Token]:
    """The significant tokens of ``text`` (whitespace and comments dropped)."""
    for match in _TOKEN.finditer(text):
        group = match.lastgroup or "other"
        if group in ("space", "comment"):
            continue
        yield Token(_KIND.get(group, OTHER), match.group(), match.start())
