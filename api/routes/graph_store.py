"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol over report graphs.

Reading works on any graph (``?graph=IRI``) or on the default graph (``?default``, the union of all
graphs); writing needs the write token and works on existing report graphs only: PUT replaces a report's
graph, POST adds to it, DELETE deletes the report (graph, text and index entries, like
``DELETE /reports/{rid}``). Every write goes through the data directory atomically.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import DataDirDep, EngineDep, WriteAccess, WritingCatalogDep, sandbox
from api.problems import problem_docs
from kg import graph_payload
from kg.datadir import DataDir
from kg.errors import InputError, NotFoundError
from kg.namespaces import LEXICON_GRAPH
from kg.sparql.engine import QueryRequest
from kg.sparql.errors import ReadOnlyGraphError, UnsupportedMediaTypeError
from kg.sparql.formats import GRAPH_FORMATS, negotiate
from kg.sparql.graphs import merge_report_graph, replace_report_graph, writable_report
from kg.sparql.guard import QueryForm, cnkg_query
from kg.sparql.resources import iri_term

__all__ = ["router"]

router = APIRouter(prefix="/store", tags=["Graph Store"])

_REPORT_EXAMPLE = "https://w3id.org/cnkg/id/report/70a1e0d4758384e6"
GraphParam = Annotated[
    str | None, Query(description="IRI of the graph.", examples=[_REPORT_EXAMPLE, LEXICON_GRAPH])
]
DefaultParam = Annotated[
    str | None, Query(description="Present (empty) to address the default graph, the union of all graphs.")
]
_READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The graph, in the format chosen by Accept (Turtle by default).",
        "content": {"text/turtle": {"example": f"<{_REPORT_EXAMPLE}> a cnkg:Report ."}},
    },
    **problem_docs(400, 404, 406, 429, 503),
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    204: {"description": "Done; the data directory was updated atomically."},
    **problem_docs(400, 401, 403, 404, 413, 415, 422, 429),
}
_PAYLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "text/turtle": {
                "schema": {"type": "string"},
                "example": "<https://w3id.org/cnkg/id/entity/博云> <https://w3id.org/cnkg/ontology#offers> "
                "<https://w3id.org/cnkg/id/entity/beyondcontainer> .",
            },
            "application/n-triples": {"schema": {"type": "string"}},
            "application/rdf+xml": {"schema": {"type": "string"}},
            "application/ld+json": {"schema": {"type": "object"}},
        },
    }
}


# async: FastAPI would run a plain function in its thread pool, a thread hop per request
async def _target(graph: GraphParam = None, default: DefaultParam = None) -> str | None:
    """The graph IRI addressed, or None for the default graph."""
    if (graph is None) == (default is None):
        raise InputError("address exactly one graph: ?graph=IRI or ?default")
    if graph is not None:
        iri_term(graph)  # validates
    return graph


GraphTarget = Annotated[str | None, Depends(_target)]


@router.get(
    "",
    summary="Read a graph",
    description="GET a named graph (`?graph=`) or the default graph (`?default`, the union of all graphs), "
    "row-capped like a CONSTRUCT (`X-Cnkg-Truncated`).",
    responses=_READ_RESPONSES,
)
async def read_graph(request: Request, engine: EngineDep, target: GraphTarget) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS, request.query_params.get("format"))
    pattern = f"GRAPH {iri_term(target)} {{ ?s ?p ?o }}" if target else "?s ?p ?o"
    sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}"
    outcome = await engine.query(
        QueryRequest(cnkg_query(sparql, QueryForm.CONSTRUCT), fmt, check_graphs=(target,) if target else ())
    )
    if outcome.missing_graphs:
        raise NotFoundError(f"no graph <{target}> in this store")
    headers = {"X-Cnkg-Truncated": "true" if outcome.truncated else "false", "Vary": "Accept"}
    body = b"" if request.method == "HEAD" else outcome.body
    return Response(content=body, media_type=fmt.content_type, headers=headers)


router.add_api_route("", read_graph, methods=["HEAD"], include_in_schema=False)


async def _payload(request: Request, graph: str) -> bytes:
    """The request body as N-Quads in ``graph``, parsed in a sandboxed child process (an RDF/XML body
    with a DOCTYPE is refused there before parsing): :mod:`kg.graph_payload`."""
    content_type = request.headers.get("content-type")
    if not content_type:
        raise UnsupportedMediaTypeError("send the graph with a Content-Type such as text/turtle")
    body = await request.body()
    job = graph_payload.GraphPayloadJob(body, content_type, graph)
    nquads: bytes = await asyncio.to_thread(sandbox(request, graph_payload.warm_up, "the graph").run, job)
    return nquads


async def _writable_target(target: GraphTarget) -> str:
    if target is None:
        raise ReadOnlyGraphError(
            "the default graph is the read-only union of all graphs; address a report graph"
        )
    return target


WritableTarget = Annotated[str, Depends(_writable_target)]


def _graph_writer(write: Callable[[DataDir, str, bytes], str]) -> Callable[..., Awaitable[Response]]:
    """The handler of PUT (``write`` replaces the graph) or POST (``write`` merges into it): parse the
    body into the addressed report graph, write it in one atomic step of the data directory, and answer
    once the query workers serve the new version."""

    async def write_graph(
        request: Request, _: WriteAccess, datadir: DataDirDep, engine: EngineDep, target: WritableTarget
    ) -> Response:
        nquads = await _payload(request, target)
        await asyncio.to_thread(write, datadir, target, nquads)
        await engine.published()
        return Response(status_code=204)

    return write_graph


router.put(
    "",
    name="put_graph",
    status_code=204,
    summary="Replace a report graph",
    description="Replace the graph of an existing report with the request body. Needs the write token.",
    responses=_WRITE_RESPONSES,
    openapi_extra=_PAYLOAD_DOC,
)(_graph_writer(replace_report_graph))
router.post(
    "",
    name="post_graph",
    status_code=204,
    summary="Add to a report graph",
    description="Add the triples of the request body to the graph of an existing report. "
    "Needs the write token.",
    responses=_WRITE_RESPONSES,
    openapi_extra=_PAYLOAD_DOC,
)(_graph_writer(merge_report_graph))


@router.delete(
    "",
    status_code=204,
    summary="Delete a report graph (and its report)",
    description="Deleting a report graph deletes the report as a unit: graph, stored text and search index "
    "entries. Needs the write token.",
    responses=_WRITE_RESPONSES,
)
async def delete_graph(
    _: WriteAccess, catalog: WritingCatalogDep, engine: EngineDep, target: WritableTarget
) -> Response:
    rid = writable_report(target, catalog.datadir.read_manifest())
    await asyncio.to_thread(catalog.delete, rid)
    await engine.published()
    return Response(status_code=204)
