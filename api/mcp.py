"""The MCP server (Model Context Protocol, official ``mcp`` SDK): cnkg's read-only tools and resources for
AI assistants, over stdio (``cnkg mcp``) and over streamable HTTP at ``/mcp`` of ``cnkg serve``.

Tools (argument names are a contract, docs/mcp.md): ``search(query, k, type, report)``, ``ask(question)``,
``sparql(query)``, ``entity(name | iri)``, ``facts(entity, metric, year)``, ``reports()``; what each does
is in :mod:`api.mcp_tools`. Resources: the ontology files (``cnkg://ontology/{file}``) and each report
(``cnkg://report/{rid}``: metadata and passages). Nothing writes.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.resources import FunctionResource
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import Resource as MCPResource
from mcp_types import ToolAnnotations
from pydantic import Field
from starlette.types import Receive, Scope, Send

from api.mcp_tools import CnkgTools
from api.problems import problem_response
from api.services import Services
from api.settings import ServerSettings
from kg import __version__
from kg.catalog import Catalog
from kg.errors import CnkgError
from kg.namespaces import ENTITY_TYPES, report_iri
from kg.settings import Settings
from kg.sparql.engine import SparqlEngine, make_engine, select_json
from kg.sparql.resources import iri_term, report_overview
from kg.store import ONTOLOGY_FILES, ontology_path

__all__ = ["MCP_PATH", "McpHttpEndpoint", "build_mcp_server", "run_stdio"]

MCP_PATH = "/mcp"
REPORT_RESOURCE = "cnkg://report/{rid}"
_LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
_INSTRUCTIONS = (
    "cnkg answers from ingested Chinese industry reports on cloud-native computing. Every result has "
    "'citations' (report title, report and passage IRIs, character offsets, text): quote them when you "
    "use a result. Start with 'search' or 'ask'; 'facts' gives market figures with their sentences; "
    "'entity' what the reports say about one thing; 'sparql' queries the graph (read-only)."
)


async def _tool_result(work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """The tool's result, or its cnkg error as a tool error with the same detail /sparql would give."""
    try:
        return await work
    except CnkgError as exc:
        raise ToolError(f"{exc.title}: {exc.detail}") from None


# module level: the SDK reads the tools' annotations (strings here) in this module's namespace
_TYPE_HELP = f"Only passages mentioning an entity of this type: {', '.join(ENTITY_TYPES)}."


def _register_tools(server: MCPServer[Any], tools: CnkgTools) -> None:
    @server.tool(name="search", title="Search report passages", annotations=_READ_ONLY)
    async def search(
        query: Annotated[str, Field(description="Question or keywords, Chinese or English.")],
        k: Annotated[int, Field(description="How many passages (1-100).")] = 10,
        type: Annotated[str | None, Field(description=_TYPE_HELP)] = None,
        report: Annotated[str | None, Field(description="Only this report (id, IRI or file name).")] = None,
    ) -> dict[str, Any]:
        """Passages of the reports ranked for a query (keywords + meaning + entities), each cited."""
        return await _tool_result(tools.search(query, k, type, report))

    @server.tool(name="ask", title="Answer a question from the reports", annotations=_READ_ONLY)
    async def ask(
        question: Annotated[str, Field(description="The question, Chinese or English.")],
    ) -> dict[str, Any]:
        """An answer taken from the reports (a value, a list, a name or a sentence), with its evidence;
        'answered' is false when the reports do not answer it."""
        return await _tool_result(tools.ask(question))

    @server.tool(name="sparql", title="Query the knowledge graph (SPARQL, read-only)", annotations=_READ_ONLY)
    async def sparql(
        query: Annotated[
            str,
            Field(
                description="A SPARQL 1.1 SELECT, ASK, CONSTRUCT or DESCRIBE; cnkg:, skos:, dcterms:, prov: "
                "and rdfs: are predeclared; the default graph is the union of all graphs."
            ),
        ],
    ) -> dict[str, Any]:
        """A read-only SPARQL query under the same guard, timeout and row cap as the /sparql endpoint.
        Passages in the result are cited."""
        return await _tool_result(tools.sparql(query))

    @server.tool(name="entity", title="One entity and what the reports say about it", annotations=_READ_ONLY)
    async def entity(
        name: Annotated[str | None, Field(description="A label or alias (e.g. K8s, 阿里云).")] = None,
        iri: Annotated[
            str | None, Field(description="Or its IRI (https://w3id.org/cnkg/id/entity/...).")
        ] = None,
    ) -> dict[str, Any]:
        """Labels, aliases, type, Wikidata link, relations with their evidence, mentions per report and
        market figures about it."""
        return await _tool_result(tools.entity(name, iri))

    @server.tool(name="facts", title="Market figures across reports and years", annotations=_READ_ONLY)
    async def facts(
        entity: Annotated[str | None, Field(description="Only about this entity (label or alias).")] = None,
        metric: Annotated[
            str | None, Field(description="What is measured: 市场规模, CAGR, 同比增长, 占比 ...")
        ] = None,
        year: Annotated[int | None, Field(description="Only this year.")] = None,
    ) -> dict[str, Any]:
        """Observations grouped by what they measure, sorted by year, each with value, unit, report and
        the sentence it was read from."""
        return await _tool_result(tools.facts(entity, metric, year))

    @server.tool(name="reports", title="The ingested reports", annotations=_READ_ONLY)
    async def reports() -> dict[str, Any]:
        """Every ingested report: id, IRI, title, source file, size and its resource URI."""
        return await _tool_result(tools.reports())


