"""The graph on disk: one Oxigraph (RocksDB) store per data directory, shared by every query worker.

The per-report N-Quads files stay the source of truth; the on-disk store is an index derived from them,
kept up to date by the single writer and read by the query workers. Layout::

    DATA/store/live/            the writer's read-write store (only ever opened under the writer lock)
    DATA/store/live.json        which graph file of each report ``live`` holds, written after a flush
    DATA/store/live.dirty       present while ``live`` is being changed: found at the next commit, it
                                means a crash in the middle, and ``live`` is rebuilt from the N-Quads
    DATA/store/snapshot-G.HEX/  an immutable copy of ``live`` (RocksDB checkpoint: hard links) per
                                generation, named by the manifest (``Manifest.store``)

At every commit of a data directory that has a store (:meth:`DataDir.commit` calls :func:`refresh`), the
writer brings ``live`` in line with the new manifest (drops the graphs of changed or deleted reports,
bulk-loads the new graph files, and keeps the default graph the set union of the named graphs:
:mod:`kg.union`), flushes it, snapshots it into a fresh directory and
names that directory in the manifest it is about to publish. Readers open the snapshot their manifest
names read-only (:func:`open_snapshot`), so no reader ever opens a store that a process is writing, and
the snapshot of generation N stays on disk until generation N+2 is committed, like every other file.

A crash before the manifest swap leaves the previous manifest and its snapshot intact (the new snapshot
is an orphan the next commit removes); a crash while ``live`` is changed leaves ``live.dirty``, and the
next commit rebuilds ``live`` from the N-Quads files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.datadir import DataDir, Manifest, crash_point, write_atomic
from kg.errors import StoreBusyError, StoreError
from kg.namespaces import LEXICON_GRAPH, report_iri
from kg.union import copy_graph, drop_graph, triples_or_copy

__all__ = [
    "LIVE_DIR",
    "SNAPSHOT_PREFIX",
    "STORE_DIR",
    "STORE_FORMAT",
    "build",
    "enable",
    "ensure",
    "open_snapshot",
    "refresh",
    "snapshot_path",
]

STORE_DIR = "store"
LIVE_DIR = f"{STORE_DIR}/live"
SNAPSHOT_PREFIX = f"{STORE_DIR}/snapshot-"
STORE_FORMAT = 2  # of Manifest.store and live.json; another value: the store is rebuilt (2: the default
# graph holds the set union of the named graphs, kg.union)
COMPACT_ABOVE_FILES = 400  # RocksDB table files in the live store past which a commit compacts it


def _ontology_files() -> list[Path]:
    from kg.store import ONTOLOGY_FILES, ontology_path  # kg.store imports this module

    return [ontology_path(name) for name in ONTOLOGY_FILES]


def lexicon_digest() -> str:
    """The ontology files the installation ships, as one digest (the live store reloads the lexicon
    graph when it changes)."""
    digest = hashlib.sha256()
    for path in _ontology_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def snapshot_path(datadir: DataDir, manifest: Manifest) -> Path | None:
    """The snapshot directory ``manifest`` names, None when the data directory keeps no graph store."""
    snapshot = manifest.store.get("snapshot") if manifest.store.get("format") == STORE_FORMAT else None
    return datadir.path(str(snapshot)) if snapshot else None


def open_snapshot(path: Path) -> ox.Store:
    """Open a snapshot for reading only (any write to it raises ``OSError``)."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the graph store {path}: {exc}") from exc


def enable(manifest: Manifest) -> None:
    """Make the data directory keep a graph store from its next commit on (``DataDir.commit``)."""
    if manifest.store.get("format") != STORE_FORMAT:
        manifest.store = {"format": STORE_FORMAT}


