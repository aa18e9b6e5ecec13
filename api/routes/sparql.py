"""``/sparql``: the SPARQL 1.1 Protocol (query and update), with the service description on a bare GET."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from api.deps import EngineDep, SettingsDep, check_write_token
from api.problems import problem_docs
from kg.errors import InputError
from kg.sparql.client_queries import inspect_client_query
from kg.sparql.description import service_description
from kg.sparql.engine import QueryRequest, inspect_job, select_json
from kg.sparql.errors import UnsupportedMediaTypeError
from kg.sparql.formats import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    SELECT_FORMATS,
    XLSX_RESULTS,
    format_by_name,
    negotiate,
)
from kg.sparql.guard import QueryForm, UpdateOperation, UsingDataset
from kg.sparql.stream import QueryStream
from kg.tables import sparql_table
from kg.tabular import write_xlsx

__all__ = ["router"]

router = APIRouter(tags=["SPARQL"])

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"

_EXAMPLE_QUERY = "SELECT ?vendor ?label WHERE { ?vendor a cnkg:Vendor ; skos:prefLabel ?label } LIMIT 5"
_RESULTS_EXAMPLE = {
    "head": {"vars": ["vendor", "label"]},
    "results": {
        "bindings": [
            {
                "vendor": {"type": "uri", "value": "https://w3id.org/cnkg/id/entity/阿里云"},
                "label": {"type": "literal", "value": "阿里云", "xml:lang": "zh"},
            }
        ]
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Query results (SELECT/ASK: JSON, XML, CSV, TSV; SELECT also XLSX; "
        "CONSTRUCT/DESCRIBE: Turtle, N-Triples, "
        "JSON-LD, RDF/XML, TriG, N-Quads), chosen by Accept or `format`. `X-Cnkg-Truncated: true` (and, in "
        'JSON, `"truncated": true`) when the row cap or the byte cap cut the result; every result is '
        "counted, whatever its own LIMIT says, and streamed. A bare GET returns the service "
        "description (Turtle). An update returns a JSON summary.",
        "content": {
            "application/sparql-results+json": {"example": _RESULTS_EXAMPLE},
            "text/csv": {"example": "vendor,label\r\nhttps://w3id.org/cnkg/id/entity/阿里云,阿里云\r\n"},
            "text/turtle": {"example": "<https://w3id.org/cnkg/id/entity/阿里云> a cnkg:Vendor ."},
        },
    },
    **problem_docs(400, 401, 403, 406, 413, 415, 429, 503),
}
_BODY_DOC = {
    "requestBody": {
        "required": False,
        "content": {
            _FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "update": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "example": {"query": _EXAMPLE_QUERY},
            },
            _QUERY: {"schema": {"type": "string"}, "example": _EXAMPLE_QUERY},
            _UPDATE: {
                "schema": {"type": "string"},
                "example": "DELETE DATA { GRAPH <https://w3id.org/cnkg/id/report/RID> "
                "{ <https://w3id.org/cnkg/id/entity/a> cnkg:competesWith "
                "<https://w3id.org/cnkg/id/entity/b> } }",
            },
        },
    }
}

QueryParam = Annotated[str | None, Query(description="The SPARQL query (GET).", examples=[_EXAMPLE_QUERY])]
GraphsParam = Annotated[
    list[str] | None, Query(alias="default-graph-uri", description="Default graph(s) of the dataset.")
]
NamedParam = Annotated[
    list[str] | None, Query(alias="named-graph-uri", description="Named graph(s) of the dataset.")
]
FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="Override Accept: json, xml, csv, tsv, xlsx (SELECT), turtle, ntriples, jsonld, rdfxml, "
        "trig, nquads.",
        examples=["csv"],
    ),
]


class _ResultResponse(StreamingResponse):
    """A query result streamed from its worker; the worker goes back to the pool when the body has been
    read (or after ``BODY_TIMEOUT``). Unlike Starlette's ``StreamingResponse`` it ends with its last chunk
    and has no disconnect-listening task to wind down, so once a client has the whole body the request is
    over, as with a plain ``Response`` (the per-client concurrency limit no longer counts it). A client
    that went away just stops receiving: the body's rest, at most the byte cap, is read and dropped."""

    def __init__(self, stream: QueryStream, *, media_type: str, headers: dict[str, str]) -> None:
        super().__init__(stream, media_type=media_type, headers=headers)
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        previous = b""
        try:
            async for chunk in self.stream:
                if previous:
                    await send({"type": "http.response.body", "body": previous, "more_body": True})
                previous = chunk
        finally:
            self.stream.close()  # a no-op once the body was read; else the worker is taken back
        await send({"type": "http.response.body", "body": previous, "more_body": False})


