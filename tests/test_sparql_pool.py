"""The query pool's warm spare: kept while the store is small, dropped above ``SPARE_MAX_TRIPLES`` (each
worker holds its own copy of the graph), and a killed worker is replaced either way."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from support.server import EXPENSIVE_QUERY

import kg.sparql.pool as pool_module
from kg.datadir import DataDir
from kg.errors import QueryTimeoutError
from kg.sparql.guard import QueryForm
from kg.sparql.pool import QueryPool
from kg.sparql.process import WorkerProcess
from kg.sparql.worker import QueryJob

T = TypeVar("T")
EXPENSIVE = QueryJob(EXPENSIVE_QUERY, QueryForm.SELECT, "json", 10)
COUNT_REPORTS = QueryJob(
    "SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/cnkg/ontology#Report> }",
    QueryForm.SELECT,
    "json",
    10,
)


def _run_pool(datadir: DataDir, check: Callable[[QueryPool], Awaitable[T]]) -> T:
    """``check`` run on a started pool of one worker that asks for one spare."""

    async def run() -> T:
        pool = QueryPool(datadir.root, size=1, spares=1)
        await pool.start()
        try:
            return await check(pool)
        finally:
            await pool.close()

    return asyncio.run(run())


async def _spares(pool: QueryPool) -> object:
    return pool.status()["spares"]


def test_manifest_counts_the_triples_the_graph_files_hold(graph_datadir: DataDir) -> None:
    manifest = graph_datadir.read_manifest()
    assert len(manifest.reports) >= 2
    quads = sum(
        len(graph_datadir.path(r.graph_file).read_text(encoding="utf-8").splitlines())
        for r in manifest.reports.values()
    )
    assert manifest.triples() == quads > 1_000


def test_pool_keeps_a_warm_spare_while_the_store_is_small(
    graph_datadir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "SPARE_MAX_TRIPLES", graph_datadir.read_manifest().triples())
    assert _run_pool(graph_datadir, _spares) == 1


def test_pool_keeps_no_spare_above_the_limit_and_still_replaces_a_killed_worker(
    graph_datadir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "SPARE_MAX_TRIPLES", graph_datadir.read_manifest().triples() - 1)

    async def check(pool: QueryPool) -> tuple[str, dict[str, object]]:
        assert pool.status()["spares"] == 0
        with pytest.raises(QueryTimeoutError):
            await pool.run(EXPENSIVE, timeout=1.0)
        # the only worker was killed; the next query waits for the one loading in the background
        outcome = await pool.run(COUNT_REPORTS, timeout=30.0, max_wait=120.0)
        return json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"], pool.status()

    reports, status = _run_pool(graph_datadir, check)
    assert int(reports) == len(graph_datadir.read_manifest().reports)
    assert status["stopped_by_timeout"] == 1 and status["spares"] == 0 and status["workers"] == 1


def test_a_replacement_worker_that_fails_to_start_is_retried(
    samples_datadir: DataDir, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The first replacement's process dies while loading (killed, as the OOM killer would); the pool
    tries again after a pause, logs it, and is back to full size (issue 12, item 7)."""
    monkeypatch.setattr(pool_module, "SPARE_MAX_TRIPLES", 0)  # no spare: the replacement is needed
    monkeypatch.setattr(pool_module, "SPAWN_BACKOFF_S", 0.2, raising=False)
    started: list[WorkerProcess] = []

    class DiesOnceWhileLoading(WorkerProcess):
        def wait_ready(self, timeout: float) -> WorkerProcess:
            started.append(self)
            if len(started) == 2:  # the pool's first worker is started[0]; this is its replacement
                self.process.kill()
            return super().wait_ready(timeout)

    monkeypatch.setattr(pool_module, "WorkerProcess", DiesOnceWhileLoading)

    async def check(pool: QueryPool) -> tuple[str, dict[str, object]]:
        with pytest.raises(QueryTimeoutError):
            await pool.run(EXPENSIVE, timeout=1.0)
        outcome = await pool.run(COUNT_REPORTS, timeout=30.0, max_wait=60.0)
        return json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"], pool.status()

    with caplog.at_level(logging.WARNING, logger="cnkg.sparql"):
        reports, status = _run_pool(samples_datadir, check)
    assert int(reports) == len(samples_datadir.read_manifest().reports)
    assert len(started) == 3  # the first worker, the replacement that died, the one that took its place
    assert status["workers"] == 1 and status["idle"] == 1 and status["starting"] == 0
    assert status["spawn_failures"] == 1 and status["spawns_abandoned"] == 0
    assert any("trying again" in r.getMessage() for r in caplog.records)
