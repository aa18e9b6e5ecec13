"""Keep the search indexes in step with the catalog: the ``IndexUpdater`` the catalog calls inside its
writer lock, and ``reembed`` to switch an existing data directory to another embedder.

Wiring (ingest)::

    catalog = Catalog(datadir, index_updater=make_index_updater(settings.embedder, progress=...))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, replace
from pathlib import Path

import numpy as np

from kg.catalog import ReportBundle
from kg.datadir import DataDir, Manifest
from kg.errors import ConflictError, StoreError
from kg.lexicon import Lexicon
from kg.search.embedders import Embedder, embedder_from_spec
from kg.search.embedding_cache import EmbeddingCache, Progress
from kg.search.segments import (
    DEFAULT_MERGE_POLICY,
    MergePolicy,
    SegmentRecord,
    merged_segment,
    open_segment,
    write_segment,
)
from kg.search.shards import Shard, read_shard, shard_from_bundle
from kg.search.table import Table
from kg.search_record import SEARCH_FORMAT, DenseRecord, EmbedderInfo, SearchRecord
from kg.tokenize import WordSegmenter

__all__ = [
    "MERGE_POLICY",
    "EmbedderMismatchError",
    "IndexUpdate",
    "make_index_updater",
    "reembed",
    "update_indexes",
]

MERGE_POLICY: MergePolicy = DEFAULT_MERGE_POLICY  # read at every commit (tests narrow it)
# A writer that commits many reports in a row (cnkg ingest of many files) keeps each data directory's
# embedding cache between its commits instead of reading every hash of it again at each one, which made
# a commit's cost grow with the store (bench/results/scale.txt, docs/scaling.md). Keyed by the data
# directory's root; an entry is used only while the manifest still names exactly the segments it was saved to.
_KEPT_CACHES: dict[Path, EmbeddingCache] = {}


class EmbedderMismatchError(ConflictError):
    """The data directory's vectors come from another embedder than the one asked for."""

    title = "Embedder mismatch"


@dataclass(frozen=True)
class IndexUpdate:
    """An ``IndexUpdater`` for ``Catalog``: ``embedder`` is the spec for a new data directory
    (None: keep the recorded one, else use3); ``progress(done, total)`` is called while embedding;
    ``model``: the embedder to use when its name is the data directory's (the parallel ingest passes
    one that answers from vectors its workers computed); ``keep_cache``: keep the embedding cache in
    this process for the next commit (a writer of many reports; it costs the cache's hashes in memory)."""

    embedder: str | None = None
    _: KW_ONLY
    threads: int = 0
    progress: Progress | None = None
    model: Embedder | None = None
    keep_cache: bool = False

    def __call__(
        self, datadir: DataDir, manifest: Manifest, added: list[ReportBundle], removed: list[str]
    ) -> None:
        """Index the added reports, drop the removed ones, and record the new files in ``manifest.search``."""
        state = manifest.search
        recorded = state.embedder if state.order else None
        spec = self.embedder or (recorded.name if recorded else "use3")
        if recorded is not None and recorded.name != spec:
            raise EmbedderMismatchError(
                f"the search index of {datadir.root} was built with embedder {recorded.name!r}, "
                f"not {spec!r}; re-embed it with kg.search.reembed (cnkg search --reembed --embedder {spec})"
            )
        model = self.model
        if model is None or model.name != spec:
            model = embedder_from_spec(spec, self.threads)
        cache = _embedding_cache(datadir, state.vectors if recorded else (), model.dim)
        gone = set(removed)
        order = [rid for rid in state.order if rid not in gone and rid in manifest.reports]
        files: dict[str, str] = {rid: state.shards[rid] for rid in order}
        shards = _Shards(datadir, files, state.sizes)
        segmenter, lexicon = WordSegmenter.shared(), Lexicon.load()
        appended: list[str] = []
        for bundle in added:
            shard = shard_from_bundle(bundle, segmenter, lexicon)
            cache.vectors(*shard.embedding_items(), model, self.progress)
            files[bundle.rid] = shard.write(datadir)
            shards[bundle.rid] = shard
            if bundle.rid in order:
                order.remove(bundle.rid)
            order.append(bundle.rid)
            appended.append(bundle.rid)
        rebuild = bool(gone & set(state.order)) or state.format != SEARCH_FORMAT
        _record(
            datadir,
            manifest,
            model,
            cache,
            order,
            files,
            shards,
            appended if not rebuild else None,
            compact=rebuild,
        )
        if self.keep_cache and cache.reusable:
            _KEPT_CACHES[datadir.root.resolve()] = cache


