"""The HTTP service: ``create_app(settings)`` builds the FastAPI application ``cnkg serve`` runs."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.routing import Route

from api.mcp import MCP_PATH, McpHttpEndpoint, build_mcp_server
from api.middleware import install_middleware
from api.problems import install_problem_handlers
from api.routes import ask, entities, graph_store, health, linked_data, reports, search, sparql, ui
from api.routes.api_docs import install_api_docs
from api.routes.facts import router as facts_router
from api.routes.void import router as void_router
from api.security_headers import install_security_headers
from api.services import Services
from api.settings import ServerSettings
from kg import __version__
from kg.sparql.engine import make_engine

__all__ = ["create_app"]

_DESCRIPTION = """Knowledge graph and semantic search over Chinese industry reports on cloud-native computing.

* **SPARQL 1.1** at `/sparql` (Protocol, Service Description; Update and the Graph Store at `/store` with the
  write token). Queries have a hard timeout, a row cap (`X-Cnkg-Truncated`), and no federation unless enabled.
* **Linked data**: every `https://w3id.org/cnkg/id/…` IRI dereferences at `/id/…` (HTML or RDF).
* **Resources**: `/entities`, `/reports`, `/search`, `/health`.

Errors are `application/problem+json`. Writes need `Authorization: Bearer <write token>`.
"""


def _start_loading_search_index(services: Services) -> None:
    """Lazy start: load the search indexes and the embedder in the background instead of before serving.
    /health and SPARQL answer at once; a /search that arrives first waits for this load (the search
    service's lock), never starts a second one."""
    loader = threading.Thread(target=services.load_search_index, name="search-load", daemon=True)
    loader.start()


def create_app(settings: ServerSettings) -> FastAPI:
    """The application over ``settings.data`` (or ``settings.store_url``); the query engine starts with it."""

    mcp_server = build_mcp_server(settings, lambda: app.state.engine, lambda: app.state.services)
    mcp_endpoint = McpHttpEndpoint(mcp_server, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the engine and the services (search, Q&A, index updates), each built once from the settings;
        # the search index loads in the background while the query workers start
        engine, services = make_engine(settings), Services(settings)
        _start_loading_search_index(services)
        await engine.start()
        app.state.engine, app.state.services = engine, services
        try:
            async with mcp_endpoint.running():
                yield
        finally:
            await engine.close()

    app = FastAPI(
        title="cnkg",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from installed files by install_api_docs, not from a CDN
        redoc_url=None,
        openapi_tags=[
            {"name": "SPARQL", "description": "SPARQL 1.1 Protocol, Update and Service Description."},
            {
                "name": "Graph Store",
                "description": "SPARQL 1.1 Graph Store HTTP Protocol over report graphs.",
            },
            {"name": "Linked data", "description": "Dereferenceable IRIs."},
        ],
    )
    app.state.settings = settings
    app.state.sandboxes = {}  # api.deps.sandbox: child processes that parse uploads, made on first use
    install_problem_handlers(app)
    install_middleware(app, settings)
    install_security_headers(app)  # outermost: also on the other middleware's answers
    for module in (health, sparql, graph_store, linked_data, entities, reports, search, ask):
        app.include_router(module.router)
    app.include_router(facts_router)
    app.include_router(void_router)
    install_api_docs(app)
    # MCP for AI assistants (streamable HTTP, read-only tools; docs/mcp.md), behind the same middleware
    # POST only: stateless, so a GET event stream would carry nothing and hold a connection slot
    app.router.routes.append(Route(MCP_PATH, mcp_endpoint, methods=["POST"]))
    app.include_router(ui.router)  # the web interface at / (not in the OpenAPI description)
    return app
