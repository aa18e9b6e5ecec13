"""Ingest many files on several cores (``cnkg ingest --jobs N``) with one writer.

Worker processes do the work of a report that needs no data directory: read the file, extract, build
the report bundle (graph, text, passages) and embed the passages and sentences the search index needs
(the dominant cost). The parent process is the only writer: it takes each finished report **in the
order of the input files** and commits it as ``cnkg ingest`` of one file does (``Catalog.write`` under
the writer lock, one atomic manifest swap per report), the search index taking the vectors the worker
computed instead of embedding again. So the store after ``--jobs N`` is the one ``--jobs 1`` builds.

Failures: a file that cannot be read or extracted is reported (one line) and skipped, the others are
committed; a worker process that dies (a crash in a parser) costs only the file it was reading (the
files it shared the pool with are read again, one at a time, in a fresh pool). An error of the data
directory itself (disk full, another writer holding the lock for longer than ``BUSY_WAIT_SECONDS``)
stops the run. Ctrl-C or a crash of the parent leaves the reports committed so far, never half of one:
workers ignore SIGINT and are killed by the parent, and they never write to the data directory.

``--jobs 1`` runs everything in the calling process, in the same order, with the same commits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ingest.pipeline import IngestSummary, prepare_path, write_prepared
from ingest.read import DEFAULT_MAX_BYTES
from kg.catalog import ReportBundle
from kg.datadir import DataDir, crash_point
from kg.errors import CnkgError, StoreBusyError
from kg.lexicon import Lexicon
from kg.search.embedders import Embedder, core_count, embedder_from_spec
from kg.search.shards import shard_from_bundle
from kg.search.updater import EmbedderMismatchError, make_index_updater
from kg.tokenize import WordSegmenter

__all__ = [
    "BUSY_WAIT_SECONDS",
    "DEFAULT_EMBEDDER",
    "FileResult",
    "IngestOptions",
    "PreparedReport",
    "embedder_for",
    "ingest_many",
    "job_count",
    "prepare_report",
]

DEFAULT_EMBEDDER = "use3"  # the embedder of a new data directory when none is asked for
AHEAD_PER_WORKER = 2  # reports prepared or waiting for their commit, per worker (bounds the memory held)
EMBED_BATCH = 256  # texts per embedder call in a worker
BUSY_WAIT_SECONDS = 60.0  # how long a commit waits for another writer (an upload) to release the lock
BUSY_POLL_SECONDS = 0.5
_CTX = multiprocessing.get_context("spawn")  # workers start clean: no copy of the parent's threads


@dataclass(frozen=True)
class IngestOptions:
    """How ``ingest_many`` reads, extracts, embeds and commits."""

    jobs: int = 1  # worker processes; 0: one per core; 1: all in the calling process
    with_indexes: bool = True
    embedder: str | None = None  # spec for a new data directory (an existing one keeps its own)
    embed_threads: int = 0  # embedder threads per process; 0: the cores divided among the workers
    force: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    date: str | None = None  # checked YYYY[-MM[-DD]] or None


@dataclass(frozen=True)
class PreparedReport:
    """A report ready for its commit: the bundle, its summary, and the embedding of every text its
    search shard embeds (``texts[i]`` → ``vectors[i]``; empty when the index will embed them itself)."""

    bundle: ReportBundle
    summary: IngestSummary
    texts: tuple[str, ...] = ()
    vectors: np.ndarray | None = None


@dataclass(frozen=True)
class FileResult:
    """The outcome of one input file: its summary once committed, else the one-line reason it failed."""

    path: Path
    summary: IngestSummary | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Job:
    path: Path
    datadir: Path
    max_bytes: int
    date: str | None
    force: bool
    embedder: str | None  # the spec to embed with; None: no search index
    threads: int


def job_count(requested: int, files: int) -> int:
    """Worker processes for ``files`` files: ``requested`` (0: the core count), never more than files."""
    wanted = requested or core_count()
    return max(1, min(wanted, files))


def embedder_for(datadir: DataDir, requested: str | None) -> str:
    """The embedder spec the data directory's search index uses (or will, for a new one); raises
    EmbedderMismatchError when ``requested`` differs from the recorded one, before any work is done."""
    search = datadir.read_manifest().search
    recorded = search.embedder if search.order else None  # as the index updater reads it
    if recorded is not None and requested is not None and recorded.name != requested.strip():
        raise EmbedderMismatchError(
            f"the search index of {datadir.root} was built with embedder {recorded.name!r}, not "
            f"{requested!r}; re-embed it with kg.search.reembed (cnkg search --reembed --embedder "
            f"{requested})"
        )
    return recorded.name if recorded is not None else (requested or DEFAULT_EMBEDDER).strip()


def prepare_report(job: _Job) -> PreparedReport:
    """Read, extract and (unless the data directory already holds this file) embed one report."""
    crash_point(f"prepare:{job.path.name}")  # the crash tests' stand-in for a parser crashing
    bundle, summary = prepare_path(job.path, max_bytes=job.max_bytes, date=job.date, force=job.force)
    if job.embedder is None or _cache_may_hold(DataDir(job.datadir), bundle):
        return PreparedReport(bundle, summary)
    started = time.perf_counter()
    shard = shard_from_bundle(bundle, WordSegmenter.shared(), Lexicon.load())
    texts = tuple(dict.fromkeys(shard.embedding_items()[1]))
    model = embedder_from_spec(job.embedder, job.threads)
    rows = [model.embed(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    vectors = np.concatenate(rows) if rows else np.zeros((0, model.dim), dtype=np.float32)
    stages = {**summary.stage_seconds, "embed": time.perf_counter() - started}
    return PreparedReport(bundle, replace(summary, stage_seconds=stages), texts, vectors)


def _cache_may_hold(datadir: DataDir, bundle: ReportBundle) -> bool:
    """Whether the data directory has this report or an earlier version of its file: then most of its
    texts are in the embedding cache already, and the index embeds only the new ones, in the writer."""
    reports = datadir.read_manifest().reports.values()
    return any(r.rid == bundle.rid or r.source == bundle.source for r in reports)


class _PreparedEmbedder:
    """The data directory's embedder as the index updater sees it, answering from a worker's vectors;
    a text the worker did not embed goes to the real embedder, loaded only then."""

    def __init__(self, spec: str, threads: int, prepared: PreparedReport) -> None:
        self.name = spec
        self._threads = threads
        self._rows = {text: i for i, text in enumerate(prepared.texts)}
        self._vectors = prepared.vectors

    @property
    def dim(self) -> int:
        if self._vectors is not None and len(self._vectors):
            return int(self._vectors.shape[1])
        return self._model().dim

    def _model(self) -> Embedder:
        return embedder_from_spec(self.name, self._threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing = [i for i, text in enumerate(texts) if text not in self._rows]
        if missing:
            out[missing] = self._model().embed([texts[i] for i in missing])
        for i, text in enumerate(texts):
            if (row := self._rows.get(text)) is not None and self._vectors is not None:
                out[i] = self._vectors[row]
        return out


class _Writer:
    """The single writer: commits prepared reports one by one, as ``cnkg ingest`` of one file does."""

    def __init__(self, datadir: DataDir, embedder: str | None, threads: int) -> None:
        self.datadir, self.embedder, self.threads = datadir, embedder, threads

    def commit(self, prepared: PreparedReport) -> IngestSummary:
        index_seconds = [0.0]
        updater = None
        if self.embedder is not None:
            inner = make_index_updater(
                self.embedder,
                threads=self.threads,
                model=_PreparedEmbedder(self.embedder, self.threads, prepared),
                keep_cache=True,
            )

            def updater(*args: object) -> None:
                started = time.perf_counter()
                try:
                    inner(*args)  # type: ignore[arg-type]
                finally:
                    index_seconds[0] += time.perf_counter() - started

        deadline = time.monotonic() + BUSY_WAIT_SECONDS
        while True:
            try:
                summary = write_prepared(
                    prepared.bundle, prepared.summary, self.datadir, index_updater=updater
                )
                break
            except StoreBusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(BUSY_POLL_SECONDS)
        stages = dict(summary.stage_seconds)
        if self.embedder is not None:
            stages["write"] = stages.get("write", 0.0) - index_seconds[0]
            stages["index"] = index_seconds[0]
        return replace(summary, stage_seconds=stages)


_Outcome = PreparedReport | str  # a prepared report, or why the file failed (one line)


def _failure(path: Path, exc: BaseException) -> str:
    detail = (
        exc.detail if isinstance(exc, CnkgError) else f"could not be processed ({type(exc).__name__}: {exc})"
    )
    return detail if path.name in detail else f"{path}: {detail}"


def _in_process(jobs: list[_Job]) -> Iterator[_Outcome]:
    for job in jobs:
        try:
            yield prepare_report(job)
        except Exception as exc:  # the file's fault (or a parser's bug): reported, the run goes on
            yield _failure(job.path, exc)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops the workers


class _Pool:
    """Worker processes preparing reports ahead of the writer, handed back in input order."""

    def __init__(self, jobs: list[_Job], workers: int) -> None:
        self.jobs, self.workers = jobs, workers
        self.limit = workers * AHEAD_PER_WORKER
        self.executor = self._start()
        self.running: dict[Future[PreparedReport], int] = {}
        self.done: dict[int, _Outcome] = {}
        self.pending = deque(range(len(jobs)))
        self.suspects: deque[int] = deque()  # running when a worker died: read again one at a time

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=_CTX, initializer=_ignore_interrupts)

    def outcomes(self) -> Iterator[_Outcome]:
        for index in range(len(self.jobs)):
            while index not in self.done:
                self._submit()
                self._collect()
            yield self.done.pop(index)

    def _submit(self) -> None:
        if self.suspects:
            if not self.running:
                self._run(self.suspects.popleft())
            return
        while self.pending and len(self.running) + len(self.done) < self.limit:
            self._run(self.pending.popleft())

    def _run(self, index: int) -> None:
        self.running[self.executor.submit(prepare_report, self.jobs[index])] = index

    def _collect(self) -> None:
        finished, _ = wait(self.running, return_when=FIRST_COMPLETED)
        isolated = len(self.running) == 1
        lost: list[int] = []
        for future in finished:
            index = self.running.pop(future)
            try:
                self.done[index] = future.result()
            except BrokenProcessPool:
                lost.append(index)
            except Exception as exc:
                self.done[index] = _failure(self.jobs[index].path, exc)
        if not lost:
            return
        lost += self.running.values()  # a dead worker breaks the whole pool: the others' work is lost
        self.running.clear()
        self.stop()
        self.executor = self._start()
        for index in sorted(lost):
            if isolated:
                reason = "the process reading it died (a crash in a parser?); nothing was stored for it"
                self.done[index] = f"{self.jobs[index].path}: {reason}"
            else:
                self.suspects.append(index)

    def stop(self) -> None:
        """Stop the workers now (their reports are not needed any more)."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join()


