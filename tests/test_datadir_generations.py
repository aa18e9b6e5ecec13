"""Readers of a data directory and the writers that replace its manifest (issue 12, item 7): the change
stamp is the manifest's generation, so a commit of a manifest of the same size within one timestamp tick
is still seen; and a commit keeps the previous generation's files, so a reader that read generation N can
still load it after generation N+1 is committed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.catalog import Catalog
from kg.datadir import DataDir, Manifest
from kg.namespaces import report_iri
from kg.search_record import SearchRecord
from kg.store import GraphStore

MARKER = "<https://w3id.org/cnkg/id/entity/generation-probe> <http://www.w3.org/2000/01/rdf-schema#label>"


@pytest.fixture
def datadir(samples_datadir: DataDir, tmp_path: Path) -> DataDir:
    """A private copy of the session's data directory of the samples, free to write to."""
    shutil.copytree(samples_datadir.root, tmp_path / "data")
    return DataDir(tmp_path / "data")


def _same_tick(datadir: DataDir, before: os.stat_result) -> None:
    """Give the manifest the modification time it had before the last commit, as a file system with a
    coarse clock does for two commits within one tick."""
    os.utime(datadir.manifest_path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _files_on_disk(datadir: DataDir) -> set[str]:
    return {
        p.relative_to(datadir.root).as_posix()
        for sub in ("graphs", "texts", "index")
        for p in (datadir.root / sub).rglob("*")
        if p.is_file()
    }


def test_the_stamp_is_the_manifest_generation(tmp_path: Path) -> None:
    datadir = DataDir(tmp_path / "data")
    assert datadir.manifest_stamp() == 0  # no manifest yet
    with datadir.writing():
        datadir.commit(Manifest())
        datadir.commit(datadir.read_manifest())
    assert datadir.manifest_stamp() == datadir.read_manifest().generation == 2
    assert DataDir(tmp_path / "data").manifest_stamp() == 2  # any DataDir of the directory, any process


def test_a_same_size_commit_in_the_same_tick_changes_the_stamp(tmp_path: Path) -> None:
    datadir = DataDir(tmp_path / "data")
    with datadir.writing():
        datadir.commit(Manifest(search=SearchRecord(order=("a",))))
        stamp, before = datadir.manifest_stamp(), datadir.manifest_path.stat()
        datadir.commit(
            Manifest(generation=datadir.read_manifest().generation, search=SearchRecord(order=("b",)))
        )
    _same_tick(datadir, before)
    after = datadir.manifest_path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)  # what stat() sees
    assert datadir.manifest_stamp() != stamp
    assert datadir.read_manifest().search.order == ("b",)


def _replace_graph(datadir: DataDir, rid: str, marker: str) -> None:
    """A writer's commit that gives report ``rid`` a new graph file (same name length): its graph with the
    probe triple saying ``marker`` (instead of an earlier one)."""
    with datadir.writing():
        manifest = datadir.read_manifest()
        record = manifest.reports[rid]
        lines = datadir.path(record.graph_file).read_bytes().splitlines(keepends=True)
        quads = b"".join(line for line in lines if not line.startswith(MARKER.encode()))
        extra = f'{MARKER} "{marker}" <{report_iri(rid)}> .\n'.encode()
        record.graph_file = datadir.new_artifact("graphs", rid, ".nq", quads + extra)
        datadir.commit(manifest)


def test_the_graph_store_sees_a_same_size_commit(datadir: DataDir) -> None:
    rid = sorted(datadir.read_manifest().reports)[0]
    _replace_graph(datadir, rid, "first")  # from now on every commit retains one graph file of this length
    store = GraphStore.open(datadir)
    assert store.ask(f'ASK {{ {MARKER} "first" }}')
    before = datadir.manifest_path.stat()
    _replace_graph(datadir, rid, "other")
    _same_tick(datadir, before)
    assert datadir.manifest_path.stat().st_size == before.st_size
    assert store.sync()  # the stamp changed, so the store reloaded
    assert store.ask(f'ASK {{ {MARKER} "other" }}')
    assert not store.ask(f'ASK {{ {MARKER} "first" }}')


def test_a_reader_of_generation_n_can_load_it_after_n_plus_1_is_committed(datadir: DataDir) -> None:
    told = datadir.read_manifest()  # a query worker reads generation N and starts loading it...
    gone, replaced = sorted(told.reports)[:2]
    Catalog(datadir).delete(gone)  # ...while a writer commits N+1, which deletes one report
    assert datadir.read_manifest().generation == told.generation + 1
    reader = GraphStore(datadir)
    reader.sync(told)  # the reader loads what it was told: every file of generation N is still there
    assert report_iri(gone) in reader.graph_names()
    assert reader.report_ids() == sorted(told.reports)

    # generation N+2 (another writer's commit) removes what only generation N named, and nothing else
    newer = datadir.read_manifest()
    _replace_graph(datadir, replaced, "n+2")
    latest = datadir.read_manifest()
    assert not datadir.path(told.reports[gone].graph_file).exists()
    assert datadir.path(newer.reports[replaced].graph_file).is_file()  # N+1's file, retained by N+2
    assert latest.retained == [newer.reports[replaced].graph_file]
    assert _files_on_disk(datadir) == latest.kept_files()  # no orphan, no file missing
    assert GraphStore.open(datadir).report_ids() == sorted(latest.reports)
