"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

# The shared helpers (tests/support/) assert too: rewrite them as pytest rewrites test modules. They hold
# no tests, and some are plugins (pytest_plugins = ["support.fixtures"]) that must not be imported first as
# doctest modules, so collection leaves them out (their examples run in tests/test_realworld_bench.py).
pytest.register_assert_rewrite("support")
collect_ignore = ["support"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    """The real iResearch report, read from ../shared/corpus (never copied into the repository)."""
    path = (REPO_ROOT / "../shared/corpus/000_70a1e0d4758384e6.txt").resolve()
    if not path.is_file():
        pytest.skip("corpus report not available: ../shared/corpus is absent")
    return path


SAMPLES_DIR = REPO_ROOT / "samples"


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    """The sample reports shipped in the repository (what ``cnkg demo`` ingests)."""
    return sorted(SAMPLES_DIR.glob("*.md"))


@pytest.fixture(scope="session")
def corpus_extraction(corpus_path: Path):
    """The corpus report read and extracted once (no store)."""
    from ingest.pipeline import extract
    from ingest.read import read_path

    return extract(read_path(corpus_path))


@pytest.fixture(scope="session")
def graph_datadir(tmp_path_factory: pytest.TempPathFactory, corpus_path: Path, sample_paths: list[Path]):
    """A data directory with the corpus report and every sample ingested (graph only, no indexes)."""
    from ingest.pipeline import ingest_path
    from kg.datadir import DataDir

    datadir = DataDir(tmp_path_factory.mktemp("graph-data"))
    for path in [corpus_path, *sample_paths]:
        ingest_path(path, datadir)
    return datadir


@pytest.fixture(scope="session")
def samples_datadir(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]):
    """A data directory with the sample reports ingested (graph only, no indexes): for tests that must
    run where the corpus report is absent. Copy it before writing to it."""
    from ingest.pipeline import ingest_path
    from kg.datadir import DataDir

    datadir = DataDir(tmp_path_factory.mktemp("samples-data"))
    for path in sample_paths:
        ingest_path(path, datadir)
    return datadir


@pytest.fixture(scope="session")
def graph_store(graph_datadir):
    from kg.store import GraphStore

    return GraphStore.open(graph_datadir)
