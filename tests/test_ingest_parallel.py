"""``cnkg ingest --jobs N``: worker processes read, extract and embed, one writer commits. The store is
the one ``--jobs 1`` builds; a bad file or a dead worker costs only that file; the writer lock still
excludes another writer; Ctrl-C keeps what was committed, whole, and leaves no worker behind."""

from __future__ import annotations

import fcntl
import math
import signal
import time
from pathlib import Path

import pytest
from support.faults import assert_consistent, assert_one_line_error, run_cnkg, snapshot, start_cnkg

from kg.datadir import DataDir
from kg.search.index import SearchIndex
from kg.search.service import SearchService

QUERIES = ["边缘计算市场规模", "服务网格 Istio", "Serverless 冷启动", "FinOps 成本"]
INTERRUPT_WAIT_SECONDS = 600.0


def _ingest(root: Path, files: list[Path], *options: str) -> None:
    proc = run_cnkg("ingest", "--data", str(root), *options, *(str(f) for f in files))
    assert proc.returncode == 0, proc.stderr[-2000:]


def _graph_triples(datadir: DataDir) -> dict[str, set[bytes]]:
    manifest = datadir.read_manifest()
    return {
        rid: set(datadir.path(record.graph_file).read_bytes().splitlines())
        for rid, record in manifest.reports.items()
    }


def _index_rows(datadir: DataDir) -> list[tuple[str, str, tuple[str, ...]]]:
    index = SearchIndex.load(datadir, datadir.read_manifest())
    return [(p.iri, p.text, p.entities) for p in index.passages]


def _hits(datadir: DataDir) -> list[list[tuple[str, float]]]:
    service = SearchService(datadir)
    return [
        [(h["passage"], h["score"]) for h in service.search(q, k=8, mode="dense")["hits"]] for q in QUERIES
    ]


@pytest.mark.slow
def test_two_jobs_build_the_store_one_job_builds(sample_paths, tmp_path):
    one, two = DataDir(tmp_path / "one"), DataDir(tmp_path / "two")
    _ingest(one.root, sample_paths, "--jobs", "1")
    _ingest(two.root, sample_paths, "--jobs", "2")
    m1, m2 = one.read_manifest(), two.read_manifest()
    assert sorted(m1.reports) == sorted(m2.reports) and len(m1.reports) == len(sample_paths)
    assert [(r.source, r.counts) for r in m1.reports.values()] == [
        (m2.reports[rid].source, m2.reports[rid].counts) for rid in m1.reports
    ]
    assert m1.search.order == m2.search.order  # committed in input order
    assert _graph_triples(one) == _graph_triples(two)
    assert _index_rows(one) == _index_rows(two)
    for hits1, hits2 in zip(_hits(one), _hits(two), strict=True):
        assert [iri for iri, _ in hits1] == [iri for iri, _ in hits2]
        assert all(math.isclose(a, b, abs_tol=1e-4) for (_, a), (_, b) in zip(hits1, hits2, strict=True))
    assert_consistent(two, no_orphans=True)


@pytest.mark.slow
def test_a_bad_file_among_good_ones_is_reported_and_the_others_are_stored(sample_paths, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    data = DataDir(tmp_path / "data")
    files = [sample_paths[0], bad, sample_paths[1]]
    proc = run_cnkg("ingest", "--jobs", "2", "--data", str(data.root), *(str(f) for f in files))
    line = assert_one_line_error(proc, "broken.pdf")
    assert "PDF" in line
    assert "1 of 3 files failed" in proc.stderr
    assert {r.source for r in data.read_manifest().reports.values()} == {
        sample_paths[0].name,
        sample_paths[1].name,
    }
    assert_consistent(data, no_orphans=True)


@pytest.mark.slow
def test_a_worker_that_dies_costs_only_its_file(sample_paths, tmp_path):
    """A worker killed while reading one file (as a crash in a C parser would): that file is reported,
    the files that shared the pool with it are read again and stored."""
    data = DataDir(tmp_path / "data")
    proc = run_cnkg(
        "ingest",
        "--jobs",
        "2",
        "--data",
        str(data.root),
        *(str(f) for f in sample_paths[:3]),
        env={"CNKG_CRASH_AT": f"prepare:{sample_paths[1].name}"},
    )
    line = assert_one_line_error(proc, sample_paths[1].name, "died")
    assert "Traceback" not in line
    sources = {r.source for r in data.read_manifest().reports.values()}
    assert sources == {sample_paths[0].name, sample_paths[2].name}
    assert_consistent(data, no_orphans=True)


def test_the_writer_lock_still_excludes_a_second_writer(sample_paths, tmp_path):
    data = DataDir(tmp_path / "data")
    data.root.mkdir()
    before = snapshot(data.root)
    with open(data.root / ".lock", "a+") as held:  # another process writing
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_cnkg("ingest", "--jobs", "2", "--data", str(data.root), *(str(f) for f in sample_paths))
    assert_one_line_error(proc, "being written by another cnkg process")
    assert snapshot(data.root) == before


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


@pytest.mark.slow
def test_ctrl_c_keeps_the_committed_reports_whole_and_stops_the_workers(sample_paths, tmp_path):
    files = []
    # 24 reports whose every paragraph is new (marked with its copy's number), so that none of them is
    # served from the embedding cache and the run outlasts the first commit, even on a loaded machine
    for i in range(6):
        for sample in sample_paths:
            copy = tmp_path / "in" / f"{i}-{sample.name}"
            copy.parent.mkdir(exist_ok=True)
            paragraphs = sample.read_text(encoding="utf-8").split("\n\n")
            copy.write_text("\n\n".join(f"{p}（第{i}版）" for p in paragraphs), encoding="utf-8")
            files.append(copy)
    data = DataDir(tmp_path / "data")
    proc = start_cnkg("ingest", "--jobs", "2", "--data", str(data.root), *(str(f) for f in files))
    deadline = time.monotonic() + INTERRUPT_WAIT_SECONDS
    while not data.read_manifest().reports and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    committed = len(data.read_manifest().reports)
    assert 1 <= committed < len(files)
    assert_consistent(data)
    assert workers and not any(_alive(pid) for pid in workers)
    again = run_cnkg("ingest", "--jobs", "2", "--data", str(data.root), *(str(f) for f in files[:2]))
    assert again.returncode == 0, again.stderr[-2000:]
