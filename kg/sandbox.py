"""Run the parsing of untrusted bodies (report uploads, Graph Store documents) in a child process with a
wall-clock timeout and a memory cap, so no upload can slow down or exhaust the HTTP process.

One job per process. Children are forked from a fork server (``multiprocessing``'s ``forkserver``: a
clean single-threaded process, never the HTTP process with its threads and event loop) that imported the
``preload`` modules once, so a child starts warm in milliseconds. A child runs ``warm_up`` (a no-op when
the preload already did it), caps its address space at its size then plus ``memory_mb`` (``RLIMIT_AS``)
and its CPU time at the timeout (``RLIMIT_CPU``, a second wall that holds even if the parent stops
watching), says it is ready, runs one job and exits. The parent waits for the answer (from a thread,
never on the event loop) and kills the child with SIGKILL when the timeout passes; a child that dies
(the memory cap hit, a crash in a C parser) is reported as such. Nothing a job does reaches the data
directory: jobs return values, the parent writes them.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import resource
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from kg.child_process import kill_child
from kg.errors import CnkgError, ProcessingMemoryError, ProcessingTimeoutError, StoreError

__all__ = ["SANDBOX_START_TIMEOUT", "Sandbox", "SandboxJob", "SandboxLimits"]

_CTX = multiprocessing.get_context("forkserver")  # forks a clean warm process, not the HTTP process
SANDBOX_START_TIMEOUT = 300.0  # loading the parsers and the lexicon is not the job's fault
MAX_RUNNING = 2  # jobs running at once per sandbox; more wait for a slot
log = logging.getLogger("cnkg.sandbox")


class SandboxJob(Protocol):
    """A picklable job: ``run()`` happens in the child, its (picklable) result goes back to the parent."""

    def run(self) -> Any: ...


@dataclass(frozen=True)
class SandboxLimits:
    timeout: float  # seconds one job may run (wall clock, from the moment the child receives it)
    memory_mb: int  # address space beyond the child's size after warm-up, in MiB; 0: no cap
    what: str = "the upload"  # how error messages name the input


class SandboxUnavailableError(StoreError):
    title = "Service unavailable"


def _process_size() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _cap(memory_mb: int, timeout: float) -> None:
    if memory_mb > 0:
        limit = _process_size() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime + timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _serve_one(conn: Connection, warm_up: Callable[[], None], memory_mb: int, timeout: float) -> None:
    """Child process entry point: warm up, cap, answer one job."""
    try:
        warm_up()
        _cap(memory_mb, timeout)
        conn.send(("ready",))
        job: SandboxJob = conn.recv()
    except (EOFError, OSError):
        return
    try:
        conn.send(("ok", job.run()))
    except CnkgError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("memory",))
    except Exception as exc:  # a parser's bug: reported, not hidden as bad input
        conn.send(("crash", f"{type(exc).__name__}: {exc}"))


class _Child:
    def __init__(self, warm_up: Callable[[], None], limits: SandboxLimits) -> None:
        self.conn, child_end = _CTX.Pipe()
        self.process = _CTX.Process(
            target=_serve_one,
            args=(child_end, warm_up, limits.memory_mb, limits.timeout),
            name="cnkg-sandbox",
            daemon=True,
        )
        self.process.start()
        child_end.close()

    def receive(self, timeout: float) -> tuple[Any, ...] | None:
        """The next message; None when ``timeout`` passes first. EOFError when the child died."""
        if not wait([self.conn, self.process.sentinel], max(0.0, timeout)):
            return None
        if not self.conn.poll():
            raise EOFError
        message: tuple[Any, ...] = self.conn.recv()
        return message

    def kill(self) -> None:
        kill_child(self.process, self.conn)


_preload_lock = threading.Lock()


class Sandbox:
    """Child processes for untrusted parsing; ``run`` blocks (call it from a thread).

    ``preload`` names the modules the fork server imports before it forks any child (one fork server per
    HTTP process, shared by every sandbox: the modules must be set before the first job starts it)."""

    def __init__(self, warm_up: Callable[[], None], limits: SandboxLimits, preload: tuple[str, ...]) -> None:
        self.warm_up = warm_up
        self.limits = limits
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)
        with _preload_lock:
            _CTX.set_forkserver_preload(list(preload))

    def run(self, job: SandboxJob) -> Any:
        """Run ``job`` in a child and return its result; raises the job's own errors,
        ProcessingTimeoutError (422) or ProcessingMemoryError (413)."""
        with self._slots:
            child = _Child(self.warm_up, self.limits)
            try:
                return self._run(child, job)
            finally:
                child.kill()

    def _run(self, child: _Child, job: SandboxJob) -> Any:
        limits = self.limits
        try:
            if child.receive(SANDBOX_START_TIMEOUT) is None:
                raise SandboxUnavailableError(f"the process that reads {limits.what} did not start in time")
        except EOFError:
            raise SandboxUnavailableError(f"the process that reads {limits.what} failed to start") from None
        try:
            child.conn.send(job)
            message = child.receive(limits.timeout)
        except (EOFError, OSError):
            message = ("died",)
        if message is None:
            raise ProcessingTimeoutError(
                f"reading {limits.what} took longer than {limits.timeout:g} s and was stopped; nothing was "
                "stored (the operator sets this limit: CNKG_INGEST_TIMEOUT; cnkg ingest has none)"
            )
        kind = message[0]
        if kind == "ok":
            return message[1]
        if kind == "error":
            raise message[1]
        if kind == "crash":
            log.error("reading %s failed: %s", limits.what, message[1])
            raise StoreError(f"{limits.what} could not be processed; the error has been logged")
        if limits.memory_mb <= 0:
            raise StoreError(f"the process reading {limits.what} died; nothing was stored")
        raise ProcessingMemoryError(
            f"reading {limits.what} needed more than the {limits.memory_mb:,} MiB of memory allowed and was "
            "stopped (a decompression bomb or a huge document?); nothing was stored "
            "(the operator sets this limit: CNKG_INGEST_MEMORY_MB)"
        )
