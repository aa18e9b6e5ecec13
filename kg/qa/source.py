"""Where the Q&A reads the graph from: any coroutine that runs a SELECT and returns SPARQL JSON bindings.

The HTTP service passes the engine (``kg.sparql.engine.select_json``: worker processes or an external
store); the command line passes the data directory's store opened in process (:func:`store_select`).

>>> import asyncio, tempfile, pathlib
>>> from kg.datadir import DataDir
>>> from kg.store import GraphStore
>>> select = store_select(GraphStore.open(DataDir(pathlib.Path(tempfile.mkdtemp()))))
>>> rows = asyncio.run(select("SELECT ?e WHERE { ?e skos:altLabel 'K8s'@en }"))
>>> rows[0]["e"]["value"]
'https://w3id.org/cnkg/id/entity/kubernetes'
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.sparql.engine import SparqlEngine, select_json
from kg.store import GraphStore

__all__ = ["Select", "engine_select", "store_select"]

Select = Callable[[str], Awaitable[list[dict[str, Any]]]]


def engine_select(engine: SparqlEngine) -> Select:
    """SELECTs through the service's SPARQL engine (same guard, timeout and store as ``/sparql``)."""

    async def select(sparql: str) -> list[dict[str, Any]]:
        return await select_json(engine, sparql)

    return select


def store_select(store: GraphStore) -> Select:
    """SELECTs on a store opened in this process (the command line)."""

    async def select(sparql: str) -> list[dict[str, Any]]:
        result = store.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        body = result.serialize(format=ox.QueryResultsFormat.JSON) or b"{}"
        rows: list[dict[str, Any]] = json.loads(body)["results"]["bindings"]
        return rows

    return select