# The names the wiring uses: make_index_updater(embedder, threads=..., ...) makes an updater, and
# update_indexes is the one with every default.
make_index_updater = IndexUpdate
update_indexes = IndexUpdate()


def _embedding_cache(datadir: DataDir, segments: tuple[str, ...], dim: int) -> EmbeddingCache:
    """The cache kept from this process's last commit to ``datadir`` when the manifest still names the
    segments it saved (no other writer came between), else the cache read from its segment files."""
    kept = _KEPT_CACHES.pop(datadir.root.resolve(), None)
    if kept is not None and kept.dim == dim and kept.segments == tuple(segments):
        return kept
    return EmbeddingCache.load(datadir, segments, dim)


def reembed(datadir: DataDir, embedder: str, *, threads: int = 0, progress: Progress | None = None) -> int:
    """Embed every indexed passage again with another embedder; returns the number of passages."""
    with datadir.writing():
        manifest = datadir.read_manifest()
        state = manifest.search
        order = [rid for rid in state.order if rid in manifest.reports]
        files = {rid: state.shards[rid] for rid in order}
        shards = _Shards(datadir, files, state.sizes)
        model = embedder_from_spec(embedder, threads)
        cache = EmbeddingCache(model.dim)
        for rid in order:
            cache.vectors(*shards[rid].embedding_items(), model, progress)
        _record(datadir, manifest, model, cache, order, files, shards, None, compact=True)
        datadir.commit(manifest)
        return sum(shards.size(rid) for rid in order)


class _Shards:
    """The shards of the indexed reports, each read from disk only when first needed: adding a report to
    an index needs none of the others' (their sizes are in ``manifest.search.sizes``)."""

    def __init__(self, datadir: DataDir, files: dict[str, str], sizes: Mapping[str, int]) -> None:
        self._datadir, self._files, self._sizes = datadir, files, sizes
        self._read: dict[str, Shard] = {}

    def __getitem__(self, rid: str) -> Shard:
        if rid not in self._read:
            self._read[rid] = read_shard(self._datadir.path(self._files[rid]))
        return self._read[rid]

    def for_table(self, rid: str) -> Shard:
        """A report's shard for building a search table: the one in hand, else read without its hashes
        and not kept (a merged table reads hundreds of shards the commit needs for nothing else)."""
        shard = self._read.get(rid)
        return shard if shard is not None else read_shard(self._datadir.path(self._files[rid]), hashes=False)

    def __setitem__(self, rid: str, shard: Shard) -> None:
        self._read[rid] = shard

    def size(self, rid: str) -> int:
        """The number of passages of a report's shard."""
        if rid in self._read or rid not in self._sizes:
            return len(self[rid])
        return int(self._sizes[rid])


def _record(
    datadir: DataDir,
    manifest: Manifest,
    model: Embedder,
    cache: EmbeddingCache,
    order: list[str],
    files: dict[str, str],
    shards: _Shards,
    appended: list[str] | None,
    *,
    compact: bool,
) -> None:
    """Extend (or rebuild) the dense index's segments, write them and the cache, and publish them in the
    manifest. ``compact``: a report went away, so the cache may drop rows no passage uses any more."""
    segments = _dense_segments(datadir, manifest, cache, order, shards, appended)
    segment_files = [f for record in segments for f in record.files]

    def live() -> set[str]:
        return {
            h
            for rid in order
            for h in (*shards[rid].hashes, *(x for s in shards[rid].sentence_hashes for x in s))
        }

    cache_files = cache.save(datadir, live, compact=compact)
    manifest.search = SearchRecord(
        format=SEARCH_FORMAT,
        embedder=EmbedderInfo(name=model.name, dim=model.dim),
        order=tuple(order),
        shards={rid: files[rid] for rid in order},
        sizes={rid: shards.size(rid) for rid in order},
        vectors=tuple(cache_files),
        dense=DenseRecord(count=sum(r.rows for r in segments), segments=tuple(segments)),
        files=tuple(sorted({*(files[rid] for rid in order), *cache_files, *segment_files})),
    )


