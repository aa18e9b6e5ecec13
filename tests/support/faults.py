"""Helpers of the fault and hostile-input tests: run the real ``cnkg`` CLI in a subprocess, snapshot a
data directory, and check that a data directory is consistent (everything the manifest names exists and
loads, graph store and search index agree with the manifest)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kg.datadir import DataDir
from kg.search.index import SearchIndex
from kg.store import GraphStore

REPO = Path(__file__).resolve().parents[2]


def run_cnkg(
    *args: str,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """``cnkg ARGS`` as a user runs it (``python -m api.cli``), capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _interruptible() -> None:
    """Ctrl-C (SIGINT) handled as at a terminal: a shell without job control starts background jobs with
    SIGINT ignored, the ignore is inherited across exec, and Python then installs no KeyboardInterrupt
    handler, so a test runner started in the background (``.ci/run &``) would pass that on to ``cnkg``."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cnkg(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``cnkg ARGS`` started in the background, interruptible by SIGINT like a command at a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        preexec_fn=_interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def snapshot(root: Path) -> dict[str, str]:
    """Every file of a data directory (lock file aside) with the sha256 of its content."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """A failed command printed exactly one line, ``cnkg: error: …``, and no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("cnkg: error: ")]
    assert len(errors) == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def assert_consistent(datadir: DataDir, *, no_orphans: bool = False, all_indexed: bool = True) -> None:
    """The manifest, every file it names, the graph store and the search index agree (``all_indexed``:
    and every report is in the search index, i.e. none was ingested with --no-index)."""
    manifest = datadir.read_manifest()
    for rel in manifest.referenced_files():
        path = datadir.path(rel)  # a file, or the graph store's snapshot directory (kg.diskstore)
        assert path.is_file() or (rel.startswith("store/") and path.is_dir()), (
            f"the manifest names a missing {rel}"
        )
    store = GraphStore.open(datadir)
    assert store.report_ids() == sorted(manifest.reports)
    for rid, record in manifest.reports.items():
        text = datadir.path(record.text_file).read_text(encoding="utf-8")
        assert len(text) == record.chars
        count = store.select(
            "SELECT (COUNT(?p) AS ?n) WHERE { ?p dcterms:isPartOf "
            f"<https://w3id.org/cnkg/id/report/{rid}> }}"
        )
        assert int(count[0]["n"].value) == record.counts["passages"]
    if manifest.search.order:  # reports ingested with --no-index are not in it
        indexed = manifest.search.order
        assert set(indexed) == set(manifest.reports) if all_indexed else set(indexed) <= set(manifest.reports)
        index = SearchIndex.load(datadir, manifest)
        assert len(index) == sum(manifest.reports[rid].counts["passages"] for rid in indexed)
        assert index.dense is not None and len(index.dense) == len(index)
    if no_orphans:
        named = manifest.kept_files()  # its own files and those it retains of the generation before
        for sub in ("graphs", "texts", "index"):
            base = datadir.root / sub
            for path in base.rglob("*") if base.is_dir() else []:
                rel = path.relative_to(datadir.root).as_posix()
                assert not path.is_file() or rel in named, f"orphan file {rel}"
