"""Data directories of the tests: sample reports ingested for real, and private copies of a data directory
built once per module (for tests that change it)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from kg.datadir import DataDir
from support.faults import run_cnkg

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# The two samples the MCP and spreadsheet tests read (edge computing, service mesh).
EDGE_AND_MESH = ("edge_computing_2024.md", "service_mesh_2023.md")


def ingested_samples(root: Path, names: Sequence[str]) -> DataDir:
    """A data directory at ``root`` with the named sample reports ingested, graph and search indexes."""
    from ingest.pipeline import ingest_path
    from kg.search.updater import update_indexes

    datadir = DataDir(root)
    for name in names:
        ingest_path(SAMPLES / name, datadir, index_updater=update_indexes)
    return datadir


def graph_only_samples(root: Path, paths: Sequence[Path]) -> Path:
    """A data directory at ``root`` with ``paths`` ingested by ``cnkg ingest --no-index`` (graphs only,
    no on-disk store yet), in a child process as a user would run it."""
    for path in paths:
        proc = run_cnkg("ingest", "--no-index", "--data", str(root), str(path))
        assert proc.returncode == 0, proc.stderr
    return root


def copied_datadir(source: Path, into: Path) -> DataDir:
    """A copy of the data directory at ``source``, as ``into/data``."""
    root = into / "data"
    shutil.copytree(source, root)
    return DataDir(root)
