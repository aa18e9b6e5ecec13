"""Look at a SPARQL request before it reaches an engine: what it is, and whether it is allowed.

The decision is taken on the parsed request, never on its text: the request is parsed by rdflib's SPARQL
1.1 parser and the policy walks the syntax tree, in which every federated pattern is a
``ServiceGraphPattern`` node and every LOAD a ``Load`` node wherever they are nested (the algebra is built
from the same nodes; it is not used because rdflib's translation keeps one prefix per namespace and so
loses prefixes between the operations of an update). A request the parser cannot read is refused (400),
never passed on to the engine on a guess. Policy (see docs/security.md):
``SERVICE`` is refused unless the operator enabled federation, ``LOAD`` is always refused (cnkg never
fetches a URL because of a request), the text has a size cap and a nesting cap, and a query sent as an
update (or the reverse) is an error rather than a surprise. The query workers, which run what passes,
cannot reach the network either (:mod:`kg.sparql.sandbox`): a second wall that does not depend on parsing.

Parsing is recursive (rdflib's grammar recurses once per nested group and per triple pattern), so the
embedded engine runs these functions in a query worker, where the recursion limit is high and a parse
that runs away is stopped by the query timeout (:func:`kg.sparql.worker.serve`).

>>> op = inspect_query("PREFIX ex: <http://e/> CONSTRUCT WHERE { ?s ?p ?o }", max_chars=1000)
>>> op.form.value, op.has_dataset, op.names_graphs
('construct', False, False)
>>> inspect_query("ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }", max_chars=1000).names_graphs
True
>>> inspect_query("SELECT * { BIND(dcterms:x\\\\#y AS ?z) SERVICE <http://x/> { ?s ?p ?o } }", max_chars=1000)
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.errors.InputError: SPARQL syntax error...
>>> inspect_query("SELECT * { ?s ?p dcterms:x\\\\#y . SERVICE <http://x/> { ?s ?p ?o } }", max_chars=1000)
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.errors.InputError: SPARQL syntax error...
>>> inspect_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", max_chars=1000)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.sparql.errors.QueryRefusedError: SERVICE (federated query) is disabled on this endpoint; ...
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from kg.errors import InputError
from kg.sparql.errors import PayloadTooLargeError, QueryRefusedError
from kg.sparql.lexer import PUNCT, Token, tokenize

__all__ = [
    "MAX_NESTING",
    "NO_USING",
    "QueryForm",
    "QueryOperation",
    "UpdateOperation",
    "UsingDataset",
    "cnkg_query",
    "inspect_query",
    "inspect_update",
]

# Deepest nesting of brackets ('{', '(', '[', counted in the raw text, strings included) that is parsed.
# Counting raw text can only overcount, so it only ever refuses; real queries nest a few levels.
MAX_NESTING = 100

_FORMS = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}
# Syntax tree nodes that make the engine open a connection: a federated pattern, and LOAD.
_SERVICE = "ServiceGraphPattern"
_LOAD = "Load"
# The syntax tree node of ``GRAPH <g> { … }`` and ``GRAPH ?g { … }``, wherever nested (OPTIONAL, EXISTS …).
_GRAPH = "GraphGraphPattern"


class QueryForm(StrEnum):
    SELECT = "select"
    ASK = "ask"
    CONSTRUCT = "construct"
    DESCRIBE = "describe"

    @property
    def is_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


@dataclass(frozen=True)
class QueryOperation:
    text: str
    form: QueryForm
    has_dataset: bool  # FROM / FROM NAMED in the query
    # a GRAPH pattern anywhere in the query; True when unknown (cnkg's own queries are not parsed). A query
    # with neither this nor a dataset reads the default graph only (kg.store.GraphStore.store_for)
    names_graphs: bool = True


@dataclass(frozen=True)
class UpdateOperation:
    text: str
    has_dataset: bool  # USING / USING NAMED / WITH in some operation of the update


@dataclass(frozen=True)
class UsingDataset:
    """The dataset an update's protocol parameters name: ``using-graph-uri`` (``graphs``) and
    ``using-named-graph-uri`` (``named_graphs``); none by default."""

    graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def clauses(self) -> str:
        """The ``USING`` / ``USING NAMED`` clauses these parameters stand for ("" for none)."""
        clauses = "".join(f" USING <{_iri(g)}>" for g in self.graphs)
        return clauses + "".join(f" USING NAMED <{_iri(g)}>" for g in self.named_graphs)


NO_USING = UsingDataset()


def cnkg_query(text: str, form: QueryForm) -> QueryOperation:
    """A query written by cnkg itself (row lookups of the HTTP resources, the Graph Store's reads): its
    form is known, so it is not parsed. Never for text that came from a client."""
    return QueryOperation(text, form, has_dataset=False, names_graphs=True)


def _check_size(text: str, max_chars: int, what: str) -> None:
    if len(text) > max_chars:
        raise PayloadTooLargeError(f"the {what} has {len(text):,} characters; the limit is {max_chars:,}")
    if not text.strip():
        raise InputError(f"empty {what}")
    depth = deepest = 0
    for char in text:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise InputError(f"the {what} nests brackets {deepest} deep; the limit is {MAX_NESTING}")


def _syntax_error(exc: Exception) -> InputError:
    if isinstance(exc, RecursionError):
        return InputError("the request is too deeply nested or too long to check; simplify it")
    if isinstance(exc, ParseBaseException):
        return InputError(f"SPARQL syntax error at {exc.lineno}:{exc.col}: {exc.msg}")
    return InputError(f"SPARQL syntax error: {exc}")


def _parses_as(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except Exception:
        return False
    return True


def _nodes(root: object) -> Iterator[CompValue]:
    """Every syntax tree node under ``root``, depth first, without recursion."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset | ParseResults):
            stack.extend(item)


def _refuse(nodes: Iterator[CompValue], allow_service: bool) -> set[str]:
    """Apply the policy to every node; returns the names of the nodes seen."""
    names: set[str] = set()
    for node in nodes:
        names.add(node.name)
        if node.name == _LOAD:
            raise QueryRefusedError(
                "LOAD is disabled: cnkg never fetches a URL; upload data with the Graph Store"
            )
        if node.name == _SERVICE and not allow_service:
            raise QueryRefusedError(
                "SERVICE (federated query) is disabled on this endpoint; "
                "the operator can enable it with --allow-service"
            )
    return names


@dataclass(frozen=True)
class _Grammar:
    """One of the two SPARQL grammars: its parser, the other one's, and what to say when a text parses
    as the other."""

    what: str  # "query" or "update", as the size error names it
    parse: Any
    other: Any
    other_hint: str


_QUERY = _Grammar(
    "query",
    parseQuery,
    parseUpdate,
    "this is a SPARQL Update; send it with POST as 'update=' or application/sparql-update",
)
_UPDATE = _Grammar(
    "update",
    parseUpdate,
    parseQuery,
    "this is a SPARQL query; send it as 'query=' or application/sparql-query",
)


def _parse_checked(text: str, max_chars: int, allow_service: bool, grammar: _Grammar) -> tuple[Any, set[str]]:
    """The parse of ``text`` in ``grammar`` and the names of its syntax tree's nodes, after the size check
    and the policy check; raises ``InputError`` subclasses (a text of the other grammar is told where it
    belongs)."""
    _check_size(text, max_chars, grammar.what)
    try:
        parsed = grammar.parse(text)
    except Exception as exc:
        if _parses_as(grammar.other, text):
            raise InputError(grammar.other_hint) from None
        raise _syntax_error(exc) from None
    return parsed, _refuse(_nodes(parsed), allow_service)


def inspect_query(text: str, *, max_chars: int, allow_service: bool = False) -> QueryOperation:
    """Parse a query and apply the policy; raises ``InputError`` subclasses."""
    parsed, names = _parse_checked(text, max_chars, allow_service, _QUERY)
    body = parsed[1]
    form = QueryForm(_FORMS[body.name])
    return QueryOperation(
        text, form, has_dataset=bool(dict.get(body, "datasetClause")), names_graphs=_GRAPH in names
    )


def inspect_update(
    text: str,
    *,
    max_chars: int,
    allow_service: bool = False,
    using: UsingDataset = NO_USING,
) -> UpdateOperation:
    """Parse an update and apply the policy, and fold ``using-graph-uri`` / ``using-named-graph-uri``
    protocol parameters into the text as ``USING`` clauses of each DELETE/INSERT … WHERE operation (the
    result is parsed and checked again: the decision is on the text the engine will run)."""
    has_dataset = _check_update(text, max_chars, allow_service)
    if not (using.graphs or using.named_graphs):
        return UpdateOperation(text, has_dataset)
    if has_dataset:
        raise InputError(
            "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update"
        )
    folded = _insert_before_where(text, list(tokenize(text)), using.clauses() + " ")
    _check_update(folded, max(max_chars, len(folded)), allow_service)
    return UpdateOperation(folded, True)


def _check_update(text: str, max_chars: int, allow_service: bool) -> bool:
    """Parse an update and apply the policy; True when it names its own dataset (USING or WITH)."""
    update, _ = _parse_checked(text, max_chars, allow_service, _UPDATE)
    operations = update.request or ()
    return any(isinstance(op, CompValue) and ("using" in op or "withClause" in op) for op in operations)


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ ') or not value:
        raise InputError(f"not an IRI: {value!r}")
    return value


def _insert_before_where(text: str, tokens: list[Token], clause: str) -> str:
    """Insert ``clause`` before the WHERE of every DELETE/INSERT … WHERE operation (not DELETE WHERE).
    Positions come from the tokenizer; the caller parses the result again before it is used."""
    depth = 0
    previous: Token | None = None
    positions: list[int] = []
    for token in tokens:
        if token.kind == PUNCT and token.text == "{":
            depth += 1
        elif token.kind == PUNCT and token.text == "}":
            depth -= 1
        elif depth == 0 and token.keyword == "WHERE" and (previous is None or previous.keyword != "DELETE"):
            positions.append(token.start)
        if depth == 0:
            previous = token
    for pos in reversed(positions):
        text = text[:pos] + clause + text[pos:]
    return text
