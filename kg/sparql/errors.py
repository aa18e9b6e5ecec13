"""Errors of the SPARQL service, in the one hierarchy of :mod:`kg.errors`.

:mod:`api.problems` maps each to its HTTP status; :class:`ServiceBusyError` carries ``retry_after``,
the seconds a client should wait, which the HTTP layer sends as ``Retry-After``.
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

    title = "Query refused"


class ReadOnlyGraphError(CnkgError):
    """A write to a graph cnkg does not let clients change (lexicon, default graph, unknown graph)."""

    title = "Read-only graph"


class NotAcceptableError(CnkgError):
    title = "Not acceptable"


class UnsupportedMediaTypeError(InputError):
    title = "Unsupported media type"


class PayloadTooLargeError(InputError):
    title = "Payload too large"


class ServiceBusyError(CnkgError):
    """Every query worker stayed busy for longer than a client should wait."""

    title = "Service busy"

    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class QueryAbortedError(CnkgError):
    """The process running a query died (out of memory, killed by the operating system)."""

    title = "Query aborted"


class UpstreamError(CnkgError):
    """The external SPARQL store answered with an error or could not be reached."""

    title = "External store error"


class UpstreamTimeoutError(CnkgError):
    title = "External store timed out"
