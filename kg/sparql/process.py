"""The parent's side of one query worker process (:mod:`kg.sparql.worker`): start it, hand it a job,
wait for the answer with a hard timeout — without blocking the event loop — and kill it when the
timeout passes (SIGKILL: the work really stops) or it dies. A result body arrives in chunks of at most
``STREAM_CHUNK`` bytes, which the server passes on to the client one by one (it never holds a whole body).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from kg.child_process import kill_child
from kg.errors import QueryTimeoutError, StoreError
from kg.sparql.errors import QueryAbortedError
from kg.sparql.worker import (
    STREAM_CHUNK,
    InspectJob,
    QueryJob,
    QueryOutcome,
    UpdateJob,
    UpdateOutcome,
    WorkerSetup,
    serve,
)

__all__ = ["STREAM_CHUNK", "SYNC_TIMEOUT", "WorkerProcess", "run_in_fresh_worker"]

_CTX = multiprocessing.get_context("spawn")  # never fork a process that runs an event loop and threads
SYNC_TIMEOUT = 600.0  # reloading a changed data directory is not the query's fault
_SOCKET_BUFFER = 4 * 1024 * 1024  # asked of each end of a worker's socket


def _widen(conn: Connection) -> int:
    """Let a few chunks of a result body sit in the socket at once, so the worker writes ahead while the
    parent reads in large reads instead of ping-ponging 200 KB at a time. Best effort: the kernel caps
    the size (net.core.wmem_max / rmem_max). Returns the smaller buffer's size (0: unknown)."""
    fd = os.dup(conn.fileno())
    try:
        sock = socket.socket(fileno=fd)  # the same socket, through a duplicate descriptor
    except OSError:  # not a socket (a platform whose Pipe() is an OS pipe)
        os.close(fd)
        return 0
    with sock:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SOCKET_BUFFER)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SOCKET_BUFFER)
            sizes = (socket.SO_SNDBUF, socket.SO_RCVBUF)
            return min(int(sock.getsockopt(socket.SOL_SOCKET, size)) for size in sizes)
        except OSError:
            return 0


