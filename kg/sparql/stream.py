"""A query result on its way to the client: the header (rows, truncation) first, then the body in chunks.

The embedded engine's body comes from a worker process chunk by chunk (:mod:`kg.sparql.process`); the
worker stays reserved until the body has been read to the end or the stream is closed, whichever comes
first. Iterate it once (``async for``), or ``await read()`` it whole (cnkg's own small queries); a stream
that is not read to the end must be closed, which ``async for`` does when the loop stops early.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable

from kg.sparql.worker import QueryOutcome

__all__ = ["QueryStream"]


class QueryStream:
    """``outcome`` (with an empty body), ``size`` bytes of body from ``source``; ``on_close(complete)`` runs
    exactly once, when the body has been read (True) or the stream was abandoned (False)."""

    def __init__(
        self,
        outcome: QueryOutcome,
        size: int,
        source: AsyncIterator[bytes],
        on_close: Callable[[bool], None] | None = None,
    ) -> None:
        self.outcome = outcome
        self.size = size
        self._source = source
        self._on_close = on_close
        self._closed = False
        self.sent = 0

    @classmethod
    def whole(cls, outcome: QueryOutcome) -> QueryStream:
        """A stream over a body already in memory (the external engine's results)."""

        async def one() -> AsyncIterator[bytes]:
            if outcome.body:
                yield outcome.body

        return cls(outcome, len(outcome.body), one())

    async def __aiter__(self) -> AsyncIterator[bytes]:
        complete = False
        try:
            async for chunk in self._source:
                self.sent += len(chunk)
                yield chunk
            complete = self.sent == self.size
        finally:
            self.close(complete=complete)

    def close(self, *, complete: bool = False) -> None:
        if not self._closed:
            self._closed = True
            if self._on_close is not None:
                self._on_close(complete)

    async def read(self) -> QueryOutcome:
        """The whole result as a ``QueryOutcome`` with its body."""
        chunks = [chunk async for chunk in self]
        return dataclasses.replace(self.outcome, body=b"".join(chunks))
