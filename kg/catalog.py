"""The reports of a data directory: add, replace and delete a report as one atomic step.

A report arrives as a ``ReportBundle`` (its named graph as N-Quads, its text, and for the search
indexes its passages and the labels and types of the entities they mention). Writing a bundle puts new
files under fresh names and then swaps the manifest, so a crash at any point leaves the previous state,
and a reader sees the old or the new report, never half.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.datadir import DataDir, Manifest, ReportRecord
from kg.errors import InputError, NotFoundError
from kg.namespaces import REPORT_BASE, entity_iri, rid_of

__all__ = [
    "Catalog",
    "EntityInfo",
    "IndexUpdater",
    "PassageRecord",
    "ReportBundle",
    "WriteOutcome",
    "find_report",
]


@dataclass(frozen=True)
class PassageRecord:
    """A passage as the search indexes see it."""

    iri: str
    rid: str
    n: int
    text: str
    start: int
    end: int
    section: str
    entities: tuple[str, ...] = ()  # slugs of the entities it mentions


@dataclass(frozen=True)
class EntityInfo:
    """An entity as the search indexes show it: its label and type."""

    slug: str
    label: str
    type: str

    @property
    def iri(self) -> str:
        return entity_iri(self.slug)


@dataclass(frozen=True)
class ReportBundle:
    """One report, ready to store: what the data directory keeps and what its search indexes need."""

    rid: str
    source: str
    sha256: str
    title: str
    text: str
    nquads: bytes
    pipeline: str  # version of the extractor that produced the graph
    passages: tuple[PassageRecord, ...]
    counts: dict[str, Any] = field(default_factory=dict)
    # label and type of the entities the report mentions, as extraction resolved them (slug -> info)
    entities: dict[str, EntityInfo] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteOutcome:
    record: ReportRecord
    status: str  # "added", "replaced", "unchanged"
    replaced: tuple[str, ...] = ()  # rids of reports this one replaced (same source name)


# Called inside the writer lock with (datadir, manifest, added bundles, removed rids); it writes the
# new index files and updates manifest.search in place. kg.search provides the real one.
IndexUpdater = Callable[[DataDir, Manifest, list[ReportBundle], list[str]], None]


def find_report(reports: Mapping[str, ReportRecord], ref: str) -> ReportRecord:
    """The report ``ref`` names among ``reports`` (rid → record): its id, its IRI, a prefix of its id or
    its source file name. NotFoundError when none matches; InputError (HTTP 400) when several do, since
    the request then has to name the report more precisely.

    >>> def record(rid: str) -> ReportRecord:
    ...     return ReportRecord(rid=rid, source=f"{rid}.txt", sha256="", graph_file="", text_file="",
    ...                         title="", chars=0, ingested="", pipeline="")
    >>> reports = {rid: record(rid) for rid in ("ab12cd34", "ab99ef00")}
    >>> find_report(reports, "https://w3id.org/cnkg/id/report/ab12").rid
    'ab12cd34'
    >>> find_report(reports, "ab")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: 'ab' matches 2 reports; give the report id
    """
    ref = ref.strip().rstrip("/")
    if ref.startswith(REPORT_BASE):
        ref = rid_of(ref)
    if ref in reports:
        return reports[ref]
    hits = [r for r in reports.values() if r.source == ref or r.rid.startswith(ref)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise NotFoundError(f"no report matches {ref!r}")
    raise InputError(f"{ref!r} matches {len(hits)} reports; give the report id")


class Catalog:
    def __init__(self, datadir: DataDir, index_updater: IndexUpdater | None = None) -> None:
        self.datadir = datadir
        self.index_updater = index_updater

    def reports(self) -> list[ReportRecord]:
        return sorted(self.datadir.read_manifest().reports.values(), key=lambda r: r.ingested)

    def get(self, rid: str) -> ReportRecord:
        record = self.datadir.read_manifest().reports.get(rid)
        if record is None:
            raise NotFoundError(f"no report {rid!r} in {self.datadir.root}")
        return record

    def find(self, ref: str) -> ReportRecord:
        """A report by id, id prefix, IRI or source file name (:func:`find_report`)."""
        return find_report(self.datadir.read_manifest().reports, ref)

    def is_current(self, rid: str, pipeline: str) -> bool:
        record = self.datadir.read_manifest().reports.get(rid)
        return record is not None and record.pipeline == pipeline

    def write(self, bundle: ReportBundle) -> WriteOutcome:
        """Add a report, replacing any report from the same source file; atomic."""
        with self.datadir.writing():
            manifest = self.datadir.read_manifest()
            existing = manifest.reports.get(bundle.rid)
            if existing is not None and existing.pipeline == bundle.pipeline:
                return WriteOutcome(existing, "unchanged")
            replaced = [r.rid for r in manifest.reports.values() if r.source == bundle.source]
            if bundle.rid in manifest.reports and bundle.rid not in replaced:
                replaced.append(bundle.rid)
            graph_file = self.datadir.new_artifact("graphs", bundle.rid, ".nq", bundle.nquads)
            text_file = self.datadir.new_artifact("texts", bundle.rid, ".txt", bundle.text.encode("utf-8"))
            record = ReportRecord(
                rid=bundle.rid,
                source=bundle.source,
                sha256=bundle.sha256,
                graph_file=graph_file,
                text_file=text_file,
                title=bundle.title,
                chars=len(bundle.text),
                ingested=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                pipeline=bundle.pipeline,
                counts=bundle.counts,
            )
            for rid in replaced:
                manifest.reports.pop(rid, None)
            manifest.reports[bundle.rid] = record
            if self.index_updater is not None:
                self.index_updater(self.datadir, manifest, [bundle], replaced)
            self.datadir.commit(manifest)
        status = "replaced" if replaced else "added"
        return WriteOutcome(record, status, tuple(r for r in replaced if r != bundle.rid))

    def delete(self, ref: str) -> ReportRecord:
        with self.datadir.writing():
            record = self.find(ref)
            manifest = self.datadir.read_manifest()
            manifest.reports.pop(record.rid, None)
            if self.index_updater is not None:
                self.index_updater(self.datadir, manifest, [], [record.rid])
            self.datadir.commit(manifest)
        return record

    def text(self, rid: str) -> str:
        record = self.get(rid)
        return self.datadir.path(record.text_file).read_text(encoding="utf-8")