async def _report_resource(tools: CnkgTools, rid: str) -> str:
    """A report as JSON: its record, the graph's metadata and its passages in order."""
    try:
        record = Catalog(tools.datadir).get(rid)
        engine = tools.engine()
        overview = await report_overview(engine, rid)
        term = iri_term(report_iri(rid))
        rows = await select_json(
            engine,
            f"""SELECT ?p ?start ?end ?section ?text WHERE {{ GRAPH {term} {{
  ?p a cnkg:Passage ; cnkg:start ?start ; cnkg:end ?end ; cnkg:text ?text
  OPTIONAL {{ ?p cnkg:section ?section }}
}} }} ORDER BY ?start""",
        )
    except CnkgError as exc:
        raise ResourceError(exc.detail) from None
    passages = [
        {
            "passage": row["p"]["value"],
            "start": int(row["start"]["value"]),
            "end": int(row["end"]["value"]),
            "section": row.get("section", {}).get("value"),
            "text": row["text"]["value"],
        }
        for row in rows
    ]
    document = {
        "rid": record.rid,
        "iri": report_iri(record.rid),
        "title": record.title,
        "source": record.source,
        "chars": record.chars,
        "ingested": record.ingested,
        **overview,
        "passages": passages,
    }
    return json.dumps(document, ensure_ascii=False)


class _CnkgMcpServer(MCPServer[Any]):
    """Lists each ingested report as a resource (the template alone would not name them)."""

    def __init__(self, tools: CnkgTools, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tools = tools

    async def list_resources(self) -> list[MCPResource]:
        listed = await super().list_resources()
        for record in Catalog(self.tools.datadir).reports():
            listed.append(
                MCPResource(
                    uri=REPORT_RESOURCE.format(rid=record.rid),
                    name=record.rid,
                    title=record.title,
                    description=f"{record.title} ({record.source}): metadata and passages",
                    mime_type="application/json",
                )
            )
        return listed


_ONTOLOGY_FILE_DESCRIPTIONS = {
    "cnkg.ttl": "The cnkg ontology: classes and properties",
    "lexicon.ttl": "The curated lexicon: entities, labels, aliases, Wikidata links",
    "lexicon-sources.ttl": "The lexicon generated from the CNCF landscape and glossary (curated entries win)",
}


def _register_resources(server: MCPServer[Any], tools: CnkgTools) -> None:
    for name in ONTOLOGY_FILES:
        path = ontology_path(name)
        server.add_resource(
            FunctionResource(
                uri=f"cnkg://ontology/{path.name}",
                name=path.stem,
                title=f"cnkg {path.stem} (Turtle)",
                description=_ONTOLOGY_FILE_DESCRIPTIONS[name],
                mime_type="text/turtle",
                fn=functools.partial(path.read_text, encoding="utf-8"),
            )
        )

    @server.resource(
        REPORT_RESOURCE,
        name="report",
        title="A report: metadata and passages",
        mime_type="application/json",
    )
    async def report(rid: str) -> str:
        return await _report_resource(tools, rid)


def build_mcp_server(
    settings: Settings, engine: Callable[[], SparqlEngine], services: Callable[[], Services]
) -> MCPServer[Any]:
    """The MCP server over ``settings.data``; ``engine`` and ``services`` return the running SPARQL engine
    and the search and Q&A services (the HTTP service's, or those ``cnkg mcp`` started)."""
    tools = CnkgTools(settings, engine, services)
    server = _CnkgMcpServer(
        tools, name="cnkg", version=__version__, instructions=_INSTRUCTIONS, log_level="WARNING"
    )
    _register_tools(server, tools)
    _register_resources(server, tools)
    return server


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_security(settings: ServerSettings) -> TransportSecuritySettings:
    """The SDK's own Host/Origin check, a second wall behind the app's middleware: a server bound to
    loopback answers only loopback Host names and Origins (DNS rebinding); one bound elsewhere is left to
    the operator's allow-lists (CORS and the host check of the whole app)."""
    if not _is_loopback(settings.host):
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]"],
        allowed_origins=[
            "http://127.0.0.1:*",
            "http://localhost:*",
            "http://[::1]:*",
            *settings.cors_origins,
        ],
    )


class McpHttpEndpoint:
    """``/mcp`` of ``cnkg serve``: streamable HTTP, stateless (each POST is answered on its own, in JSON),
    so it passes through the app's middleware (host check, CORS, rate and concurrency limits, body cap)
    like any other request and holds no sessions between requests."""

    def __init__(self, server: MCPServer[Any], settings: ServerSettings) -> None:
        self.server = server
        self.settings = settings
        self.manager: StreamableHTTPSessionManager | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Serve while the block runs (the app's lifespan); a new session manager each time."""
        # builds a fresh session manager (the SDK's way to mount its endpoint in another app)
        self.server.streamable_http_app(
            json_response=True, stateless_http=True, transport_security=transport_security(self.settings)
        )
        manager = self.server.session_manager
        async with manager.run():
            self.manager = manager
            try:
                yield
            finally:
                self.manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.manager is None:
            response = problem_response(
                503, "Service unavailable", "the MCP endpoint is starting or stopping"
            )
            await response(scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)


async def run_stdio(settings: Settings) -> None:
    """``cnkg mcp``: start the SPARQL engine, then serve MCP over stdin/stdout until the client leaves."""
    engine, services = make_engine(settings), Services(settings)
    await engine.start()
    try:
        await build_mcp_server(settings, lambda: engine, lambda: services).run_stdio_async()
    finally:
        await engine.close()
