"""The SPARQL engine behind the HTTP service: the embedded store (a pool of killable worker processes)
or an external SPARQL 1.1 store. Both apply the same guard, row cap and timeout."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any, Protocol

from kg.datadir import DataDir
from kg.settings import Settings
from kg.sparql.formats import Format, format_by_name
from kg.sparql.graphs import apply_update
from kg.sparql.guard import QueryOperation, UpdateOperation, inspect_query
from kg.sparql.pool import QueryPool
from kg.sparql.worker import QueryJob, QueryOutcome

__all__ = ["LocalEngine", "QueryRequest", "SparqlEngine", "make_engine", "select_json", "worker_count"]


@dataclass(frozen=True)
class QueryRequest:
    operation: QueryOperation
    fmt: Format
    default_graphs: tuple[str, ...] | None = None  # protocol dataset: default-graph-uri
    named_graphs: tuple[str, ...] | None = None  # protocol dataset: named-graph-uri
    base_iri: str | None = None
    check_graphs: tuple[str, ...] = ()  # report which of these graphs the store lacks
    row_cap: int | None = None  # None: the configured cap

    def job(self, row_cap: int) -> QueryJob:
        return QueryJob(
            query=self.operation.text,
            form=self.operation.form,
            format_name=self.fmt.name,
            row_cap=self.row_cap or row_cap,
            default_graphs=self.default_graphs,
            named_graphs=self.named_graphs,
            has_dataset=self.operation.has_dataset,
            limit=self.operation.limit,
            base_iri=self.base_iri,
            check_graphs=self.check_graphs,
        )


class SparqlEngine(Protocol):
    settings: Settings

    @property
    def description(self) -> str:
        """'embedded' or the external store's URL."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def query(self, request: QueryRequest) -> QueryOutcome: ...

    async def update(self, operation: UpdateOperation, base_iri: str | None) -> list[str]:
        """Apply an update to the data directory; returns the rids of the report graphs it changed."""
        ...

    async def published(self) -> None:
        """Called after this process changed the data directory (ingest, delete, graph write)."""
        ...

    def status(self) -> dict[str, Any]: ...


def worker_count(settings: Settings) -> int:
    """Query workers: as configured, else one per core (at least two, so one slow query never blocks)."""
    return settings.query_workers or max(2, os.cpu_count() or 2)


class LocalEngine:
    """The embedded engine: pyoxigraph in worker processes loaded from the data directory."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = QueryPool(
            settings.data, size=worker_count(settings), spares=1, memory_mb=settings.query_memory_mb
        )

    @property
    def description(self) -> str:
        return "embedded"

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()

    async def query(self, request: QueryRequest) -> QueryOutcome:
        job = request.job(self.settings.row_cap)
        return await self.pool.run(job, timeout=self.settings.query_timeout)

    async def update(self, operation: UpdateOperation, base_iri: str | None) -> list[str]:
        return await asyncio.to_thread(
            apply_update,
            DataDir(self.settings.data),
            operation,
            base_iri=base_iri,
            timeout=self.settings.query_timeout,
        )

    async def published(self) -> None:
        return None  # workers notice the new manifest themselves

    def status(self) -> dict[str, Any]:
        return {"engine": "embedded", **self.pool.status()}


def make_engine(settings: Settings) -> SparqlEngine:
    if settings.store_url:
        from kg.sparql.external import ExternalEngine

        return ExternalEngine(settings)
    return LocalEngine(settings)


INTERNAL_ROW_CAP = 10_000


async def select_json(
    engine: SparqlEngine, sparql: str, *, row_cap: int = INTERNAL_ROW_CAP
) -> list[dict[str, Any]]:
    """Run a SELECT written by cnkg itself (its own row cap, not the clients') and return its JSON
    bindings (``{var: {"type", "value", ...}}``)."""
    operation = inspect_query(sparql, max_chars=1_000_000)
    outcome = await engine.query(QueryRequest(operation, format_by_name("json"), row_cap=row_cap))
    rows: list[dict[str, Any]] = json.loads(outcome.body)["results"]["bindings"]
    return rows
