"""The SPARQL engine behind the HTTP service: the embedded store (a pool of killable worker processes)
or an external SPARQL 1.1 store. Both apply the same guard, row cap and timeout."""

from __future__ import annotations

import asyncio
import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from kg.datadir import DataDir
from kg.settings import Settings
from kg.sparql.formats import Format, format_by_name
from kg.sparql.graphs import apply_update
from kg.sparql.guard import NO_USING, QueryForm, QueryOperation, UpdateOperation, UsingDataset, cnkg_query
from kg.sparql.pool import QueryPool
from kg.sparql.stream import QueryStream
from kg.sparql.worker import InspectJob, QueryJob, QueryOutcome

__all__ = [
    "InspectionCache",
    "LocalEngine",
    "QueryRequest",
    "SparqlEngine",
    "binding_int",
    "binding_value",
    "inspect_job",
    "make_engine",
    "select_json",
    "worker_count",
]

INSPECTION_CACHE_SIZE = 512  # parsed requests remembered (the same query sent again is not parsed again)
INSPECTION_CACHE_MAX_CHARS = 10_000  # longer requests are not remembered (bounds the cache to ~5 MB)


def inspect_job(
    settings: Settings,
    text: str,
    *,
    is_update: bool = False,
    using: UsingDataset = NO_USING,
) -> InspectJob:
    """What the guard must check about a client's request, with the limits in force."""
    return InspectJob(text, is_update, settings.max_query_chars, settings.allow_service, using)


class InspectionCache:
    """The guard's verdicts on recent requests (only accepted ones): the decision is a function of the
    request and the limits, all of which are in the key."""

    def __init__(self, size: int = INSPECTION_CACHE_SIZE) -> None:
        self.size = size
        self._verdicts: OrderedDict[InspectJob, QueryOperation | UpdateOperation] = OrderedDict()

    def get(self, job: InspectJob) -> QueryOperation | UpdateOperation | None:
        verdict = self._verdicts.get(job)
        if verdict is not None:
            self._verdicts.move_to_end(job)
        return verdict

    def put(self, job: InspectJob, verdict: QueryOperation | UpdateOperation) -> None:
        if len(job.text) > INSPECTION_CACHE_MAX_CHARS:
            return
        self._verdicts[job] = verdict
        if len(self._verdicts) > self.size:
            self._verdicts.popitem(last=False)


@dataclass(frozen=True)
class QueryRequest:
    operation: QueryOperation
    fmt: Format
    default_graphs: tuple[str, ...] | None = None  # protocol dataset: default-graph-uri
    named_graphs: tuple[str, ...] | None = None  # protocol dataset: named-graph-uri
    base_iri: str | None = None
    check_graphs: tuple[str, ...] = ()  # report which of these graphs the store lacks
    row_cap: int | None = None  # None: the configured cap

    def job(self, row_cap: int, byte_cap: int | None = None) -> QueryJob:
        return QueryJob(
            query=self.operation.text,
            form=self.operation.form,
            format_name=self.fmt.name,
            row_cap=self.row_cap or row_cap,
            default_graphs=self.default_graphs,
            named_graphs=self.named_graphs,
            has_dataset=self.operation.has_dataset,
            names_graphs=self.operation.names_graphs,
            base_iri=self.base_iri,
            check_graphs=self.check_graphs,
            byte_cap=byte_cap,
        )


class SparqlEngine(Protocol):
    settings: Settings

    @property
    def description(self) -> str:
        """'embedded' or the external store's URL."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def inspect(self, job: InspectJob) -> QueryOperation | UpdateOperation:
        """Parse a client's query or update and apply the guard's policy (raises its errors)."""
        ...

    async def query(self, request: QueryRequest) -> QueryOutcome:
        """Run a query and read its whole result (cnkg's own queries)."""
        ...

    async def query_stream(self, request: QueryRequest) -> QueryStream:
        """Run a client's query; its body is passed on as it is read (see :class:`QueryStream`)."""
        ...

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
            settings.data,
            size=worker_count(settings),
            spares=1,
            memory_mb=settings.query_memory_mb,
            allow_network=settings.allow_service,
            graph_store=settings.graph_store,
        )
        self._inspected = InspectionCache()

    @property
    def description(self) -> str:
        return "embedded"

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()

    async def inspect(self, job: InspectJob) -> QueryOperation | UpdateOperation:
        verdict = self._inspected.get(job)
        if verdict is None:
            verdict = await self.pool.inspect(job, timeout=self.settings.query_timeout)
            self._inspected.put(job, verdict)
        return verdict

    async def query(self, request: QueryRequest) -> QueryOutcome:
        return await (await self.query_stream(request)).read()

    async def query_stream(self, request: QueryRequest) -> QueryStream:
        job = request.job(self.settings.row_cap, self.settings.max_result_bytes)
        return await self.pool.stream(job, timeout=self.settings.query_timeout)

    async def update(self, operation: UpdateOperation, base_iri: str | None) -> list[str]:
        return await asyncio.to_thread(
            apply_update,
            DataDir(self.settings.data),
            operation,
            base_iri=base_iri,
            timeout=self.settings.query_timeout,
            allow_network=self.settings.allow_service,
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
    operation = cnkg_query(sparql, QueryForm.SELECT)
    outcome = await engine.query(QueryRequest(operation, format_by_name("json"), row_cap=row_cap))
    rows: list[dict[str, Any]] = json.loads(outcome.body)["results"]["bindings"]
    return rows


def binding_value(row: dict[str, Any], name: str) -> str | None:
    """The value of ``name`` in one row of SPARQL JSON bindings (``select_json``); None when unbound.

    >>> binding_value({"n": {"type": "literal", "value": "3"}}, "n"), binding_value({}, "n")
    ('3', None)
    """
    cell = row.get(name)
    return None if cell is None else str(cell["value"])


def binding_int(row: dict[str, Any], name: str) -> int | None:
    """The value of ``name`` as a whole number (a decimal such as ``"3.0"`` reads as 3); None when unbound.

    >>> binding_int({"n": {"type": "literal", "value": "3.0"}}, "n")
    3
    """
    value = binding_value(row, name)
    return None if value is None else int(float(value))