def _dense_segments(
    datadir: DataDir,
    manifest: Manifest,
    cache: EmbeddingCache,
    order: list[str],
    shards: _Shards,
    appended: list[str] | None,
) -> list[SegmentRecord]:
    """The current segments plus one for the appended reports (reading only their rows from the cache),
    the newest merged by the merge policy; or, after a removal, one segment built again from the cache.
    The segments already written are never rewritten in place."""
    previous = list(manifest.search.dense.segments) if appended is not None and manifest.search.dense else []
    total = sum(shards.size(rid) for rid in order)
    fresh = order if appended is None else appended
    if appended is not None and sum(r.rows for r in previous) != total - sum(shards.size(r) for r in fresh):
        previous, fresh = [], order  # an appended report replaced one in the index: its rows moved
    segments = [*previous]
    for group in _groups(fresh, shards, MERGE_POLICY.max_merged_rows):
        segments.append(_new_segment(datadir, cache, [shards[rid] for rid in group]))
    count = MERGE_POLICY.merge_plan([r.rows for r in segments])
    if count:
        parts = [open_segment(datadir, r) for r in segments[-count:]]
        segments[-count:] = [merged_segment(datadir, parts, MERGE_POLICY)]
    # each segment's search table, over the same reports: new with a new or merged segment, and written
    # once for the segments of a data directory from before tables
    runs = _segment_reports(segments, order, shards)
    return [
        record if record.table else replace(record, table=_table(datadir, map(shards.for_table, run)))
        for record, run in zip(segments, runs, strict=True)
    ]


def _segment_reports(segments: list[SegmentRecord], order: list[str], shards: _Shards) -> list[list[str]]:
    """The reports of each segment: the run of ``order`` whose passages are the segment's rows."""
    runs: list[list[str]] = []
    reports = iter(order)
    for record in segments:
        run, rows = [], 0
        while rows < record.rows:
            rid = next(reports, None)
            if rid is None:
                raise StoreError("the dense segments hold more rows than the indexed reports")
            run.append(rid)
            rows += shards.size(rid)
        if rows != record.rows:
            raise StoreError("a dense segment does not end where a report ends")
        runs.append(run)
    return runs


def _table(datadir: DataDir, shards: Iterable[Shard]) -> str:
    return Table.from_shards(shards).write(datadir)


def _groups(rids: list[str], shards: _Shards, max_rows: int) -> list[list[str]]:
    """``rids`` in order, cut into runs of at most ``max_rows`` passages (a report is never split), so
    that a rebuild holds one segment's vectors in memory at a time."""
    groups: list[list[str]] = []
    rows = 0
    for rid in rids:
        size = shards.size(rid)
        if not groups or (groups[-1] and rows + size > max_rows):
            groups.append([])
            rows = 0
        groups[-1].append(rid)
        rows += size
    return groups


def _new_segment(datadir: DataDir, cache: EmbeddingCache, shards: list[Shard]) -> SegmentRecord:
    """A segment over the passages of ``shards`` (in order), their vectors read from the cache."""
    vectors = cache.lookup([h for shard in shards for h in shard.hashes])
    per_passage = [hs for shard in shards for hs in shard.sentence_hashes]
    sentences = cache.lookup([h for hs in per_passage for h in hs])
    indptr = np.zeros(len(per_passage) + 1, dtype=np.int64)
    np.cumsum([len(hs) for hs in per_passage], out=indptr[1:])
    return write_segment(datadir, vectors, sentences, indptr, MERGE_POLICY)
