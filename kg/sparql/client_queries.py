"""The guard every query a client writes passes before it reaches the engine: the ``/sparql`` route and
the MCP ``sparql`` tool both call :func:`inspect_client_query`, so both refuse the same queries (updates,
SERVICE unless allowed, over-long text) and then run under the engine's timeout and row cap."""

from __future__ import annotations

from kg.settings import Settings
from kg.sparql.engine import SparqlEngine
from kg.sparql.guard import QueryOperation, inspect_query

__all__ = ["inspect_client_query"]


async def inspect_client_query(settings: Settings, engine: SparqlEngine, text: str) -> QueryOperation:
    """The parsed, checked query of a client (raises ``QueryError``/``InputError`` when refused).
    ``engine`` is where the check may run; today it runs here, on the text the engine will receive."""
    del engine  # the check needs no engine yet; callers pass it so that it can move there unchanged
    return inspect_query(text, max_chars=settings.max_query_chars, allow_service=settings.allow_service)