def ingest_many(
    paths: Sequence[Path],
    datadir: DataDir,
    options: IngestOptions,
    *,
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Ingest ``paths`` with ``options.jobs`` workers and one writer, committing in input order;
    ``on_result`` is called for each file as it is committed or fails. Raises StoreError (and stops)
    when the data directory cannot be written; a file's own errors are in its ``FileResult``."""
    with datadir.writing():  # another writer now, or no way to write: fail at once, before any work
        pass
    embedder = embedder_for(datadir, options.embedder) if options.with_indexes else None
    workers = job_count(options.jobs, len(paths))
    threads = options.embed_threads or max(1, core_count() // workers)
    jobs = [
        _Job(Path(p), datadir.root, options.max_bytes, options.date, options.force, embedder, threads)
        for p in paths
    ]
    writer = _Writer(datadir, embedder, options.embed_threads)
    pool = _Pool(jobs, workers) if workers > 1 else None
    results: list[FileResult] = []
    try:
        outcomes = pool.outcomes() if pool is not None else _in_process(jobs)
        for job, outcome in zip(jobs, outcomes, strict=False):
            if isinstance(outcome, str):
                result = FileResult(job.path, error=outcome)
            else:
                result = FileResult(job.path, summary=writer.commit(outcome))
            results.append(result)
            if on_result is not None:
                on_result(result)
    finally:
        if pool is not None:
            pool.stop()
    return results
