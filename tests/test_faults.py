"""Faults during ingest, with the real ``cnkg ingest`` in a subprocess: SIGKILL at every write step of the
graph and of each search index (and at measured moments of a running ingest), a full disk, a data
directory that cannot be written, and two processes on one data directory. After each: the store and the
indexes are those of the last completed ingest, and ingesting again succeeds."""

from __future__ import annotations

import contextlib
import fcntl
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.datadirs import copied_datadir
from support.faults import assert_consistent, assert_one_line_error, run_cnkg, snapshot, start_cnkg

from kg.datadir import DataDir


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Path:
    """A data directory with the first sample ingested, graph and search indexes (built once)."""
    root = tmp_path_factory.mktemp("faults") / "data"
    proc = run_cnkg("ingest", "--data", str(root), str(sample_paths[0]))
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def data(indexed: Path, tmp_path: Path) -> DataDir:
    return copied_datadir(indexed, tmp_path)


# Every write step of an ingest with indexes, in order: graph file, text file, search shard, dense index,
# embedding cache segment, the manifest swap, and the garbage collection after it.
CRASH_POINTS = [
    "after-artifact-graphs",
    "after-artifact-texts",
    "after-artifact-index/shards",
    "after-artifact-index/dense",
    "after-artifact-index/vectors",
    "before-manifest",
]


@pytest.mark.slow
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_sigkill_at_each_write_step_keeps_the_last_completed_ingest(point, data, sample_paths):
    before = data.manifest_path.read_bytes()
    proc = run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1]), env={"CNKG_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL
    assert data.manifest_path.read_bytes() == before
    assert_consistent(data)
    again = run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1]))
    assert again.returncode == 0, again.stderr
    assert len(data.read_manifest().reports) == 2
    assert_consistent(data, no_orphans=True)  # the files the killed run left were collected


@pytest.mark.slow
def test_sigkill_right_after_the_manifest_swap_keeps_the_new_report(data, sample_paths):
    proc = run_cnkg(
        "ingest", "--data", str(data.root), str(sample_paths[1]), env={"CNKG_CRASH_AT": "after-manifest"}
    )
    assert proc.returncode == -signal.SIGKILL
    assert len(data.read_manifest().reports) == 2
    assert_consistent(data)
    again = run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1]))
    assert again.returncode == 0 and "unchanged" in again.stdout
    run_cnkg("ingest", "--data", str(data.root), str(sample_paths[2]))
    assert_consistent(data, no_orphans=True)


@pytest.mark.slow
def test_sigkill_at_measured_moments_of_a_running_ingest(data, sample_paths, tmp_path):
    """kill -9 from outside at fractions of an ingest's measured duration: the data directory is always
    the old or the new state, whole."""
    probe = DataDir(tmp_path / "probe")
    shutil.copytree(data.root, probe.root)
    t0 = time.monotonic()
    assert run_cnkg("ingest", "--data", str(probe.root), str(sample_paths[1])).returncode == 0
    duration = time.monotonic() - t0
    old = data.manifest_path.read_bytes()
    outcomes = set()
    for fraction in (0.3, 0.6, 0.8, 0.9, 0.95, 0.99):
        proc = start_cnkg("ingest", "--data", str(data.root), str(sample_paths[1]))
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        reports = len(data.read_manifest().reports)
        if reports == 1:
            assert data.manifest_path.read_bytes() == old
        assert_consistent(data)
        outcomes.add(reports)
        if reports == 2:  # the ingest completed before the kill: start over from the old state
            shutil.rmtree(data.root)
            shutil.copytree(probe.root, data.root)
            run_cnkg("delete", "--data", str(data.root), sample_paths[1].name)
            old = data.manifest_path.read_bytes()
    assert 1 in outcomes
    assert run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1])).returncode == 0
    assert_consistent(data, no_orphans=True)


