"""Look at a SPARQL request before it reaches an engine: what it is, and whether it is allowed.

Policy (see docs/security.md): ``SERVICE`` is refused unless the operator enabled federation, ``LOAD`` is
always refused (cnkg never fetches a URL because of a request), the text has a size cap, and a query sent
as an update (or the reverse) is an error rather than a surprise.

>>> op = inspect_query("PREFIX ex: <http://e/> CONSTRUCT WHERE { ?s ?p ?o }", max_chars=1000)
>>> op.form.value, op.has_dataset
('construct', False)
>>> inspect_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", max_chars=1000)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kg.sparql.errors.QueryRefusedError: SERVICE (federated query) is disabled on this endpoint; ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kg.errors import InputError
from kg.sparql.errors import PayloadTooLargeError, QueryRefusedError
from kg.sparql.lexer import PUNCT, WORD, Token, tokenize, unescape_codepoints

__all__ = ["QueryForm", "QueryOperation", "UpdateOperation", "inspect_query", "inspect_update"]

_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


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
    has_dataset: bool  # FROM / FROM NAMED in the query text
    limit: int | None = None  # the outermost LIMIT, if any (subqueries' limits are inside braces)


@dataclass(frozen=True)
class UpdateOperation:
    text: str
    has_dataset: bool  # USING / USING NAMED / WITH somewhere in the update


def _check_size(text: str, max_chars: int, what: str) -> None:
    if len(text) > max_chars:
        raise PayloadTooLargeError(f"the {what} has {len(text):,} characters; the limit is {max_chars:,}")
    if not text.strip():
        raise InputError(f"empty {what}")


def _keywords(text: str) -> set[str]:
    words = {t.keyword for t in tokenize(text) if t.kind == WORD}
    if "\\u" in text or "\\U" in text:  # the grammar allows codepoint escapes anywhere
        words |= {t.keyword for t in tokenize(unescape_codepoints(text)) if t.kind == WORD}
    return words


def _refuse_service(words: set[str], allow_service: bool) -> None:
    if "SERVICE" in words and not allow_service:
        raise QueryRefusedError(
            "SERVICE (federated query) is disabled on this endpoint; "
            "the operator can enable it with --allow-service"
        )


def _first_keyword(tokens: Sequence[Token]) -> str:
    """The first keyword after the prologue (BASE and PREFIX declarations)."""
    i = 0
    while i < len(tokens):
        word = tokens[i].keyword
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            return word
    return ""


def inspect_query(text: str, *, max_chars: int, allow_service: bool = False) -> QueryOperation:
    """Classify a query and apply the policy; raises ``InputError`` subclasses."""
    _check_size(text, max_chars, "query")
    tokens = list(tokenize(text))
    if not tokens:
        raise InputError("empty query (only whitespace and comments)")
    first = _first_keyword(tokens)
    if first in _UPDATE_KEYWORDS:
        raise InputError(
            f"this is a SPARQL Update ({first}); send it with POST as 'update=' or application/sparql-update"
        )
    words = _keywords(text)
    _refuse_service(words, allow_service)
    form = QueryForm(first.lower()) if first.lower() in set(QueryForm) else QueryForm.SELECT
    return QueryOperation(text, form, "FROM" in words, _outer_limit(tokens))


def inspect_update(
    text: str,
    *,
    max_chars: int,
    allow_service: bool = False,
    using_graphs: Sequence[str] = (),
    using_named_graphs: Sequence[str] = (),
) -> UpdateOperation:
    """Classify an update, apply the policy, and fold ``using-graph-uri`` / ``using-named-graph-uri``
    protocol parameters into the text as ``USING`` clauses of each DELETE/INSERT … WHERE operation."""
    _check_size(text, max_chars, "update")
    tokens = list(tokenize(text))
    if not tokens:
        raise InputError("empty update (only whitespace and comments)")
    first = _first_keyword(tokens)
    if first in {f.upper() for f in QueryForm}:
        raise InputError(f"this is a SPARQL query ({first}); send it as 'query=' or application/sparql-query")
    words = _keywords(text)
    if "LOAD" in words:
        raise QueryRefusedError(
            "LOAD is disabled: cnkg never fetches a URL; upload data with the Graph Store"
        )
    _refuse_service(words, allow_service)
    has_dataset = bool(words & {"USING", "WITH"})
    if using_graphs or using_named_graphs:
        if has_dataset:
            raise InputError(
                "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update"
            )
        clause = "".join(f" USING <{_iri(g)}>" for g in using_graphs)
        clause += "".join(f" USING NAMED <{_iri(g)}>" for g in using_named_graphs)
        text = _insert_before_where(text, tokens, clause + " ")
        has_dataset = True
    return UpdateOperation(text, has_dataset)


def _outer_limit(tokens: Sequence[Token]) -> int | None:
    """The value of the LIMIT outside every group (the query's own, not a subquery's)."""
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == PUNCT and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif depth == 0 and token.keyword == "LIMIT" and i + 1 < len(tokens) and tokens[i + 1].text.isdigit():
            return int(tokens[i + 1].text)
    return None


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ ') or not value:
        raise InputError(f"not an IRI: {value!r}")
    return value


def _insert_before_where(text: str, tokens: list[Token], clause: str) -> str:
    """Insert ``clause`` before the WHERE of every DELETE/INSERT … WHERE operation (not DELETE WHERE)."""
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
