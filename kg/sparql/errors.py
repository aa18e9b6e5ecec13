"""Errors of the SPARQL service, in the one hierarchy of :mod:`kg.errors` (each maps to one HTTP status).

Some carry ``headers`` that the HTTP layer adds to the problem response (``Retry-After``,
``WWW-Authenticate``).
"""

from __future__ import annotations

from kg.errors import CnkgError, InputError, QueryError, QueryTimeoutError

__all__ = [
    "NotAcceptableError",
    "PayloadTooLargeError",
    "QueryAbortedError",
    "QueryRefusedError",
    "QueryTimeoutError",
    "ReadOnlyGraphError",
    "ServiceBusyError",
    "UnsupportedMediaTypeError",
    "UpstreamError",
    "UpstreamTimeoutError",
]


class QueryRefusedError(QueryError):
    """A query or update that is well-formed but not allowed here (SERVICE, LOAD, ...)."""

    status = 403
    title = "Query refused"


class ReadOnlyGraphError(CnkgError):
    """A write to a graph cnkg does not let clients change (lexicon, default graph, unknown graph)."""

    status = 403
    title = "Read-only graph"


class NotAcceptableError(CnkgError):
    status = 406
    title = "Not acceptable"


class UnsupportedMediaTypeError(InputError):
    status = 415
    title = "Unsupported media type"


class PayloadTooLargeError(InputError):
    status = 413
    title = "Payload too large"


class ServiceBusyError(CnkgError):
    """Every query worker stayed busy for longer than a client should wait."""

    status = 503
    title = "Service busy"

    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class QueryAbortedError(CnkgError):
    """The process running a query died (out of memory, killed by the operating system)."""

    status = 503
    title = "Query aborted"


class UpstreamError(CnkgError):
    """The external SPARQL store answered with an error or could not be reached."""

    status = 502
    title = "External store error"


class UpstreamTimeoutError(CnkgError):
    status = 504
    title = "External store timed out"
