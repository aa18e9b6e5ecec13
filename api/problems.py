"""Every error leaves the service as an RFC 9457 problem (``application/problem+json``), mapped here once.

``CnkgError`` subclasses carry a title and a detail; this module alone decides their HTTP status
(:data:`STATUS_OF`, most specific class first) and headers (``Retry-After``, ``WWW-Authenticate``).
Framework errors (unknown route, wrong method, invalid parameters) and unexpected exceptions get the
same shape, without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import ForbiddenError, UnauthorizedError
from kg.errors import (
    CnkgError,
    ConflictError,
    InputError,
    NotFoundError,
    ProcessingMemoryError,
    ProcessingTimeoutError,
    QueryTimeoutError,
    StoreBusyError,
    StoreError,
    UnsupportedInputError,
)
from kg.sandbox import SandboxUnavailableError
from kg.sparql.errors import (
    NotAcceptableError,
    PayloadTooLargeError,
    QueryAbortedError,
    QueryRefusedError,
    ReadOnlyGraphError,
    ServiceBusyError,
    UnsupportedMediaTypeError,
    UpstreamError,
    UpstreamTimeoutError,
)

__all__ = [
    "PROBLEM_JSON",
    "PROBLEM_RESPONSES",
    "STATUS_OF",
    "install_problem_handlers",
    "json_responses",
    "problem_docs",
    "problem_response",
    "status_of",
]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("cnkg.api")

# The HTTP status of each error class; a class not named here answers with its nearest named base's.
STATUS_OF: dict[type[CnkgError], int] = {
    CnkgError: 500,
    InputError: 400,
    ProcessingTimeoutError: 422,
    ProcessingMemoryError: 413,
    UnsupportedInputError: 415,
    NotFoundError: 404,
    ConflictError: 409,
    QueryTimeoutError: 503,
    StoreError: 500,
    StoreBusyError: 409,
    SandboxUnavailableError: 503,
    QueryRefusedError: 403,
    ReadOnlyGraphError: 403,
    NotAcceptableError: 406,
    UnsupportedMediaTypeError: 415,
    PayloadTooLargeError: 413,
    ServiceBusyError: 503,
    QueryAbortedError: 503,
    UpstreamError: 502,
    UpstreamTimeoutError: 504,
    UnauthorizedError: 401,
    ForbiddenError: 403,
}
BEARER_CHALLENGE = 'Bearer realm="cnkg"'


def status_of(exc: CnkgError) -> int:
    """The HTTP status ``exc`` answers with.

    >>> from kg.errors import QueryError
    >>> status_of(QueryError("SPARQL syntax error")), status_of(StoreBusyError("locked"))
    (400, 409)
    """
    return next(STATUS_OF[cls] for cls in type(exc).__mro__ if cls in STATUS_OF)


def _headers_of(exc: CnkgError) -> dict[str, str]:
    if isinstance(exc, ServiceBusyError):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, UnauthorizedError):
        return {"WWW-Authenticate": BEARER_CHALLENGE}
    return {}


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _cnkg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CnkgError)
    return problem_response(
        status_of(exc), exc.title, exc.detail, instance=request.url.path, headers=_headers_of(exc)
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _phrase(exc.status_code)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}; see /docs for the API"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(
        exc.status_code, _phrase(exc.status_code), detail, instance=request.url.path, headers=exc.headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body"))
        problems.append(
            f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))
        )
    return problem_response(
        400, "Bad input", "; ".join(problems) or "invalid request", instance=request.url.path
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        500,
        "Internal error",
        "the server failed to answer this request; it has been logged",
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CnkgError, _cnkg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


def _problem_doc(status: int, detail: str) -> dict[str, Any]:
    return {
        "description": _phrase(status),
        "content": {
            PROBLEM_JSON: {
                "example": {
                    "type": "about:blank",
                    "title": _phrase(status),
                    "status": status,
                    "detail": detail,
                }
            }
        },
    }


# Documented on the routes that can answer them (OpenAPI).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_doc(400, "SPARQL syntax error: error at 1:6: expected ..."),
    401: _problem_doc(401, "this operation needs the write token: send 'Authorization: Bearer <token>'"),
    403: _problem_doc(403, "SERVICE (federated query) is disabled on this endpoint"),
    404: _problem_doc(404, "no entity 'kubernetes-x'"),
    406: _problem_doc(406, "none of the media types in Accept (image/png) is available"),
    413: _problem_doc(413, "the query has 120,000 characters; the limit is 100,000"),
    415: _problem_doc(415, "POST /sparql needs Content-Type application/x-www-form-urlencoded, ..."),
    422: _problem_doc(422, "reading the upload took longer than 300 s and was stopped; nothing was stored"),
    429: _problem_doc(429, "more than 600 requests per minute from 127.0.0.1; retry after 2 s"),
    503: _problem_doc(503, "the query ran for more than 30 s and was stopped"),
}


def problem_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries for these problem statuses."""
    return {status: PROBLEM_RESPONSES[status] for status in statuses}


def json_responses(
    example: Any, *statuses: int, alternatives: dict[str, Any] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a JSON route: its 200 answer with this example (and the other media
    types it can send, ``alternatives``), then these problem statuses."""
    return {
        200: {"content": {"application/json": {"example": example}, **(alternatives or {})}},
        **problem_docs(*statuses),
    }
