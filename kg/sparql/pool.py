"""A pool of query worker processes with a hard, real timeout.

Each worker (:mod:`kg.sparql.worker`) holds the graph store loaded from the data directory. A query is
handed to an idle worker and awaited without blocking the event loop; if it runs past the timeout the
worker process is killed and a warm spare takes its place at once while a new spare loads in the
background. Other clients keep being served by the other workers all along.

With ``graph_store="memory"`` every worker holds its own copy of the store: the report and lexicon graphs,
the default graph's copy of their union (:mod:`kg.union`) and that default graph once more in a store of
its own (:meth:`kg.store.GraphStore.store_for`), about 880 bytes a triple of the manifest in all
(measured: a worker of 912 MiB for the 963k triples of ``bench/sparql.py``, 613 MiB without the store
apart). Above ``SPARE_MAX_TRIPLES`` the pool then keeps no warm spare, so a large store costs ``size``
copies, not ``size + 1``; a killed worker is replaced by one that loads in the background while the other
workers answer. With ``"disk"`` the pool first makes sure the data directory keeps its on-disk store
(:func:`kg.diskstore.ensure`, one commit the first time), and every worker opens it read-only in
milliseconds: one copy per machine, spares are cheap.

A replacement that fails to start (the machine is out of memory or processes for a moment, the data
directory is being rewritten) is retried ``SPAWN_ATTEMPTS`` times with a doubling pause, each failure
logged; ``status()`` shows the workers being started and the failed attempts, so the pool never stays a
worker short without saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kg import diskstore
from kg.datadir import DataDir, Manifest
from kg.errors import CnkgError, QueryTimeoutError
from kg.sparql.errors import ServiceBusyError
from kg.sparql.guard import QueryForm, QueryOperation, UpdateOperation
from kg.sparql.process import SYNC_TIMEOUT, WorkerProcess
from kg.sparql.stream import QueryStream
from kg.sparql.worker import InspectJob, QueryJob, QueryOutcome, WorkerSetup
from kg.store import Backend

__all__ = [
    "BODY_TIMEOUT",
    "DISK_STORE_MIN_TRIPLES",
    "SPARE_MAX_TRIPLES",
    "SPAWN_ATTEMPTS",
    "QueryPool",
    "resolve_graph_store",
]

log = logging.getLogger("cnkg.sparql")

_PING = QueryJob("ASK {}", QueryForm.ASK, "json", 1)
# Triples (of the manifest) up to which a memory-mode pool keeps a warm spare. Chosen so that the server of
# a 2-core machine (2 workers, the API process about 0.4 GiB) stays within issue 16's 3 GiB: 3 copies of
# 750k triples at about 880 bytes a triple, plus each worker's 80 MiB, are about 2.1 GiB (was 900k, at 580
# bytes a triple before the default graph was kept apart; 3M at 330 bytes before it held a copy at all).
SPARE_MAX_TRIPLES = 750_000
# graph_store="auto": above this the workers share the on-disk store (bench/results/store.txt: an eighth of
# a memory worker's memory at 1M triples, lookups by a hot entity faster, scans 3-5x slower). 2 copies of
# 1.2M triples at about 880 bytes a triple are about 2.1 GiB: measured, 2 workers of 912 MiB for 963k
# triples and an API process of 401 MiB (was 3M, at 330 bytes a triple). A machine with more cores runs
# more workers (the ``query_workers`` setting), each of this size.
DISK_STORE_MIN_TRIPLES = 1_200_000
SPAWN_ATTEMPTS = 6  # tries to start a replacement worker before the pool gives up on that slot
SPAWN_BACKOFF_S = 1.0  # pause after the first failed try, doubled after each further one (1+2+4+8+16 s)
BODY_TIMEOUT = 120.0  # seconds a client has to read a result body before its worker is taken back


def resolve_graph_store(wanted: Backend, manifest: Manifest) -> Backend:
    """``memory`` or ``disk`` for the pool's workers; ``auto`` is disk when the data directory already
    keeps an on-disk store (its writers pay for it anyway) or holds more than ``DISK_STORE_MIN_TRIPLES``.

    >>> resolve_graph_store("auto", Manifest())
    'memory'
    >>> resolve_graph_store("auto", Manifest(store={"format": 1, "snapshot": "store/snapshot-2.ab"}))
    'disk'
    """
    if wanted != "auto":
        return wanted
    return "disk" if manifest.store or manifest.triples() > DISK_STORE_MIN_TRIPLES else "memory"


class _IdleWorkers(asyncio.Queue[WorkerProcess]):
    """Idle workers, the most recently used one first: its CPU caches (and the store's pages) are still
    warm, so a lone client's queries keep landing on a hot worker. ``get_oldest_nowait`` serves the
    background reload, which should visit each idle worker once."""

    def _get(self) -> WorkerProcess:
        return self._queue.pop()  # type: ignore[attr-defined,no-any-return]

    def get_oldest_nowait(self) -> WorkerProcess:
        if self.empty():
            raise asyncio.QueueEmpty
        return self._queue.popleft()  # type: ignore[attr-defined,no-any-return]


class QueryPool:
    """``size`` workers answering queries, plus ``spares`` loaded workers waiting to replace a killed one."""

    def __init__(
        self,
        root: Path,
        *,
        size: int = 2,
        spares: int = 1,
        memory_mb: int = 0,
        load_timeout: float = 600.0,
        allow_network: bool = False,
        graph_store: Backend = "auto",
    ) -> None:
        self.root = Path(root)
        self.graph_store: Backend = graph_store  # memory: a copy per worker; disk: one shared on-disk store
        # (auto: resolved by start())
        self.allow_network = allow_network  # False: workers leave the network (kg.sparql.sandbox)
        self.network_wall = ""
        self.memory_mb = memory_mb
        self.size = max(1, size)
        self.spares_wanted = max(0, spares)
        self.load_timeout = load_timeout
        self._executor = ThreadPoolExecutor(max_workers=self.size + 4, thread_name_prefix="cnkg-sparql")
        self._idle = _IdleWorkers()
        self._spares: list[WorkerProcess] = []
        self._all: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting = 0
        self._stamp = 0  # the manifest generation the idle workers were last refreshed for
        self._refresher: asyncio.Task[None] | None = None
        self._closed = False
        self._closing = threading.Event()  # wakes a replacement waiting to retry
        self.killed = 0  # queries stopped by the timeout, for /health
        self.starting = 0  # replacement workers being started in the background
        self.spawn_failures = 0  # failed tries to start a replacement
        self.spawns_abandoned = 0  # replacements given up after SPAWN_ATTEMPTS tries: the pool is short

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        datadir = DataDir(self.root)
        self.graph_store = resolve_graph_store(self.graph_store, datadir.read_manifest())
        if self.graph_store == "disk":
            await self._loop.run_in_executor(
                self._executor, lambda: diskstore.ensure(datadir, timeout=self.load_timeout)
            )
        self._stamp = datadir.manifest_stamp()
        if self.graph_store == "memory" and datadir.read_manifest().triples() > SPARE_MAX_TRIPLES:
            self.spares_wanted = 0
        starting = [self._new_worker() for _ in range(self.size + self.spares_wanted)]
        try:
            ready = await asyncio.gather(
                *(
                    self._loop.run_in_executor(self._executor, w.wait_ready, self.load_timeout)
                    for w in starting
                )
            )
        except BaseException:
            for worker in starting:
                worker.kill()
            raise
        self.network_wall = ready[0].network_wall
        for worker in ready[: self.size]:
            self._idle.put_nowait(worker)
        self._spares.extend(ready[self.size :])
        self._refresher = asyncio.create_task(self._refresh_idle_workers())

    async def close(self) -> None:
        self._closed = True
        self._closing.set()
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(BaseException):
                await self._refresher
        with self._lock:
            workers = list(self._all)
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, w.stop) for w in workers))
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _new_worker(self) -> WorkerProcess:
        # default_graph_apart, memory only: the queries of the default graph alone walk the set once
        setup = WorkerSetup(
            self.root,
            self.memory_mb,
            allow_network=self.allow_network,
            graph_store=self.graph_store,
            default_graph_apart=True,
        )
        worker = WorkerProcess(setup)
        with self._lock:
            self._all.add(worker)
        return worker

    # -- running -----------------------------------------------------------------------------
    async def run(self, job: QueryJob, *, timeout: float, max_wait: float | None = None) -> QueryOutcome:
        """Run a query on an idle worker and read its whole result; waits at most ``max_wait`` (default
        ``timeout``) for a worker."""
        return await (await self.stream(job, timeout=timeout, max_wait=max_wait)).read()

    async def stream(self, job: QueryJob, *, timeout: float, max_wait: float | None = None) -> QueryStream:
        """Run a query on an idle worker; the result's body is read from the worker as the stream is
        iterated. The worker stays reserved until then, for at most ``BODY_TIMEOUT`` seconds: a client
        that reads more slowly loses its worker (killed, a spare takes its place)."""
        worker = await self._acquire(timeout if max_wait is None else max_wait)
        try:
            outcome, size = await self._execute(worker, job, timeout)
        except BaseException:
            self._release(worker)
            raise
        assert self._loop is not None

        def finished(complete: bool) -> None:
            watchdog.cancel()
            if not complete:  # the rest of the body is still in the pipe: this worker cannot be reused
                worker.kill()
            self._release(worker)

        stream = QueryStream(outcome, size, worker.body_chunks(size, timeout), finished)
        watchdog = self._loop.call_later(BODY_TIMEOUT, stream.close)
        return stream

    async def inspect(self, job: InspectJob, *, timeout: float) -> QueryOperation | UpdateOperation:
        """Parse a client's request and apply the guard on a worker (raises the guard's errors)."""
        operation: QueryOperation | UpdateOperation = await self._run(job, timeout=timeout, max_wait=None)
        return operation

    async def _run(self, job: InspectJob, *, timeout: float, max_wait: float | None) -> Any:
        worker = await self._acquire(timeout if max_wait is None else max_wait)
        try:
            return await self._execute(worker, job, timeout)
        finally:
            self._release(worker)

    async def _execute(self, worker: WorkerProcess, job: QueryJob | InspectJob, timeout: float) -> Any:
        try:
            return await worker.execute_async(job, timeout)
        except asyncio.CancelledError:
            worker.kill()  # it may still be computing an answer nobody will read: stop it, use a spare
            raise
        except QueryTimeoutError:
            self.killed += 1
            raise

    async def _acquire(self, max_wait: float) -> WorkerProcess:
        if self._waiting >= 16 * self.size:
            raise ServiceBusyError("too many queries are waiting for a worker; try again shortly")
        self._waiting += 1
        try:
            return await asyncio.wait_for(self._idle.get(), timeout=max_wait)
        except TimeoutError:
            raise ServiceBusyError(
                f"every query worker stayed busy for {max_wait:g} s; try again shortly",
                retry_after=max(1, int(max_wait / 2)),
            ) from None
        finally:
            self._waiting -= 1

    def _release(self, worker: WorkerProcess) -> None:
        if self._closed:
            worker.stop()
            return
        if worker.alive:
            self._idle.put_nowait(worker)
            return
        with self._lock:
            self._all.discard(worker)
        if self._spares:
            self._idle.put_nowait(self._spares.pop())
            self._spawn_in_background(as_spare=True)
        else:
            self._spawn_in_background(as_spare=False)

    def _spawn_in_background(self, *, as_spare: bool) -> None:
        loop = self._loop
        assert loop is not None

        def spawn() -> None:
            worker = self._start_replacement()
            if worker is None:
                return
            if self._closed:
                worker.stop()
            elif as_spare:
                loop.call_soon_threadsafe(self._spares.append, worker)
            else:
                loop.call_soon_threadsafe(self._idle.put_nowait, worker)

        with self._lock:
            self.starting += 1
        threading.Thread(target=spawn, name="cnkg-sparql-spawn", daemon=True).start()

    def _start_replacement(self) -> WorkerProcess | None:
        """A loaded worker, after up to ``SPAWN_ATTEMPTS`` tries with a doubling pause between them; None
        when every try failed or the pool closed meanwhile. Blocks (runs on its own thread)."""
        pause = SPAWN_BACKOFF_S
        try:
            for attempt in range(1, SPAWN_ATTEMPTS + 1):
                worker: WorkerProcess | None = None
                try:
                    worker = self._new_worker()
                    return worker.wait_ready(self.load_timeout)
                except (CnkgError, OSError) as exc:
                    detail = exc.detail if isinstance(exc, CnkgError) else str(exc)
                    if worker is not None:
                        worker.kill()
                        with self._lock:
                            self._all.discard(worker)
                    with self._lock:
                        self.spawn_failures += 1
                    if attempt == SPAWN_ATTEMPTS:
                        with self._lock:
                            self.spawns_abandoned += 1
                        log.error(
                            "cannot start a query worker (try %d of %d, giving up: the pool is a worker "
                            "short until the server restarts): %s",
                            attempt,
                            SPAWN_ATTEMPTS,
                            detail,
                        )
                        return None
                    log.warning(
                        "cannot start a query worker (try %d of %d), trying again in %g s: %s",
                        attempt,
                        SPAWN_ATTEMPTS,
                        pause,
                        detail,
                    )
                if self._closing.wait(pause):
                    return None
                pause *= 2
            return None
        finally:
            with self._lock:
                self.starting -= 1

    async def _refresh_idle_workers(self) -> None:
        """When the data directory changes, let idle workers reload before a query needs them."""
        datadir = DataDir(self.root)
        while not self._closed:
            await asyncio.sleep(1.0)
            stamp = datadir.manifest_stamp()
            if stamp == self._stamp:
                continue
            self._stamp = stamp
            # one at a time, oldest first (a pinged worker goes back on top), so the others keep
            # answering while one reloads
            for _ in range(self._idle.qsize()):
                if self._idle.empty():
                    break
                await self._ping(self._idle.get_oldest_nowait())

    async def _ping(self, worker: WorkerProcess) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, worker.execute, _PING, SYNC_TIMEOUT)
        except CnkgError as exc:
            log.warning("a query worker failed to reload: %s", exc.detail)
        finally:
            self._release(worker)

    def status(self) -> dict[str, object]:
        return {
            "workers": self.size,
            "idle": self._idle.qsize(),
            "spares": len(self._spares),
            "waiting": self._waiting,
            "stopped_by_timeout": self.killed,
            "starting": self.starting,
            "spawn_failures": self.spawn_failures,
            "spawns_abandoned": self.spawns_abandoned,
            "network_wall": self.network_wall,
            "graph_store": self.graph_store,
        }
