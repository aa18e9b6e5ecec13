"""The one exception hierarchy of cnkg: domain errors with a title and a detail.

The HTTP layer maps each class to a status once (:mod:`api.problems`); the CLI prints the detail.
"""

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
    """Base class: every error cnkg raises on purpose. ``title`` names the kind, ``detail`` this case."""

    title: str = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InputError(CnkgError):
    """The input (a file, a parameter, a query) is not acceptable."""

    title = "Bad input"


class ProcessingTimeoutError(InputError):
    """An input (an upload) took longer to read than the server allows; retrying will not help."""

    title = "Input too slow to process"


class ProcessingMemoryError(InputError):
    """An input (an upload) needed more memory to read than the server allows."""

    title = "Input too large to process"


class UnsupportedInputError(InputError):
    """A file whose format cnkg cannot read."""

    title = "Unsupported input"


class QueryError(InputError):
    """A SPARQL query that does not parse or cannot be evaluated."""

    title = "Bad query"


class NotFoundError(CnkgError):
    title = "Not found"


class ConflictError(CnkgError):
    title = "Conflict"


class QueryTimeoutError(CnkgError):
    title = "Query timed out"


class StoreError(CnkgError):
    """The data directory cannot be read or written."""

    title = "Store error"


class StoreBusyError(StoreError):
    """Another process holds the data directory's write lock."""

    title = "Store busy"