# -- the writer's side ---------------------------------------------------------------------------------
def _read_state(datadir: DataDir) -> dict[str, object] | None:
    """What ``live`` holds, None when it must be rebuilt (missing, unknown format, or left dirty)."""
    store = datadir.path(STORE_DIR)
    if (store / "live.dirty").exists() or not datadir.path(LIVE_DIR).is_dir():
        return None
    try:
        state = json.loads((store / "live.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("format") != STORE_FORMAT:
        return None
    return state


@contextlib.contextmanager
def _changing(datadir: DataDir) -> Iterator[None]:
    """Mark ``live`` dirty for the block; a crash inside it leaves the mark (the next commit rebuilds)."""
    mark = datadir.path(STORE_DIR) / "live.dirty"
    write_atomic(mark, b"")
    yield
    mark.unlink()


def _load_lexicon(store: ox.Store) -> None:
    graph = ox.NamedNode(LEXICON_GRAPH)
    drop_graph(store, graph)
    for path in _ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    copy_graph(store, graph)  # its blank nodes too


READ_CHUNK = 1 << 20  # bytes a bulk load reads from the graph files at a time (1 MiB: ~5k quads a read)
# N-Quads bytes of the report files one bulk load reads (files are not split): Oxigraph sorts and writes
# its table files per load, so one load per report (10k quads) wrote ~10 small files a report that
# RocksDB then compacted again and again. Measured by bench/disk_build.py on 468 reports of ~2.3 MB
# (5.1M triples): full build 75.6 s wall / 77.7 s CPU with one load a report, 49.5 / 63.2 s at 64 MiB,
# 41.4 / 50.2 s in one load (16 MiB, measured apart: 67 s CPU), while the loader's peak memory grows with
# the group (121 MiB, 394 MiB, 1.77 GiB; at the first start it is the API process's): 64 MiB keeps most
# of the gain within 0.4 GiB.
LOAD_GROUP_BYTES = 64 << 20


class _Chunks(io.RawIOBase):
    """Byte strings read as one stream, for one bulk load (drawn from ``chunks`` as they are read)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _groups(paths: list[Path], group_bytes: int) -> Iterator[list[Path]]:
    """``paths`` in order, cut into runs of about ``group_bytes`` (a run ends at the file that fills it)."""
    group: list[Path] = []
    size = 0
    for path in paths:
        group.append(path)
        size += path.stat().st_size
        if size >= group_bytes:
            yield group
            group, size = [], 0
    if group:
        yield group


def _file_blocks(paths: Iterable[Path]) -> Iterator[bytes]:
    """The graph files as one N-Quads stream, READ_CHUNK bytes at a time, a line break before each file
    (a file that lacks its final line break cannot join the next one's first line)."""
    for path in paths:
        yield b"\n"
        with open(path, "rb") as file:
            while block := file.read(READ_CHUNK):
                yield block


def _bulk_load(store: ox.Store, paths: list[Path]) -> None:
    try:
        stream = io.BufferedReader(_Chunks(_file_blocks(paths)), READ_CHUNK)
        store.bulk_load(stream, format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        _raise_for_broken_file(paths, exc)


def _raise_for_broken_file(paths: list[Path], exc: SyntaxError) -> None:
    """Name the file of a parse error (the loader reads ahead, and counts lines across the files)."""
    for path in paths:
        try:
            for _ in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
                pass
        except SyntaxError as broken:
            raise SyntaxError(f"{path}: {broken}") from exc
    raise exc


def _load_graph_files(store: ox.Store, graph_files: dict[str, Path], group_bytes: int) -> None:
    """Bulk-load the report graphs (rid -> N-Quads file), many files a load; name every report's graph,
    even an empty one; then copy their triples into the default graph (:mod:`kg.union`), in loads of the
    same groups."""
    for group in _groups(list(graph_files.values()), group_bytes):
        _bulk_load(store, group)
    for rid in graph_files:
        store.add_graph(ox.NamedNode(report_iri(rid)))
    _fill_union(store, graph_files, group_bytes)


def _fill_union(store: ox.Store, graph_files: dict[str, Path], group_bytes: int) -> None:
    """Copy the report graphs just loaded into the default graph: the files' triples as text, one bulk
    load a group; a file that cannot be cut so (it may hold a blank node) from the store's own quads."""
    by_path = {path: rid for rid, path in graph_files.items()}
    for group in _groups(list(graph_files.values()), group_bytes):
        texts: list[bytes] = []
        for path in group:
            triples = triples_or_copy(store, ox.NamedNode(report_iri(by_path[path])), path)
            if triples is not None:
                texts.append(triples)
        if texts:
            store.bulk_load(io.BufferedReader(_Chunks(texts), READ_CHUNK), format=ox.RdfFormat.N_TRIPLES)


def _compact_if_fragmented(store: ox.Store, live: Path) -> None:
    if sum(1 for _ in live.glob("*.sst")) > COMPACT_ABOVE_FILES:
        store.optimize()  # every bulk load adds files; a full compaction keeps reads few per lookup


def build(
    live: Path, graph_files: dict[str, Path], *, group_bytes: int = LOAD_GROUP_BYTES, optimize: bool = True
) -> ox.Store:
    """A fresh store at ``live`` holding the lexicon and the report graphs (rid -> N-Quads file).
    ``optimize``: compact it fully (its snapshots are read-only, never compacted; without it the
    lookups took 1.5x the time at 468 reports, bench/results/disk_build.txt)."""
    shutil.rmtree(live, ignore_errors=True)
    store = ox.Store(str(live))
    _load_lexicon(store)
    _load_graph_files(store, graph_files, group_bytes)
    if optimize:
        store.optimize()
    store.flush()
    return store


def _rebuild(datadir: DataDir, manifest: Manifest) -> ox.Store:
    graphs = {rid: datadir.path(record.graph_file) for rid, record in manifest.reports.items()}
    return build(datadir.path(LIVE_DIR), graphs)


def _update(datadir: DataDir, manifest: Manifest, state: dict[str, object], lexicon: str) -> ox.Store:
    held = state.get("reports")
    loaded: dict[str, str] = dict(held) if isinstance(held, dict) else {}
    wanted = {rid: record.graph_file for rid, record in manifest.reports.items()}
    store = ox.Store(str(datadir.path(LIVE_DIR)))
    if state.get("lexicon") != lexicon:
        _load_lexicon(store)
    for rid, graph_file in loaded.items():
        if wanted.get(rid) != graph_file:
            drop_graph(store, ox.NamedNode(report_iri(rid)))
    new = {rid: datadir.path(file) for rid, file in wanted.items() if loaded.get(rid) != file}
    if new:
        crash_point("inside-store-update")
        # not one transaction, but twice as fast as load(); a crash inside leaves live.dirty
        _load_graph_files(store, new, LOAD_GROUP_BYTES)
    _compact_if_fragmented(store, datadir.path(LIVE_DIR))
    store.flush()
    return store


def refresh(datadir: DataDir, manifest: Manifest) -> None:
    """Bring the live store in line with ``manifest`` and name a fresh snapshot of it in
    ``manifest.store``. Called by the writer (lock held) just before ``manifest`` is published."""
    lexicon = lexicon_digest()
    state = _read_state(datadir)
    reports = {rid: record.graph_file for rid, record in manifest.reports.items()}
    snapshot = f"{SNAPSHOT_PREFIX}{manifest.generation + 1}.{secrets.token_hex(4)}"
    try:
        datadir.path(STORE_DIR).mkdir(parents=True, exist_ok=True)
        with _changing(datadir):
            live = (
                _rebuild(datadir, manifest) if state is None else _update(datadir, manifest, state, lexicon)
            )
            live_state = {"format": STORE_FORMAT, "lexicon": lexicon, "reports": reports}
            write_atomic(datadir.path(STORE_DIR) / "live.json", json.dumps(live_state).encode())
        crash_point("before-store-snapshot")
        live.backup(str(datadir.path(snapshot)))
        del live  # closes the live store (RocksDB's lock) before anyone opens it again
        _fsync_new_files(datadir.path(snapshot), snapshot_path(datadir, datadir.read_manifest()))
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"cannot update the graph store in {datadir.path(STORE_DIR)}: {exc}") from exc
    manifest.store = {"format": STORE_FORMAT, "snapshot": snapshot}


def _inodes(directory: Path | None) -> set[int]:
    if directory is None or not directory.is_dir():
        return set()
    return {path.stat().st_ino for path in directory.iterdir()}


def _fsync_new_files(directory: Path, previous: Path | None) -> None:
    """Make a snapshot durable before the manifest names it. Its table files are hard links: those the
    previous snapshot shares were synced when it was made (syncing them again cost 1 s a commit at 250
    files, growing with the store), so only the new files and the directory are synced."""
    synced = _inodes(previous)
    fresh = [path for path in directory.iterdir() if path.stat().st_ino not in synced]
    for path in itertools.chain(fresh, (directory,)):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


ENSURE_RETRY_S = 0.5  # pause between tries to take the writer lock while another process writes


def ensure(datadir: DataDir, *, timeout: float) -> Path:
    """The snapshot of the data directory as it is now, built first (one commit, under the writer lock)
    when the directory keeps no graph store yet or its snapshot is missing; waits up to ``timeout``
    seconds for a writer that holds the lock. Returns the snapshot's path."""
    deadline = time.monotonic() + timeout
    while True:
        manifest = datadir.read_manifest()
        path = snapshot_path(datadir, manifest)
        if path is not None and path.is_dir():
            return path
        try:
            with datadir.writing():
                manifest = datadir.read_manifest()
                path = snapshot_path(datadir, manifest)
                if path is None or not path.is_dir():
                    enable(manifest)
                    datadir.commit(manifest)
                continue
        except StoreBusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(ENSURE_RETRY_S)