def _limit_file_size(limit: int) -> None:
    """In the child: files may not grow past ``limit`` bytes; writes past it fail with EFBIG (SIGXFSZ,
    which would kill the process instead, is ignored, as it is under many supervisors)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_file_size_limit_during_ingest_gives_one_line_and_keeps_the_store(data, sample_paths):
    before = snapshot(data.root)
    manifest = data.manifest_path.read_bytes()
    proc = run_cnkg(
        "ingest", "--data", str(data.root), str(sample_paths[1]), preexec_fn=lambda: _limit_file_size(4096)
    )
    assert_one_line_error(proc, "cannot write", "File too large")
    assert data.manifest_path.read_bytes() == manifest
    assert {k: v for k, v in snapshot(data.root).items() if k in before} == before
    assert_consistent(data)
    assert run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1])).returncode == 0
    assert_consistent(data, no_orphans=True)


@contextlib.contextmanager
def _mounted(target: Path, *options: str) -> Iterator[None]:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip()})")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_a_full_disk_gives_one_line_and_keeps_the_store(data, sample_paths, tmp_path):
    disk = tmp_path / "disk"
    with _mounted(disk, "-t", "tmpfs", "-o", "size=8m", "tmpfs"):
        root = disk / "data"
        shutil.copytree(data.root, root)
        filler = disk / "filler"
        # unbuffered: a buffered file would flush its last partial block on close, outside the suppress
        with filler.open("wb", buffering=0) as fh, contextlib.suppress(OSError):
            while True:  # fill the disk to the last byte
                fh.write(b"\0" * 65536)
        before = snapshot(root)
        proc = run_cnkg("ingest", "--data", str(root), str(sample_paths[1]))
        assert_one_line_error(proc, "No space left on device")
        assert snapshot(root) == {**before, **{k: v for k, v in snapshot(root).items() if k not in before}}
        assert (root / "manifest.json").read_bytes() == (data.root / "manifest.json").read_bytes()
        assert_consistent(DataDir(root))
        filler.unlink()
        assert run_cnkg("ingest", "--data", str(root), str(sample_paths[1])).returncode == 0
        assert_consistent(DataDir(root), no_orphans=True)


def test_a_read_only_data_directory_gives_one_line_and_keeps_the_store(data, sample_paths, tmp_path):
    before = snapshot(data.root)
    with _mounted(data.root, "--bind", str(data.root)):
        remount = subprocess.run(["mount", "-o", "remount,ro,bind", str(data.root)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip("cannot remount read-only here")
        proc = run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1]))
        assert_one_line_error(proc, "not writable")
        deleted = run_cnkg("delete", "--data", str(data.root), sample_paths[0].name)
        assert_one_line_error(deleted, "not writable")
        listed = run_cnkg("reports", "--data", str(data.root), env={"COLUMNS": "300"})  # reading still works
        assert listed.returncode == 0 and sample_paths[0].name in listed.stdout
    assert snapshot(data.root) == before


def test_a_data_directory_below_a_regular_file_gives_one_line(sample_paths, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    proc = run_cnkg("ingest", "--data", str(blocker / "data"), str(sample_paths[0]))
    assert_one_line_error(proc, "cannot create", "Not a directory")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_second_process_gets_a_clear_error_while_the_first_writes(data, sample_paths):
    before = snapshot(data.root)
    with open(data.root / ".lock", "a+") as held:  # another process holding the writer lock
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_cnkg("ingest", "--data", str(data.root), str(sample_paths[1]))
        deleted = run_cnkg("delete", "--data", str(data.root), sample_paths[0].name)
        listed = run_cnkg("reports", "--data", str(data.root), env={"COLUMNS": "300"})
    assert_one_line_error(proc, "being written by another cnkg process")
    assert_one_line_error(deleted, "being written by another cnkg process")
    assert listed.returncode == 0 and sample_paths[0].name in listed.stdout  # readers are not blocked
    assert snapshot(data.root) == before


@pytest.mark.slow
def test_two_concurrent_ingests_never_corrupt_the_store(data, sample_paths):
    """Two ``cnkg ingest`` processes started together on one data directory: each either succeeds or
    fails with the one-line busy error; the result is consistent and holds every report that succeeded."""
    procs = [start_cnkg("ingest", "--data", str(data.root), str(p)) for p in sample_paths[1:3]]
    results = [(p, *p.communicate(timeout=600)) for p in procs]
    succeeded = []
    for (proc, _out, err), path in zip(results, sample_paths[1:3], strict=True):
        if proc.returncode == 0:
            succeeded.append(path.name)
        else:
            assert proc.returncode == 1 and "being written by another cnkg process" in err, err
            assert "Traceback" not in err
    assert succeeded
    sources = {r.source for r in data.read_manifest().reports.values()}
    assert set(succeeded) <= sources
    assert_consistent(data, no_orphans=True)
