"""The query worker: a separate process that holds the graph store and runs one job at a time.

With ``graph_store="memory"`` a worker loads every report's N-Quads into its own in-memory store (a query
worker of the pool also keeps the default graph in a store of its own, for the queries that read nothing
else: :meth:`kg.store.GraphStore.store_for`); with
``"disk"`` it opens the on-disk snapshot the manifest names, read-only (:mod:`kg.diskstore`), and
reopens it when a commit names a new one: the machine holds one copy of the graph, in its page cache.

Neither Oxigraph nor rdflib can cancel a query that is running, so a query runs in a process the
server can kill (see :mod:`kg.sparql.pool`). A worker loads the data directory once, then answers jobs
sent over a pipe; before each job it reloads what changed on disk, announcing the reload so the time
it takes does not count against the query's timeout.

Messages from the worker: ``("ready", network wall)`` once loaded, ``("syncing",)``/``("synced",)`` around a
reload, then per job ``("result", outcome without body, body size)`` followed by the body as raw bytes
(queries), ``("ok", outcome)`` (updates) or ``("error", exception)``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import resource
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from kg.datadir import DataDir
from kg.errors import CnkgError, QueryError, StoreError
from kg.namespaces import LEXICON_GRAPH, PREFIXES, report_iri, rid_of
from kg.sparql.errors import ReadOnlyGraphError
from kg.sparql.formats import format_by_name
from kg.sparql.guard import (
    NO_USING,
    QueryForm,
    QueryOperation,
    UpdateOperation,
    UsingDataset,
    inspect_query,
    inspect_update,
)
from kg.sparql.results import (
    SerializedResult,
    serialize_boolean,
    serialize_solutions,
    serialize_triples,
)
from kg.sparql.sandbox import NO_WALL, isolate_network
from kg.store import Backend, GraphStore

__all__ = [
    "STREAM_CHUNK",
    "InspectJob",
    "QueryJob",
    "QueryOutcome",
    "UpdateJob",
    "UpdateOutcome",
    "WorkerSetup",
    "graph_nquads",
    "run_query",
    "run_update",
    "serve",
]


@dataclass(frozen=True)
class QueryJob:
    query: str
    form: QueryForm
    format_name: str
    row_cap: int
    default_graphs: tuple[str, ...] | None = None  # protocol dataset (default-graph-uri)
    named_graphs: tuple[str, ...] | None = None  # protocol dataset (named-graph-uri)
    has_dataset: bool = False  # FROM / FROM NAMED in the query
    base_iri: str | None = None
    check_graphs: tuple[str, ...] = ()  # graph IRIs whose absence the caller wants to know about
    byte_cap: int | None = None  # longest result body (Settings.max_result_bytes); None: no byte cap
    names_graphs: bool = True  # a GRAPH pattern in the query (the guard's verdict; True when unknown)

    @property
    def reads_default_graph_only(self) -> bool:
        """No GRAPH pattern, no dataset (the query's own or the protocol's), no named graph to check: the
        query sees the default graph and nothing else (:meth:`kg.store.GraphStore.store_for`)."""
        return not (
            self.names_graphs
            or self.has_dataset
            or self.default_graphs is not None
            or self.named_graphs is not None
            or self.check_graphs
        )


@dataclass(frozen=True)
class InspectJob:
    """Parse a client's query or update and apply the guard's policy (answered with the operation)."""

    text: str
    is_update: bool
    max_chars: int
    allow_service: bool
    using: UsingDataset = NO_USING


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker process is started with: the one record the parent builds and :func:`serve` reads.

    ``memory_mb``: the address space a worker may use beyond what it holds once loaded (0: no limit);
    ``allow_network``: stay on the network (SPARQL federation); ``graph_store``: ``"memory"`` or
    ``"disk"``; ``default_graph_apart``: in memory, keep the default graph in a store of its own too, and
    run there the queries that read nothing else (:meth:`kg.store.GraphStore.store_for`)."""

    root: Path
    memory_mb: int = 0
    allow_network: bool = False
    graph_store: Backend = "memory"
    default_graph_apart: bool = False


