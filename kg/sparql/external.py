"""An external SPARQL 1.1 store as the query engine (``--store http://host:port``).

Queries are guarded exactly as for the embedded engine, then sent with the SPARQL 1.1 Protocol. Results
are streamed back in a line-based format (TSV, N-Triples) so the row cap stops reading as soon as it is
passed, then converted to the format the client asked for.

The data directory stays the source of truth: ingest, deletes, Graph Store writes and SPARQL Update
change it first, and this module mirrors the report graphs and the lexicon into the store with SPARQL
1.1 Update. What was mirrored is recorded in the store itself, in the graph ``STATE_GRAPH``
(``<graph> cnkg:graphFile "graphs/….nq"``), so a restart, or a second cnkg on the same store, only sends
what changed. The store must use the union of its graphs as the default graph
(``oxigraph serve --union-default-graph``, Fuseki ``tdb2:unionDefaultGraph``, Virtuoso by default), as cnkg
does; its default graph is then that engine's (oxigraph 0.5's returns a triple once per graph stating it,
a bag, where the embedded stores keep the set: :mod:`kg.union`).

SELECT results are read as SPARQL TSV when the store writes SPARQL 1.1 TSV (a header of ``?variables``,
checked once), else as SPARQL JSON (:mod:`kg.sparql.store_results`; Virtuoso). Credentials
(``store_user``, ``store_password``) are sent only when the store asks (:mod:`kg.sparql.store_auth`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.datadir import DataDir
from kg.errors import CnkgError, QueryError
from kg.namespaces import CNKG, LEXICON_GRAPH, report_iri, sparql_prefixes
from kg.settings import Settings
from kg.sparql.engine import QueryRequest
from kg.sparql.errors import UpstreamError, UpstreamTimeoutError
from kg.sparql.formats import format_by_name
from kg.sparql.graphs import apply_update
from kg.sparql.guard import QueryForm, QueryOperation, UpdateOperation
from kg.sparql.results import render_tsv, serialize_triples
from kg.sparql.store_auth import StoreAuth
from kg.sparql.store_results import JsonResultsError, JsonSolutionsReader
from kg.sparql.stream import QueryStream
from kg.sparql.worker import InspectJob, QueryOutcome, run_inspect
from kg.store import ONTOLOGY_FILES, ontology_path

__all__ = ["STATE_GRAPH", "ExternalEngine", "endpoints"]

log = logging.getLogger("cnkg.sparql")

STATE_GRAPH = "https://w3id.org/cnkg/graph/store-state"
_GRAPH_FILE = CNKG + "graphFile"
# Triples per INSERT DATA operation: Virtuoso's SPARQL parser runs out of stack ("SP030 … memory
# exhausted") at about 5,000 triples in one operation, not in one request: a request carries several.
_CHUNK_TRIPLES = 2_000
# Operations per update request: a graph of up to 20,000 triples (most reports) is replaced in one request.
_CHUNKS_PER_REQUEST = 10
_TSV = "text/tab-separated-values"
_JSON = "application/sparql-results+json"
_PROBE_VARIABLE = "cnkgProbe"
# Virtuoso flags, only in headers, a result it cut: at its time limit ("anytime" results, X-SQL-State),
# refused here rather than passed on as whole; at its row limit (ResultSetMaxRows, X-SPARQL-MaxRows, sent
# when that many rows were reached), passed on flagged as truncated.
_PARTIAL_RESULT_HEADER = "x-sql-state"
_ROW_LIMIT_HEADER = "x-sparql-maxrows"


def endpoints(store_url: str, update_url: str | None = None) -> tuple[str, str]:
    """Query and update endpoints of a store URL: ``http://h:7878`` → ``/query`` and ``/update``
    (Oxigraph, Fuseki datasets); a URL already ending in ``/query`` or ``/sparql`` is kept; an update
    URL given is used as it is (Virtuoso: ``/sparql`` and ``/sparql-auth``).

    >>> endpoints("http://127.0.0.1:7878")
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update')
    >>> endpoints("http://h:3030/ds/sparql")
    ('http://h:3030/ds/sparql', 'http://h:3030/ds/update')
    >>> endpoints("http://h:8890/sparql", "http://h:8890/sparql-auth")
    ('http://h:8890/sparql', 'http://h:8890/sparql-auth')
    """
    parts = urlsplit(store_url)
    path = parts.path.rstrip("/")
    if path.endswith(("/query", "/sparql")):
        base = path.rsplit("/", 1)[0]
        query_path = path
    else:
        base = path
        query_path = f"{path}/query"
    return (
        urlunsplit(parts._replace(path=query_path)),
        update_url or urlunsplit(parts._replace(path=f"{base}/update")),
    )


def _lexicon_digest() -> str:
    digest = hashlib.sha256()
    for name in ONTOLOGY_FILES:
        digest.update(ontology_path(name).read_bytes())
    return digest.hexdigest()


def _triple_chunks(quads: Iterable[ox.Quad]) -> list[tuple[bytes, bool]]:
    """The triples of ``quads`` as N-Triples in chunks, each with whether it holds blank nodes. Triples with
    blank nodes all go in the last chunk, so that one blank node is not split over two requests (which
    would make it two nodes)."""
    plain: list[ox.Triple] = []
    with_blanks: list[ox.Triple] = []
    for quad in quads:
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        blank = isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
        (with_blanks if blank else plain).append(triple)
    chunks = [(_ntriples(plain[i : i + _CHUNK_TRIPLES]), False) for i in range(0, len(plain), _CHUNK_TRIPLES)]
    if with_blanks:
        chunks.append((_ntriples(with_blanks), True))
    return chunks


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _insertion(graph: str, chunk: tuple[bytes, bool]) -> bytes:
    """The SPARQL Update operation inserting a chunk of N-Triples into ``graph``. One with blank nodes is
    written ``INSERT {…} WHERE {}``: SPARQL 1.1 allows blank nodes in ``INSERT DATA`` too, Virtuoso does
    not (SP031), and the two mean the same here."""
    triples, blanks = chunk
    if blanks:
        return f"INSERT {{ GRAPH <{graph}> {{\n".encode() + triples + b"}} WHERE {}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n".encode() + triples + b"}}"


class ExternalEngine:
    """Queries go to an external SPARQL 1.1 store; writes go to the data directory, then are mirrored."""

    def __init__(self, settings: Settings) -> None:
        assert settings.store_url
        self.settings = settings
        self.query_url, self.update_url = endpoints(settings.store_url, settings.store_update_url)
        self.datadir = DataDir(settings.data)
        self._client: httpx.AsyncClient | None = None
        self._auth = _store_auth(settings)
        self._sync_lock = asyncio.Lock()
        self._stamp: int | None = None  # the manifest generation mirrored
        self._prefixes = sparql_prefixes()
        self._speaks_tsv: bool | None = None  # whether the store writes SPARQL 1.1 TSV (checked once)

    @property
    def description(self) -> str:
        return self.settings.store_url or ""

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.query_timeout, connect=10.0),
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
                trust_env=False,
                auth=self._auth,
            )
        return self._client

    async def start(self) -> None:
        try:
            await self.published()
        except CnkgError as exc:  # the store may come up after us; queries retry and answer 502 meanwhile
            log.warning("external store not ready: %s", exc.detail)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # -- queries -------------------------------------------------------------------------------
    async def inspect(self, job: InspectJob) -> QueryOperation | UpdateOperation:
        """The guard, in a thread of this process (at Python's default recursion limit: a request too
        complex to parse there is refused with 400). The external store's own network is its operator's."""
        return await asyncio.to_thread(run_inspect, job)

    async def query_stream(self, request: QueryRequest) -> QueryStream:
        """The external store's results are read and capped whole (at most the row and byte caps), then
        passed on."""
        return QueryStream.whole(await self.query(request))

    async def query(self, request: QueryRequest) -> QueryOutcome:
        if self.datadir.manifest_stamp() != self._stamp:
            await self.published()
        op = request.operation
        data: list[tuple[str, str]] = [("query", self._prefixes + op.text)]
        data += [("default-graph-uri", g) for g in request.default_graphs or ()]
        data += [("named-graph-uri", g) for g in request.named_graphs or ()]
        if request.base_iri:
            data[0] = ("query", f"BASE <{request.base_iri}>\n" + data[0][1])
        cap = request.row_cap or self.settings.row_cap
        byte_cap = self.settings.max_result_bytes
        missing = await self._missing_graphs(request.check_graphs)
        if op.form is QueryForm.ASK:
            body = await self._post_query(data, "application/sparql-results+json")
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            fmt = request.fmt if request.fmt.results else format_by_name("json")
            assert isinstance(parsed, ox.QueryBoolean) and fmt.results is not None
            return QueryOutcome(parsed.serialize(format=fmt.results) or b"", 1, False, missing)
        if op.form.is_graph:
            nt = await self._post_query(data, "application/n-triples", max_lines=cap + 1, max_bytes=byte_cap)
            more = len(nt) > byte_cap
            nt = nt[: nt[:byte_cap].rfind(b"\n") + 1] if more else nt
            fmt = request.fmt if request.fmt.rdf else format_by_name("turtle")
            out = await asyncio.to_thread(
                serialize_triples,
                (q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)),
                fmt,
                row_cap=cap,
                byte_cap=byte_cap,
            )
            return QueryOutcome(out.body, out.rows, out.truncated or more, missing)
        tsv, more = await self._select(data, cap + 1, byte_cap)
        fmt = request.fmt if request.fmt.results else format_by_name("json")
        out = await asyncio.to_thread(render_tsv, tsv, fmt, row_cap=cap, byte_cap=byte_cap, more=more)
        return QueryOutcome(out.body, out.rows, out.truncated, missing)

    async def _select(self, data: list[tuple[str, str]], rows: int, max_bytes: int) -> tuple[bytes, bool]:
        """SPARQL TSV of a SELECT with at least ``rows`` rows when there are as many (0: all of them),
        and whether reading stopped at more than ``max_bytes`` bytes before the end."""
        if await self._store_speaks_tsv():
            async with self._query_response(data, _TSV) as response:
                tsv = await _read_lines(response.aiter_bytes(), rows + 1 if rows else 0, max_bytes)
                more = len(tsv) > max_bytes or _ROW_LIMIT_HEADER in response.headers
            return (tsv[:max_bytes] if len(tsv) > max_bytes else tsv), more
        reader = JsonSolutionsReader()
        size = 0
        try:
            async with self._query_response(data, _JSON) as response:
                cut_by_store = _ROW_LIMIT_HEADER in response.headers
                async for chunk in response.aiter_bytes():
                    reader.feed(chunk)
                    size += len(chunk)
                    if size > max_bytes:
                        return reader.tsv(), True
                    if rows and reader.rows >= rows:
                        return reader.tsv(), cut_by_store
            reader.finish()
        except JsonResultsError as exc:
            raise UpstreamError(f"the external store sent results cnkg cannot read: {exc}") from None
        return reader.tsv(), cut_by_store

    async def _store_speaks_tsv(self) -> bool:
        """Whether the store writes SPARQL 1.1 TSV (a header of ``?variables``): asked once. A store that
        refuses TSV, or writes another TSV (Virtuoso: quoted strings), is read in SPARQL JSON."""
        if self._speaks_tsv is None:
            probe = urlencode({"query": f"SELECT ?{_PROBE_VARIABLE} WHERE {{}}"}).encode()
            try:
                response = await self.client.post(
                    self.query_url,
                    content=probe,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": _TSV},
                )
            except httpx.HTTPError as exc:
                raise UpstreamError(f"cannot reach the external store at {self.query_url}: {exc}") from None
            if response.status_code >= 500:
                raise UpstreamError(
                    f"the external store answered {response.status_code}: {response.text[:2000]}"
                )
            self._speaks_tsv = response.status_code == 200 and response.content.startswith(
                f"?{_PROBE_VARIABLE}".encode()
            )
        return self._speaks_tsv

    async def _missing_graphs(self, graphs: tuple[str, ...]) -> tuple[str, ...]:
        missing = []
        for graph in graphs:
            body = await self._post_query(
                [("query", f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")], "application/sparql-results+json"
            )
            if not bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)):
                missing.append(graph)
        return tuple(missing)

    async def _post_query(
        self, data: list[tuple[str, str]], accept: str, max_lines: int = 0, max_bytes: int | None = None
    ) -> bytes:
        """POST a query; stop reading once ``max_lines`` lines or more than ``max_bytes`` have arrived."""
        async with self._query_response(data, accept) as response:
            return await _read_lines(response.aiter_bytes(), max_lines, max_bytes)

    @asynccontextmanager
    async def _query_response(
        self, data: list[tuple[str, str]], accept: str
    ) -> AsyncIterator[httpx.Response]:
        """The store's response to a query, once its status and headers say it is a whole result."""
        try:
            async with self.client.stream(
                "POST",
                self.query_url,
                content=urlencode(data).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            ) as response:
                if response.status_code >= 400:
                    detail = (await response.aread()).decode("utf-8", "replace")[:2000]
                    if response.status_code == 400:
                        raise QueryError(f"the external store refused the query: {detail}")
                    raise UpstreamError(f"the external store answered {response.status_code}: {detail}")
                if _PARTIAL_RESULT_HEADER in response.headers:
                    raise UpstreamTimeoutError(
                        "the external store returned a partial result, cut at its own time limit "
                        f"({_PARTIAL_RESULT_HEADER}: {response.headers[_PARTIAL_RESULT_HEADER]})"
                    )
                yield response
        except httpx.TimeoutException:
            raise UpstreamTimeoutError(
                f"the external store did not answer within {self.settings.query_timeout:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise UpstreamError(f"cannot reach the external store at {self.query_url}: {exc}") from None

    async def _post_update(self, update: str | bytes) -> None:
        content = update.encode("utf-8") if isinstance(update, str) else update
        try:
            response = await self.client.post(
                self.update_url,
                content=content,
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                timeout=httpx.Timeout(max(60.0, self.settings.query_timeout), connect=10.0),
            )
        except httpx.HTTPError as exc:
            raise UpstreamError(f"cannot update the external store at {self.update_url}: {exc}") from None
        if response.status_code >= 400:
            raise UpstreamError(
                f"the external store refused an update ({response.status_code}): {response.text[:2000]}"
            )

    # -- writes ----------------------------------------------------------------------------------
    async def update(self, operation: UpdateOperation, base_iri: str | None) -> list[str]:
        changed = await asyncio.to_thread(
            apply_update,
            self.datadir,
            operation,
            base_iri=base_iri,
            timeout=self.settings.query_timeout,
            allow_network=self.settings.allow_service,
        )
        await self.published()
        return changed

    async def published(self) -> None:
        """Mirror the data directory into the store: changed report graphs, the lexicon, deletions."""
        async with self._sync_lock:
            stamp = self.datadir.manifest_stamp()
            if stamp == self._stamp:
                return
            manifest = self.datadir.read_manifest()
            mirrored = await self._mirrored()
            wanted = {report_iri(rid): rec.graph_file for rid, rec in manifest.reports.items()}
            lexicon = "lexicon:" + _lexicon_digest()
            if mirrored.get(LEXICON_GRAPH) != lexicon:
                quads = [
                    q
                    for name in ONTOLOGY_FILES
                    for q in ox.parse(path=str(ontology_path(name)), format=ox.RdfFormat.TURTLE)
                ]
                await self._replace_graph(LEXICON_GRAPH, quads, lexicon)
            for graph, graph_file in sorted(wanted.items()):
                if mirrored.get(graph) != graph_file:
                    path = str(self.datadir.path(graph_file))
                    name = ox.NamedNode(graph)
                    quads = [
                        q for q in ox.parse(path=path, format=ox.RdfFormat.N_QUADS) if q.graph_name == name
                    ]
                    await self._replace_graph(graph, quads, graph_file)
            for graph in sorted(set(mirrored) - set(wanted) - {LEXICON_GRAPH}):
                await self._post_update(
                    f"DROP SILENT GRAPH <{graph}> ;\n"
                    f"DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{graph}> <{_GRAPH_FILE}> ?f }} }}"
                )
            self._stamp = stamp

    async def _mirrored(self) -> dict[str, str]:
        body, _ = await self._select(
            [("query", f"SELECT ?g ?f {{ GRAPH <{STATE_GRAPH}> {{ ?g <{_GRAPH_FILE}> ?f }} }}")],
            0,
            self.settings.max_result_bytes,
        )
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        assert isinstance(solutions, ox.QuerySolutions)
        return {s["g"].value: s["f"].value for s in solutions if s["g"] is not None and s["f"] is not None}

    async def _replace_graph(self, graph: str, quads: list[ox.Quad], marker: str) -> None:
        """Replace a graph in the store in one request, or, when it is larger than one request holds, by a
        MOVE of a staged copy; either way readers see the old or the new graph."""
        chunks = _triple_chunks(quads)
        state = (
            f"DELETE WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{graph}> <{_GRAPH_FILE}> ?f }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{STATE_GRAPH}> {{ <{graph}> <{_GRAPH_FILE}> {_literal(marker)} }} }}"
        )
        if len(chunks) <= _CHUNKS_PER_REQUEST:
            insertions = [_insertion(graph, chunk) for chunk in chunks]
            await self._post_update(
                b" ;\n".join([f"DROP SILENT GRAPH <{graph}>".encode(), *insertions, state.encode()])
            )
            return
        staging = f"{graph}#cnkg-staging-{secrets.token_hex(4)}"
        try:
            for first in range(0, len(chunks), _CHUNKS_PER_REQUEST):
                batch = chunks[first : first + _CHUNKS_PER_REQUEST]
                await self._post_update(b" ;\n".join(_insertion(staging, chunk) for chunk in batch))
            await self._post_update(f"MOVE SILENT <{staging}> TO <{graph}> ;\n{state}")
        except CnkgError:
            await self._post_update(f"DROP SILENT GRAPH <{staging}>")
            raise

    def status(self) -> dict[str, Any]:
        results = {None: "not checked yet", True: "tsv", False: "json"}[self._speaks_tsv]
        return {
            "engine": "external",
            "query_endpoint": self.query_url,
            "update_endpoint": self.update_url,
            "select_results": results,
        }


def _store_auth(settings: Settings) -> StoreAuth | None:
    if settings.store_user is None and settings.store_password is None:
        return None
    if settings.store_user is None or settings.store_password is None:
        raise CnkgError(
            "an external store user needs a password (CNKG_STORE_PASSWORD), and a password a user"
        )
    return StoreAuth(settings.store_user, settings.store_password.get_secret_value())


def _literal(value: str) -> str:
    return str(ox.Literal(value))


async def _read_lines(chunks: AsyncIterator[bytes], max_lines: int, max_bytes: int | None = None) -> bytes:
    """Read until ``max_lines`` lines (0: no limit) or more than ``max_bytes`` bytes have arrived."""
    parts: list[bytes] = []
    lines = size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            break
        if max_lines:
            lines += chunk.count(b"\n")
            if lines >= max_lines:
                break
    return b"".join(parts)