def _media(content_type: str) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header."""
    media, *params = (p.strip() for p in content_type.split(";"))
    charset = next(
        (p.split("=", 1)[1].strip('"').lower() for p in params if p.lower().startswith("charset=")), None
    )
    return media.lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"the SPARQL protocol requires UTF-8, not {charset!r}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the request body is not valid UTF-8") from None


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise InputError(f"more than one '{name}' parameter; send exactly one")
    return values[0] if values else None


def _many(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    return tuple(v for k, v in params if k == name)


def _graph_iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """The values of a dataset parameter, each of which must be an absolute IRI."""
    values = _many(params, name)
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise InputError(f"'{name}' must be an absolute IRI, not {value!r}") from None
    return values


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


async def _answer(
    request: Request,
    params: list[tuple[str, str]],
    query: str | None,
    update: str | None,
    settings: SettingsDep,
    engine: EngineDep,
) -> Response:
    if query is not None and update is not None:
        raise InputError("send either 'query' or 'update', not both")
    if update is not None:
        check_write_token(settings, request.headers.get("authorization"))
        update_op = await engine.inspect(
            inspect_job(
                settings,
                update,
                is_update=True,
                using=UsingDataset(_many(params, "using-graph-uri"), _many(params, "using-named-graph-uri")),
            )
        )
        assert isinstance(update_op, UpdateOperation)
        changed = await engine.update(update_op, _endpoint(request))
        return JSONResponse({"status": "ok", "changedReports": changed})
    if query is None:
        raise InputError("missing 'query' (or, with POST, 'update') parameter")
    operation = await inspect_client_query(settings, engine, query)
    offered = (
        GRAPH_FORMATS
        if operation.form.is_graph
        else SELECT_FORMATS
        if operation.form is QueryForm.SELECT
        else RESULT_FORMATS
    )
    fmt = negotiate(request.headers.get("accept"), offered, _single(params, "format"))
    spreadsheet = fmt is XLSX_RESULTS  # made here from the engine's JSON, under the same cap and timeout
    default_graphs = _graph_iris(params, "default-graph-uri")
    named_graphs = _graph_iris(params, "named-graph-uri")
    dataset = bool(default_graphs or named_graphs)
    stream = await engine.query_stream(
        QueryRequest(
            operation,
            format_by_name("json") if spreadsheet else fmt,
            default_graphs=default_graphs if dataset else None,
            named_graphs=named_graphs if dataset else None,
            base_iri=_endpoint(request),
            check_graphs=default_graphs + named_graphs,
        )
    )
    outcome = stream.outcome
    headers = {
        "X-Cnkg-Truncated": "true" if outcome.truncated else "false",
        "Vary": "Accept",
        "Content-Length": str(stream.size),
    }
    if outcome.rows >= 0:
        headers["X-Cnkg-Rows"] = str(outcome.rows)
    if outcome.missing_graphs:
        headers["X-Cnkg-Unknown-Graphs"] = " ".join(f"<{g}>" for g in outcome.missing_graphs)
    if spreadsheet:  # a workbook is written whole: from the JSON results, at most the caps
        json_body = (await stream.read()).body
        del headers["Content-Length"]
        headers["Content-Disposition"] = 'attachment; filename="results.xlsx"'
        body = await asyncio.to_thread(lambda: write_xlsx(sparql_table(json.loads(json_body))))
        return Response(content=body, media_type=fmt.content_type, headers=headers)
    # the body goes from the worker to the client chunk by chunk; the worker is released at its end
    return _ResultResponse(stream, media_type=fmt.content_type, headers=headers)


async def _description(
    request: Request, settings: SettingsDep, engine: EngineDep, fmt_name: str | None
) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS, fmt_name)
    rows = await select_json(engine, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", row_cap=100_000)
    graphs = [row["g"]["value"] for row in rows if row["g"]["type"] == "uri"]
    wall = engine.status().get("network_wall")
    body = service_description(
        _endpoint(request),
        settings,
        access=settings.client_access(),
        graphs=graphs,
        fmt=fmt,
        network_wall=str(wall) if wall else None,
    )
    return Response(content=body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or service description",
    description="SPARQL 1.1 Protocol query via GET (`query=`). "
    "Without `query`, returns the SPARQL 1.1 Service "
    "Description with the endpoint's limits. Common prefixes (cnkg:, skos:, dcterms:, rdfs:, prov: …) are "
    "predeclared; the default graph is the union of all graphs.",
    responses=_RESPONSES,
)
async def sparql_get(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    query: QueryParam = None,
    default_graph_uri: GraphsParam = None,
    named_graph_uri: NamedParam = None,
    format: FormatParam = None,
) -> Response:
    params = list(request.query_params.multi_items())
    if _single(params, "update") is not None:
        raise InputError("SPARQL Update must be sent with POST, not GET")
    query = _single(params, "query")
    if query is None:
        return await _description(request, settings, engine, format)
    return await _answer(request, params, query, None, settings, engine)


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    description="Query via POST with `application/x-www-form-urlencoded` (`query=`) or "
    "`application/sparql-query`; update (needs `Authorization: Bearer <write token>`) via form "
    "(`update=`) or `application/sparql-update`. "
    "Updates may change existing report graphs only; they are persisted to the data directory atomically.",
    responses=_RESPONSES,
    openapi_extra=_BODY_DOC,
)
async def sparql_post(request: Request, settings: SettingsDep, engine: EngineDep) -> Response:
    content_type = request.headers.get("content-type")
    if not content_type:
        raise UnsupportedMediaTypeError(f"POST /sparql needs a Content-Type: {_FORM}, {_QUERY} or {_UPDATE}")
    media, charset = _media(content_type)
    params = list(request.query_params.multi_items())
    if media == _UPDATE:  # an update's body is not read before its sender has shown the write token
        check_write_token(settings, request.headers.get("authorization"))
    body = await request.body()
    if media == _FORM:
        form = parse_qsl(_decode(body, charset), keep_blank_values=True)
        params += form
        return await _answer(
            request, params, _single(form, "query"), _single(form, "update"), settings, engine
        )
    if media == _QUERY:
        return await _answer(request, params, _decode(body, charset), None, settings, engine)
    if media == _UPDATE:
        return await _answer(request, params, None, _decode(body, charset), settings, engine)
    raise UnsupportedMediaTypeError(
        f"POST /sparql cannot read {media!r}; send {_FORM}, {_QUERY} or {_UPDATE}"
    )


# The W3C protocol tests (and some clients) use the endpoint with a trailing slash.
router.add_api_route("/sparql/", sparql_get, methods=["GET"], include_in_schema=False)
router.add_api_route("/sparql/", sparql_post, methods=["POST"], include_in_schema=False)