@dataclass(frozen=True)
class QueryOutcome:
    body: bytes
    rows: int
    truncated: bool
    missing_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateJob:
    update: str
    base_iri: str | None
    report_rids: tuple[str, ...]  # reports of the manifest the update runs against


@dataclass(frozen=True)
class UpdateOutcome:
    """New N-Quads for every report graph the update changed (rid -> bytes)."""

    graphs: dict[str, bytes] = field(default_factory=dict)


def _dataset_kwargs(job: QueryJob) -> dict[str, object]:
    """The protocol's dataset, if any; else the query's own (FROM / FROM NAMED), else the store's: its
    default graph is the union of all graphs, as a set (:mod:`kg.union`)."""
    kwargs: dict[str, object] = {"prefixes": PREFIXES, "base_iri": job.base_iri}
    if job.default_graphs is not None or job.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or ()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    return kwargs


def run_query(store: ox.Store, job: QueryJob) -> QueryOutcome:
    """Evaluate one query against ``store`` and serialise its result (row cap applied)."""
    missing = tuple(g for g in job.check_graphs if not store.contains_named_graph(ox.NamedNode(g)))
    try:
        dataset = _dataset_kwargs(job)
        result = store.query(job.query, **dataset)  # type: ignore[arg-type]
        fmt = format_by_name(job.format_name)
        out: SerializedResult
        if isinstance(result, ox.QueryBoolean):
            out = serialize_boolean(result, fmt if fmt.results else format_by_name("json"))
        elif isinstance(result, ox.QueryTriples):
            out = serialize_triples(
                result,
                fmt if fmt.rdf else format_by_name("turtle"),
                row_cap=job.row_cap,
                byte_cap=job.byte_cap,
            )
        else:
            out = serialize_solutions(
                result,
                fmt if fmt.results else format_by_name("json"),
                row_cap=job.row_cap,
                byte_cap=job.byte_cap,
                rerun=lambda: cast(ox.QuerySolutions, store.query(job.query, **dataset)),  # type: ignore[arg-type]
            )
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"SPARQL evaluation error: {exc}") from None
    return QueryOutcome(out.body, out.rows, out.truncated, missing)


