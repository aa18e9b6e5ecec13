"""Ingest into a data directory: idempotent, replace on change, delete, crash-safe, locked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import ingest_path
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.errors import InputError, StoreBusyError
from kg.namespaces import report_iri
from kg.store import GraphStore

REPO = Path(__file__).resolve().parent.parent


def _state(datadir: DataDir) -> dict[str, bytes]:
    """Every file of the data directory with its content (the lock file aside)."""
    return {
        p.relative_to(datadir.root).as_posix(): p.read_bytes()
        for p in sorted(datadir.root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def sample(sample_paths, tmp_path) -> Path:
    copy = tmp_path / "report.md"
    copy.write_bytes(sample_paths[0].read_bytes())
    return copy


def test_ingest_then_query_the_report_graph(sample, tmp_path):
    datadir = DataDir(tmp_path / "data")
    summary = ingest_path(sample, datadir)
    store = GraphStore.open(datadir)
    assert summary.status == "added"
    assert report_iri(summary.rid) in store.graph_names()
    count = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p dcterms:isPartOf <{report_iri(summary.rid)}> }}"
    )
    assert int(count[0]["n"].value) == summary.passages


def test_reingesting_the_same_file_changes_nothing(sample, tmp_path):
    datadir = DataDir(tmp_path / "data")
    ingest_path(sample, datadir)
    before = _state(datadir)
    assert ingest_path(sample, datadir).status == "unchanged"
    assert _state(datadir) == before


def test_a_changed_file_replaces_its_report(sample, tmp_path):
    datadir = DataDir(tmp_path / "data")
    first = ingest_path(sample, datadir)
    sample.write_text(
        sample.read_text(encoding="utf-8") + "\n补充：2024年市场规模达到99.9亿元。\n", encoding="utf-8"
    )
    second = ingest_path(sample, datadir)
    assert second.status == "replaced"
    assert [r.rid for r in Catalog(datadir).reports()] == [second.rid]
    store = GraphStore.open(datadir)
    assert report_iri(first.rid) not in store.graph_names()
    assert store.ask("ASK { ?f cnkg:value 99.9 }")


def test_delete_removes_exactly_the_report(sample_paths, tmp_path):
    datadir = DataDir(tmp_path / "data")
    kept = ingest_path(sample_paths[0], datadir)
    gone = ingest_path(sample_paths[1], datadir)
    deleted = Catalog(datadir).delete(gone.rid)
    store = GraphStore.open(datadir)
    assert report_iri(gone.rid) not in store.graph_names()
    assert report_iri(kept.rid) in store.graph_names()
    # the deleted report's files are named by no manifest; they stay one generation for readers still
    # loading the previous one (retained), and the next commit removes them
    manifest = datadir.read_manifest()
    assert not any(f.startswith(f"graphs/{gone.rid}") for f in manifest.referenced_files())
    assert {deleted.graph_file, deleted.text_file} <= set(manifest.retained)
    ingest_path(sample_paths[2], datadir)
    assert not any(p.name.startswith(gone.rid) for p in (datadir.root / "graphs").iterdir())


def test_bad_input_leaves_the_store_untouched(sample, tmp_path):
    datadir = DataDir(tmp_path / "data")
    ingest_path(sample, datadir)
    before = _state(datadir)
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(InputError):
        ingest_path(empty, datadir)
    assert _state(datadir) == before


def test_a_second_writer_is_refused(sample, tmp_path):
    datadir = DataDir(tmp_path / "data")
    with datadir.writing(), pytest.raises(StoreBusyError):
        ingest_path(sample, datadir)


@pytest.mark.parametrize("point", ["after-artifact-graphs", "after-artifact-texts", "before-manifest"])
def test_kill_mid_ingest_keeps_the_previous_state(point, sample_paths, tmp_path):
    datadir = DataDir(tmp_path / "data")
    ingest_path(sample_paths[0], datadir)
    manifest_before = datadir.manifest_path.read_bytes()
    env = {**os.environ, "CNKG_CRASH_AT": point}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "ingest",
            "--no-index",
            "--data",
            str(datadir.root),
            str(sample_paths[1]),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -9
    assert datadir.manifest_path.read_bytes() == manifest_before
    store = GraphStore.open(datadir)  # everything the manifest names is loadable
    assert len(store.report_ids()) == 1
    assert ingest_path(sample_paths[1], datadir).status == "added"
    assert len(json.loads(datadir.manifest_path.read_text())["reports"]) == 2


@pytest.mark.parametrize(
    "args",
    [["query", "--format", "zzz", "ASK {}"], ["ingest", "--no-such-option"], ["no-such-command"]],
)
def test_usage_errors_exit_2_without_a_traceback(args, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", *args, "--data", str(tmp_path / "data")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Error:" in proc.stderr