class _Exchange:
    """The message loop of one job, shared by ``execute`` (blocking) and ``execute_async``: iterating sends
    the job, then before each message yields the seconds left until the deadline (the caller waits that
    long for the pipe, or gives up). The worker's "syncing" gives it ``SYNC_TIMEOUT`` to reload a changed
    data directory, "synced" the query's own ``timeout`` again. The loop ends at the answer ("ok" or
    "result", then in ``answer``, with the deadline then in ``deadline``); it raises the worker's error,
    or EOFError when the process ended without answering."""

    def __init__(
        self,
        conn: Connection,
        job: QueryJob | UpdateJob | InspectJob,
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        self.conn, self.job, self.timeout, self.clock = conn, job, timeout, clock
        self.deadline = 0.0
        self.answer: tuple[Any, ...] = ()

    def __iter__(self) -> Iterator[float]:
        self.deadline = self.clock() + self.timeout
        self.conn.send(self.job)
        while True:
            yield self.deadline - self.clock()
            if not self.conn.poll():
                raise EOFError
            message = self.conn.recv()
            if message[0] == "syncing":
                self.deadline = self.clock() + SYNC_TIMEOUT
            elif message[0] == "synced":
                self.deadline = self.clock() + self.timeout
            elif message[0] in ("ok", "result"):
                self.answer = message
                return
            else:
                raise message[1]


class WorkerProcess:
    """One worker process and the parent's end of its pipe; methods block (call them from threads)."""

    def __init__(self, setup: WorkerSetup) -> None:
        parent, child = _CTX.Pipe()
        _widen(parent)
        _widen(child)
        self.conn: Connection = parent
        self.process: SpawnProcess = _CTX.Process(
            target=serve,
            args=(child, setup),
            name="cnkg-sparql-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.network_wall = ""  # which wall keeps the worker off the network (kg.sparql.sandbox)

    def _poll(self, timeout: float) -> bool:
        """True when a message (or EOF) is waiting; also wakes up when the process dies."""
        ready = wait([self.conn, self.process.sentinel], max(0.0, timeout))
        return bool(ready)

    def wait_ready(self, timeout: float) -> WorkerProcess:
        if not self._poll(timeout):
            self.kill()
            raise StoreError(f"a query worker did not load the data directory within {timeout:.0f} s")
        try:
            if not self.conn.poll():
                raise EOFError
            message = self.conn.recv()
        except EOFError:
            self.kill()
            raise StoreError("a query worker died while loading the data directory") from None
        if message[0] == "error":
            self.kill()
            raise message[1]
        self.network_wall = str(message[1])
        return self

    def _timed_out(self, timeout: float) -> QueryTimeoutError:
        self.kill()
        return QueryTimeoutError(
            f"the query ran for more than {timeout:g} s and was stopped; narrow it down (LIMIT, more "
            "specific patterns) or ask the operator for a longer --query-timeout"
        )

    def _died(self) -> QueryAbortedError:
        self.kill()
        return QueryAbortedError(
            "the process running the query died (it probably ran out of memory); the query was not completed"
        )

    def execute(self, job: QueryJob | UpdateJob, timeout: float) -> Any:
        """Run ``job``, blocking; kill the process if it evaluates for longer than ``timeout`` seconds."""
        exchange = _Exchange(self.conn, job, timeout, time.monotonic)
        try:
            for remaining in exchange:
                if remaining <= 0 or not self._poll(remaining):
                    raise self._timed_out(timeout)
            message = exchange.answer
            if message[0] == "ok":
                return message[1]
            body = b"".join(self._recv_body(message[2], exchange.deadline))
        except (EOFError, OSError):
            raise self._died() from None
        return dataclasses.replace(message[1], body=body)

    def _recv_body(self, size: int, deadline: float) -> list[bytes]:
        chunks: list[bytes] = []
        received = 0
        while received < size:
            if not self._poll(deadline - time.monotonic()) or not self.conn.poll():
                raise EOFError
            chunks.append(self.conn.recv_bytes())
            received += len(chunks[-1])
        return chunks

    async def execute_async(self, job: QueryJob | InspectJob, timeout: float) -> Any:
        """Run a job without blocking the event loop: wait for the pipe (or the process's end) with the
        loop's reader callbacks. The answer to an ``InspectJob`` is the operation; to a ``QueryJob`` a
        ``QueryOutcome`` without its body, and the body's size: read the body with ``body_chunks``."""
        loop = asyncio.get_running_loop()
        exchange = _Exchange(self.conn, job, timeout, loop.time)
        try:
            for remaining in exchange:
                await self._readable(loop, remaining, timeout)
        except (EOFError, OSError):
            raise self._died() from None
        message = exchange.answer
        if message[0] == "ok":
            return message[1]
        outcome: QueryOutcome = message[1]
        return outcome, int(message[2])

    async def body_chunks(self, size: int, timeout: float) -> AsyncIterator[bytes]:
        """The ``size`` bytes of a result body, chunk by chunk as the worker sends them (each chunk must
        arrive within ``timeout``: the worker only copies what it already holds)."""
        loop = asyncio.get_running_loop()
        received = 0
        try:
            while received < size:
                await self._readable(loop, timeout, timeout)
                if not self.conn.poll():
                    raise EOFError
                chunk = self.conn.recv_bytes()  # at most STREAM_CHUNK, already (mostly) in the socket
                received += len(chunk)
                yield chunk
        except (EOFError, OSError):
            raise self._died() from None

    async def _readable(self, loop: asyncio.AbstractEventLoop, remaining: float, timeout: float) -> None:
        if remaining <= 0:
            raise self._timed_out(timeout)
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        fds = (self.conn.fileno(), self.process.sentinel)
        for fd in fds:
            loop.add_reader(fd, wake)
        try:
            await asyncio.wait_for(ready, remaining)
        except TimeoutError:
            expired = True
        else:
            expired = False
        finally:
            for fd in fds:
                loop.remove_reader(fd)
            os.set_blocking(fds[0], True)  # an event loop's add_reader may make it non-blocking
        if expired:
            raise self._timed_out(timeout)

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        kill_child(self.process, self.conn)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
            self.process.join(2)
        self.kill()


def run_in_fresh_worker(
    root: Path,
    job: UpdateJob,
    *,
    timeout: float,
    memory_mb: int = 0,
    load_timeout: float = 600.0,
    allow_network: bool = False,
) -> UpdateOutcome:
    """Run an update in a new process that loads the data directory as it is now (the caller holds the
    writer lock), so the pool's workers are never changed behind the manifest's back; off the network
    like the query workers unless ``allow_network``. Blocking."""
    worker = WorkerProcess(WorkerSetup(root, memory_mb, allow_network=allow_network))
    try:
        worker.wait_ready(load_timeout)
        outcome: UpdateOutcome = worker.execute(job, timeout)
        return outcome
    finally:
        worker.stop()