def graph_nquads(store: ox.Store, graph: str) -> bytes:
    """One named graph as N-Quads that keep the graph name (``Store.dump(from_graph=)`` drops it)."""
    name = ox.NamedNode(graph)
    quads = store.quads_for_pattern(None, None, None, name)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _digest(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return hashlib.sha256(store.dump(format=ox.RdfFormat.N_QUADS, from_graph=graph) or b"").hexdigest()


def _graph_names(store: ox.Store) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def declare_report_graphs(store: ox.Store, rids: Iterable[str]) -> None:
    """Make every report's graph exist, even an emptied one (GRAPH, CLEAR GRAPH and the Graph Store
    tell an empty graph from a missing one)."""
    for rid in rids:
        store.add_graph(ox.NamedNode(report_iri(rid)))


def run_update(store: ox.Store, job: UpdateJob) -> UpdateOutcome:
    """Apply an update to ``store`` (a throw-away in-memory copy of the data directory, whose default
    graph holds the union of all graphs, :mod:`kg.union`, so that WHERE clauses see what queries see) and
    return the report graphs it changed. Writing to the default graph, or to any graph but an existing
    report, is refused."""
    declare_report_graphs(store, job.report_rids)
    names = _graph_names(store)
    before = {name: _digest(store, ox.NamedNode(name)) for name in names}
    default_before = _digest(store, ox.DefaultGraph())
    try:
        store.update(job.update, base_iri=job.base_iri, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"SPARQL Update error: {exc}") from None
    after_names = _graph_names(store)
    if _digest(store, ox.DefaultGraph()) != default_before:
        raise ReadOnlyGraphError(
            "the update changes the default graph, which in cnkg is the read-only union of all graphs; "
            "name the report graph to change with GRAPH <…/id/report/RID> (or WITH)"
        )
    changed = {
        n
        for n in names | after_names
        if n not in after_names or before.get(n) != _digest(store, ox.NamedNode(n))
    }
    reports = set(job.report_rids)
    graphs: dict[str, bytes] = {}
    for name in sorted(changed):
        rid = rid_of(name)
        if rid not in reports:
            what = "the lexicon graph (edit ontology/*.ttl instead)" if name == LEXICON_GRAPH else f"<{name}>"
            raise ReadOnlyGraphError(
                f"the update changes {what}, which is not the graph of a report in this data directory; "
                "SPARQL Update may only change existing report graphs (reports are added with POST /reports)"
            )
        graphs[rid] = graph_nquads(store, name)
    return UpdateOutcome(graphs)


STREAM_CHUNK = 1024 * 1024  # largest message of a result body (kg.sparql.process reads them one by one)

# The guard's parser recurses once per nested group and per triple pattern; a worker parses on a thread
# with a large stack and a high recursion limit (a runaway parse is stopped by the query timeout).
GUARD_STACK_BYTES = 512 * 1024 * 1024  # address space reserved, not memory used
GUARD_RECURSION_LIMIT = 200_000


def _guard_executor() -> ThreadPoolExecutor:
    sys.setrecursionlimit(GUARD_RECURSION_LIMIT)
    previous = threading.stack_size(GUARD_STACK_BYTES)
    try:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnkg-guard")
        executor.submit(int).result()  # start the thread now, with the large stack
    finally:
        threading.stack_size(previous)
    return executor


def run_inspect(job: InspectJob) -> QueryOperation | UpdateOperation:
    if job.is_update:
        return inspect_update(
            job.text,
            max_chars=job.max_chars,
            allow_service=job.allow_service,
            using=job.using,
        )
    return inspect_query(job.text, max_chars=job.max_chars, allow_service=job.allow_service)


def _limit_memory(headroom_mb: int) -> None:
    """Cap the worker's address space at its size now (the graph loaded) plus ``headroom_mb``, so a
    runaway query kills its worker (answered 503, the pool replaces it) instead of exhausting the
    machine. 0: no cap."""
    if headroom_mb <= 0:
        return
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    limit = size + headroom_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def serve(conn: Connection, setup: WorkerSetup) -> None:
    """Process entry point: leave the network (unless federation is allowed), load the data directory
    (or open its on-disk store), then answer jobs until the pipe closes. Updates need a writable store:
    they always run on a worker started with ``"memory"``."""
    try:
        wall = NO_WALL if setup.allow_network else isolate_network()  # first: nothing has run yet
        datadir = DataDir(setup.root)
        graph_store = GraphStore.open(
            datadir, setup.graph_store, default_graph_apart=setup.default_graph_apart
        )
    except CnkgError as exc:
        conn.send(("error", StoreError(exc.detail)))
        return
    guard = _guard_executor()
    _limit_memory(setup.memory_mb)
    if not graph_store.on_disk:  # the writer declared them in the on-disk store
        declare_report_graphs(graph_store.oxigraph, graph_store.report_ids())
    stamp = datadir.manifest_stamp()
    # no triple count here: on the disk store it reads every quad (2 s at 10 M triples, at every start)
    conn.send(("ready", wall))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            now = datadir.manifest_stamp()
            if now != stamp:
                conn.send(("syncing",))
                graph_store.sync()
                if not graph_store.on_disk:
                    declare_report_graphs(graph_store.oxigraph, graph_store.report_ids())
                stamp = now
                conn.send(("synced",))
            if isinstance(job, InspectJob):
                conn.send(("ok", guard.submit(run_inspect, job).result()))
            elif isinstance(job, UpdateJob):
                conn.send(("ok", run_update(graph_store.oxigraph, job)))
            else:
                outcome = run_query(graph_store.store_for(job.reads_default_graph_only), job)
                # the body travels as raw chunks after a small header, so the server can pass each one
                # on to the client as it comes instead of holding the whole body
                body = outcome.body
                conn.send(("result", dataclasses.replace(outcome, body=b""), len(body)))
                for start in range(0, len(body), STREAM_CHUNK):
                    conn.send_bytes(body, start, min(STREAM_CHUNK, len(body) - start))
        except CnkgError as exc:
            conn.send(("error", exc))
        except MemoryError:
            conn.send(("error", QueryError("the query needed more memory than a worker may use")))
        except Exception as exc:  # a bug must not kill the worker silently
            conn.send(("error", StoreError(f"query worker failed: {type(exc).__name__}: {exc}")))
