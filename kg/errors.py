"""The one exception hierarchy of cnkg, mapped once to HTTP problems and CLI messages."""

from __future__ import annotations

__all__ = [
    "CnkgError",
    "ConflictError",
    "InputError",
    "NotFoundError",
    "ProcessingMemoryError",
    "ProcessingTimeoutError",
    "QueryError",
    "QueryTimeoutError",
    "StoreBusyError",
    "StoreError",
    "UnsupportedInputError",
]


class CnkgError(Exception):
    """Base class: every error cnkg raises on purpose. ``status`` is the HTTP status it maps to."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InputError(CnkgError):
    """The input (a file, a parameter, a query) is not acceptable."""

    status = 400
    title = "Bad input"


class ProcessingTimeoutError(InputError):
    """An input (an upload) took longer to read than the server allows; retrying will not help."""

    status = 422
    title = "Input too slow to process"


class ProcessingMemoryError(InputError):
    """An input (an upload) needed more memory to read than the server allows."""

    status = 413
    title = "Input too large to process"


class UnsupportedInputError(InputError):
    """A file whose format cnkg cannot read."""

    status = 415
    title = "Unsupported input"


class QueryError(InputError):
    """A SPARQL query that does not parse or cannot be evaluated."""

    title = "Bad query"


class NotFoundError(CnkgError):
    status = 404
    title = "Not found"


class ConflictError(CnkgError):
    status = 409
    title = "Conflict"


class QueryTimeoutError(CnkgError):
    status = 503
    title = "Query timed out"


class StoreError(CnkgError):
    """The data directory cannot be read or written."""

    status = 500
    title = "Store error"


class StoreBusyError(StoreError):
    """Another process holds the data directory's write lock."""

    status = 409
    title = "Store busy"
