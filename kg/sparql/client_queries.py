"""The guard every query a client writes passes before it reaches the engine: the ``/sparql`` route and
the MCP ``sparql`` tool both call :func:`inspect_client_query`, so both refuse the same queries (updates,
SERVICE unless allowed, over-long text) and then run under the engine's timeout and row cap."""

from __future__ import annotations

from kg.settings import Settings
from kg.sparql.engine import SparqlEngine, inspect_job
from kg.sparql.guard import QueryOperation

__all__ = ["inspect_client_query"]


async def inspect_client_query(settings: Settings, engine: SparqlEngine, text: str) -> QueryOperation:
    """The parsed, checked query of a client (raises ``QueryError``/``InputError`` when refused). The
    check runs where ``engine`` runs it: in a query worker for the embedded engine (see
    :mod:`kg.sparql.guard`), on the text the engine will receive."""
    operation = await engine.inspect(inspect_job(settings, text))
    if not isinstance(operation, QueryOperation):
        raise TypeError("the guard answered a query with an update operation")
    return operation
